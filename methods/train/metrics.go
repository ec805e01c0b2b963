package train

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/runtime"
)

// EpochMetrics are the measurements taken after an epoch.
type EpochMetrics struct {
	Epoch  int // 1-based
	Method string
	Width  int
	// TrainLoss is the mean of the epoch's step losses; TestLoss the loss
	// on the whole test set after the epoch.
	TrainLoss, TestLoss float64
	// TrainAcc and TestAcc are the accuracies on the whole train and test
	// sets after the epoch.
	TrainAcc, TestAcc float64
	// Elapsed is the wall time of the run at the end of the epoch, in
	// seconds, evaluation included.
	Elapsed float64
	// Steps is the number of steps taken so far.
	Steps int64
	// Collapse holds the neural-collapse metrics on the training set
	// (Config.Collapse), without the per-example margins; nil otherwise.
	Collapse *etf.Collapse
}

// A Result is what a run did.
type Result struct {
	Method string
	Label  string
	Width  int
	Epochs []EpochMetrics
	// Wall is the run's wall time, over all the processes that worked on
	// it when it was resumed.
	Wall time.Duration
	// Steps is the number of steps taken.
	Steps int64
	// Params holds the trained parameters at the end, by name.
	Params map[string]*runtime.Tensor
	// Collapse holds the last epoch's collapse metrics measured by this
	// process with the per-example margins (Config.Collapse), or nil.
	Collapse *etf.Collapse
	// Err is the error that stopped the run, for the results of Compare,
	// which goes on to the next method.
	Err error
}

// Final returns the metrics of the last epoch (zero if there is none).
func (r *Result) Final() EpochMetrics {
	if len(r.Epochs) == 0 {
		return EpochMetrics{}
	}
	return r.Epochs[len(r.Epochs)-1]
}

// Curve returns the result as a curve for PlotCurves.
func (r *Result) Curve() Curve { return Curve{Label: r.Label, Epochs: r.Epochs} }

// jsonLine is the JSON form of one epoch's metrics.
type jsonLine struct {
	Epoch     int     `json:"epoch"`
	Method    string  `json:"method"`
	Width     int     `json:"width"`
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	TestAcc   float64 `json:"test_acc"`
	Elapsed   float64 `json:"elapsed_s"`
	// NC is present only in runs with Config.Collapse, so the lines of
	// other runs are as they were.
	NC *etf.Collapse `json:"nc,omitempty"`
}

// csvHeader is the first line of metrics.csv: the fields of jsonLine.
const csvHeader = "epoch,method,width,train_loss,train_acc,test_acc,elapsed_s\n"

// collapseColumns are the columns metrics.csv has after csvHeader's in
// runs with Config.Collapse, in the order of CSV.
const collapseColumns = ",nc1,vci,nc1_rank,nc2,nc3,nc4,ncc_mismatch,equinorm_w,equinorm_h,equinorm,margin,margin_min,etf_distance,etf_to_w"

// JSON returns the metrics as one line of JSON with a newline:
// {"epoch":1,"method":"wperp","width":128,"train_loss":…,"train_acc":…,"test_acc":…,"elapsed_s":…},
// and "nc":{"nc1":…,…} when the collapse metrics were measured.
func (m EpochMetrics) JSON() ([]byte, error) {
	b, err := json.Marshal(jsonLine{m.Epoch, m.Method, m.Width, m.TrainLoss, m.TrainAcc, m.TestAcc, m.Elapsed, m.Collapse})
	if err != nil {
		return nil, fmt.Errorf("train: metrics of epoch %d: %w", m.Epoch, err)
	}
	return append(b, '\n'), nil
}

// CSV returns the metrics as one line of metrics.csv with a newline,
// with the collapse metrics' columns when they were measured.
func (m EpochMetrics) CSV() string {
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	line := fmt.Sprintf("%d,%s,%d,%s,%s,%s,%s", m.Epoch, m.Method, m.Width, g(m.TrainLoss), g(m.TrainAcc), g(m.TestAcc), g(m.Elapsed))
	if c := m.Collapse; c != nil {
		for _, v := range []float64{c.NC1, c.VCI, c.NC1Rank, c.NC2, c.NC3, c.NC4, c.NCCMismatch, c.EquinormW, c.EquinormH,
			c.Equinorm, c.Margin, c.MarginMin, c.ETFDistance, c.ETFToW} {
			line += "," + g(v)
		}
	}
	return line + "\n"
}

// csvHeaderOf is the header of a metrics.csv holding ms.
func csvHeaderOf(ms []EpochMetrics) string {
	if len(ms) > 0 && ms[0].Collapse != nil {
		return strings.TrimSuffix(csvHeader, "\n") + collapseColumns + "\n"
	}
	return csvHeader
}

// A metricsLog records each epoch's metrics where the config says, as
// soon as the epoch ends: a JSON line on a writer, and the files
// metrics.jsonl and metrics.csv in a directory, rewritten whole and
// atomically after every epoch, so that they hold every epoch of the run
// (those before a resumption included) and are written only once the run
// has produced one.
type metricsLog struct {
	json   io.Writer
	dir    string
	epochs []EpochMetrics
}

// newMetricsLog returns the log of a run that has done the epochs done.
func newMetricsLog(dir string, json io.Writer, done []EpochMetrics) *metricsLog {
	return &metricsLog{json: json, dir: dir, epochs: slices.Clone(done)}
}

// write records one epoch everywhere.
func (l *metricsLog) write(m EpochMetrics) error {
	if l.json != nil {
		line, err := m.JSON()
		if err != nil {
			return err
		}
		if _, err := l.json.Write(line); err != nil {
			return fmt.Errorf("train: writing metrics: %w", err)
		}
	}
	l.epochs = append(l.epochs, m)
	if l.dir == "" {
		return nil
	}
	err := writeAtomic(filepath.Join(l.dir, "metrics.jsonl"), func(w io.Writer) error {
		for _, m := range l.epochs {
			line, err := m.JSON()
			if err != nil {
				return err
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = writeAtomic(filepath.Join(l.dir, "metrics.csv"), func(w io.Writer) error {
			if _, err := io.WriteString(w, csvHeaderOf(l.epochs)); err != nil {
				return err
			}
			for _, m := range l.epochs {
				if _, err := io.WriteString(w, m.CSV()); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// ReadMetrics reads a metrics.jsonl file written by a run: one
// EpochMetrics per line. A missing file holds no epochs.
func ReadMetrics(path string) ([]EpochMetrics, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []EpochMetrics
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var j jsonLine
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		ms = append(ms, EpochMetrics{Epoch: j.Epoch, Method: j.Method, Width: j.Width, TrainLoss: j.TrainLoss,
			TrainAcc: j.TrainAcc, TestAcc: j.TestAcc, Elapsed: j.Elapsed, Collapse: j.NC})
	}
	return ms, sc.Err()
}
