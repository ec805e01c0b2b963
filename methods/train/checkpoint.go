package train

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// CheckpointFile is the name of the checkpoint in a run's directory.
const CheckpointFile = "checkpoint.gob"

// checkpointMagic heads every checkpoint file; the version is in it.
const checkpointMagic = "pushforward train checkpoint v1\n"

// A Checkpoint is a saved run: where it was and every tensor it carries.
// It is stored as checkpointMagic followed by the gob encoding of this
// struct.
type Checkpoint struct {
	// Config describes the run's configuration (see describe); a
	// checkpoint resumes only a run with the same one.
	Config string
	// Epoch is the number of completed epochs, Batch the number of steps
	// taken in the next one and LossSum the sum of their losses, Step the
	// number of steps taken in all.
	Epoch, Batch int
	LossSum      float64
	Step         int64
	Key          uint64
	Elapsed      time.Duration
	History      []EpochMetrics
	Tensors      []SavedTensor
}

// A SavedTensor is a tensor of a checkpoint. Floats are stored as
// float64, which holds f32 values exactly.
type SavedTensor struct {
	Name   string
	DType  string
	Shape  []int
	Floats []float64
	Ints   []int64
	Uints  []uint64
}

// checkpoint returns the state as a checkpoint.
func (st *state) checkpoint(config string) *Checkpoint {
	c := &Checkpoint{Config: config, Epoch: st.epoch, Batch: st.batch, LossSum: st.lossSum, Step: st.step,
		Key: st.key, Elapsed: st.elapsed, History: slices.Clone(st.history)}
	for _, name := range slices.Sorted(maps.Keys(st.tensors)) {
		t := st.tensors[name]
		s := SavedTensor{Name: name, DType: t.Type.DType.String(), Shape: slices.Clone([]int(t.Type.Shape))}
		switch t.Type.DType {
		case ir.I64:
			s.Ints = slices.Clone(t.I64)
		case ir.U64:
			s.Uints = slices.Clone(t.U64)
		default:
			s.Floats = t.Float64s()
		}
		c.Tensors = append(c.Tensors, s)
	}
	return c
}

// restore returns the state a checkpoint holds.
func (c *Checkpoint) restore() (*state, error) {
	st := &state{tensors: map[string]*runtime.Tensor{}, epoch: c.Epoch, batch: c.Batch, lossSum: c.LossSum,
		step: c.Step, key: c.Key, elapsed: c.Elapsed, history: slices.Clone(c.History)}
	for _, s := range c.Tensors {
		d, ok := ir.ParseDType(s.DType)
		if !ok {
			return nil, fmt.Errorf("tensor %s has unknown dtype %q", s.Name, s.DType)
		}
		t := ir.TensorOf(d, s.Shape...)
		n, _ := t.Shape.NumElements()
		var got int
		switch d {
		case ir.I64:
			got = len(s.Ints)
			st.tensors[s.Name] = runtime.FromI64(s.Shape, slices.Clone(s.Ints))
		case ir.U64:
			got = len(s.Uints)
			st.tensors[s.Name] = runtime.FromU64(s.Shape, slices.Clone(s.Uints))
		default:
			got = len(s.Floats)
			if int64(got) == n {
				st.tensors[s.Name] = runtime.FromFloat64s(t, s.Floats)
			}
		}
		if int64(got) != n {
			return nil, fmt.Errorf("tensor %s of type %s holds %d values", s.Name, t, got)
		}
	}
	return st, nil
}

// SaveCheckpoint writes c to path atomically: to a temporary file in the
// same directory, synced, then renamed over path.
func SaveCheckpoint(path string, c *Checkpoint) error {
	err := writeAtomic(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, checkpointMagic); err != nil {
			return err
		}
		return gob.NewEncoder(w).Encode(c)
	})
	if err != nil {
		return fmt.Errorf("train: saving checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("train: loading checkpoint: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		return nil, fmt.Errorf("train: %s is not a checkpoint of this version (want the header %q)", path, strings.TrimSpace(checkpointMagic))
	}
	var c Checkpoint
	if err := gob.NewDecoder(r).Decode(&c); err != nil {
		return nil, fmt.Errorf("train: loading checkpoint %s: %w", path, err)
	}
	return &c, nil
}

// loadState reads the checkpoint at path for a run configured as config.
// It returns nil and no error if there is no checkpoint.
func loadState(path, config string) (*state, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	c, err := LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if c.Config != config {
		return nil, fmt.Errorf("train: checkpoint %s is from another configuration:\n%s", path, lineDiff(c.Config, config))
	}
	st, err := c.restore()
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return st, nil
}

// lineDiff lists the lines of the saved and current configurations that
// differ.
func lineDiff(saved, current string) string {
	a, b := strings.Split(strings.TrimSpace(saved), "\n"), strings.Split(strings.TrimSpace(current), "\n")
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "\tcheckpoint: "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "\tthis run:   "+l)
		}
	}
	return strings.Join(out, "\n")
}
