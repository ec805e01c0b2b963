package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/methods/train"
)

// nc1Collapsed is the NC1 below which a run counts as collapsed (§6 of
// the paper's notes: "NC1 < 0.05").
const nc1Collapsed = 0.05

// A stat is a median over seeds with its range; Missing counts the seeds
// that never reached what is measured.
type stat struct {
	Median, Min, Max float64
	Missing          int `json:",omitempty"`
}

func statOf(vs []float64, missing int) stat {
	if len(vs) == 0 {
		return stat{Median: math.NaN(), Min: math.NaN(), Max: math.NaN(), Missing: missing}
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return stat{Median: train.Median(s), Min: s[0], Max: s[len(s)-1], Missing: missing}
}

func (s stat) String() string {
	if math.IsNaN(s.Median) {
		return "never"
	}
	out := g(s.Median)
	if s.Max > s.Min {
		out += " [" + g(s.Min) + ", " + g(s.Max) + "]"
	}
	if s.Missing > 0 {
		out += fmt.Sprintf(" (%d never)", s.Missing)
	}
	return out
}

func g(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// A headSummary is what the table says of one head in one setting.
type headSummary struct {
	Head string
	// Epochs to 100% train accuracy and to NC1 < 0.05, per seed.
	ToFullAcc, ToCollapse stat
	// NC3 after the first epoch; CE, NC1 and NC3 after the last.
	NC3First, CE, NC1, NC3, NC2 stat
	// SpreadCE and SpreadNC1 are the means over epochs of the range over
	// seeds of the cross-entropy and of log10 NC1.
	SpreadCE, SpreadNC1 float64
	Seeds               int
}

// A settingSummary is the table's rows of one setting, and the claims.
type settingSummary struct {
	K, D   int
	Heads  []headSummary
	Claims []claim
}

// A claim of the paper, checked against the measurements: Verdict is
// "holds", "does not hold" or "undecided" (no head reached what the
// claim compares).
type claim struct {
	Text    string
	Verdict string
	Why     string
}

func verdict(holds bool) string {
	if holds {
		return "holds"
	}
	return "does not hold"
}

func summarise(o *options, all []*ufmRun) []settingSummary {
	var out []settingSummary
	for _, s := range o.settings() {
		ss := settingSummary{K: s.k, D: s.d}
		for _, head := range o.heads {
			var runs [][]train.EpochMetrics
			for _, r := range all {
				if r.s == s && r.head == head && r.res != nil && len(r.res.Epochs) > 0 {
					runs = append(runs, r.res.Epochs)
				}
			}
			if len(runs) > 0 {
				ss.Heads = append(ss.Heads, summariseHead(head, runs))
			}
		}
		ss.Claims = claims(ss.Heads)
		out = append(out, ss)
	}
	return out
}

func summariseHead(head nn.ETFHead, runs [][]train.EpochMetrics) headSummary {
	h := headSummary{Head: head.String(), Seeds: len(runs)}
	var full, coll, nc3First, ce, nc1, nc3, nc2 []float64
	missFull, missColl := 0, 0
	for _, run := range runs {
		if e := firstEpoch(run, func(m train.EpochMetrics) bool { return m.TrainAcc >= 1 }); e > 0 {
			full = append(full, float64(e))
		} else {
			missFull++
		}
		if e := firstEpoch(run, func(m train.EpochMetrics) bool { return m.Collapse.NC1 < nc1Collapsed }); e > 0 {
			coll = append(coll, float64(e))
		} else {
			missColl++
		}
		nc3First = append(nc3First, run[0].Collapse.NC3)
		last := run[len(run)-1]
		ce, nc1, nc3, nc2 = append(ce, last.TrainLoss), append(nc1, last.Collapse.NC1), append(nc3, last.Collapse.NC3), append(nc2, last.Collapse.NC2)
	}
	h.ToFullAcc, h.ToCollapse = statOf(full, missFull), statOf(coll, missColl)
	h.NC3First, h.CE, h.NC1, h.NC3, h.NC2 = statOf(nc3First, 0), statOf(ce, 0), statOf(nc1, 0), statOf(nc3, 0), statOf(nc2, 0)
	h.SpreadCE = spread(runs, func(m train.EpochMetrics) float64 { return m.TrainLoss })
	h.SpreadNC1 = spread(runs, func(m train.EpochMetrics) float64 { return math.Log10(m.Collapse.NC1) })
	return h
}

// firstEpoch returns the first epoch that satisfies ok, or 0.
func firstEpoch(run []train.EpochMetrics, ok func(train.EpochMetrics) bool) int {
	for _, m := range run {
		if ok(m) {
			return m.Epoch
		}
	}
	return 0
}

// spread is the mean over the epochs all runs have of the range of get
// over the runs.
func spread(runs [][]train.EpochMetrics, get func(train.EpochMetrics) float64) float64 {
	n := len(runs[0])
	for _, r := range runs {
		n = min(n, len(r))
	}
	var sum float64
	for e := range n {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range runs {
			v := get(r[e])
			lo, hi = min(lo, v), max(hi, v)
		}
		sum += hi - lo
	}
	return sum / float64(n)
}

// claims checks the paper's claims (as §6 of its notes lists them) in a
// setting: implicit has NC2 ≈ 0 as fixed does, the lowest NC3 from the
// first epoch, reaches 100% accuracy and NC1 < 0.05 no later than fixed
// nor standard, and has the smallest spread between seeds.
func claims(heads []headSummary) []claim {
	by := map[string]headSummary{}
	for _, h := range heads {
		by[h.Head] = h
	}
	imp, ok := by["implicit"]
	if !ok {
		return nil
	}
	var out []claim
	out = append(out, claim{Text: "implicit NC2 ≈ 0 by construction", Verdict: verdict(imp.NC2.Max < 1e-4), Why: "final NC2 " + imp.NC2.String()})
	// lowest: implicit's value of get is at most every other head's.
	lowest := func(get func(headSummary) float64, text, unit string) {
		holds, reached := true, !math.IsInf(get(imp), 1)
		var parts []string
		for _, name := range []string{"standard", "fixed"} {
			h, ok := by[name]
			if !ok {
				continue
			}
			a, b := get(imp), get(h)
			holds = holds && a <= b
			reached = reached || !math.IsInf(b, 1)
			parts = append(parts, fmt.Sprintf("%s %s", name, g(b)))
		}
		c := claim{Text: text, Verdict: verdict(holds), Why: fmt.Sprintf("implicit %s%s vs %s", g(get(imp)), unit, strings.Join(parts, ", "))}
		if !reached {
			c.Verdict = "undecided"
		}
		out = append(out, c)
	}
	epochs := func(st stat) float64 {
		if st.Missing > 0 {
			return math.Inf(1)
		}
		return st.Median
	}
	lowest(func(h headSummary) float64 { return h.NC3First.Median }, "implicit has the lowest NC3 from epoch 1", " (median NC3 at epoch 1)")
	lowest(func(h headSummary) float64 { return epochs(h.ToFullAcc) }, "implicit reaches 100% train accuracy no later", " epochs (median; +Inf: a seed never did)")
	lowest(func(h headSummary) float64 { return epochs(h.ToCollapse) }, "implicit reaches NC1 < 0.05 no later", " epochs (median; +Inf: a seed never did)")
	lowest(func(h headSummary) float64 { return h.SpreadCE }, "implicit has the smallest spread of CE between seeds", " (mean range)")
	lowest(func(h headSummary) float64 { return h.SpreadNC1 }, "implicit has the smallest spread of NC1 between seeds", " (mean range of log10 NC1)")
	return out
}

// report plots every setting, prints the table and writes the summary.
func report(o *options, all []*ufmRun, table, stderr io.Writer) error {
	var errs []error
	for _, s := range o.settings() {
		if err := plotSetting(o, s, all); err != nil {
			errs = append(errs, err)
		}
	}
	sum := summarise(o, all)
	md := markdown(o, sum)
	fmt.Fprint(table, "\n"+md)
	if err := train.WriteAtomic(filepath.Join(o.out, "summary.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, md)
		return err
	}); err != nil {
		errs = append(errs, err)
	}
	if err := train.WriteAtomic(filepath.Join(o.out, "summary.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonSafe(sum))
	}); err != nil {
		errs = append(errs, err)
	}
	fmt.Fprintf(stderr, "plots: %s/K<K>-d<d>/*.png; metrics and checkpoints: %s/K<K>-d<d>/<head>/seed<s>/; summary: %s/summary.md, summary.json\n",
		o.out, o.out, o.out)
	return errors.Join(errs...)
}

// markdown formats the summary as tables, one per setting, each followed
// by the claims.
func markdown(o *options, sum []settingSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "UFM, %d examples per class, %d epochs, %d seeds from %d; median [range] over seeds.\n",
		o.perClass, o.epochs, o.seeds, o.firstSeed)
	for _, s := range sum {
		fmt.Fprintf(&b, "\n### K = %d, d = %d\n\n", s.K, s.D)
		b.WriteString("| head | epochs to 100% acc | epochs to NC1 < 0.05 | NC3 at epoch 1 | final CE | final NC1 | final NC3 | seed spread CE | seed spread log10 NC1 |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, h := range s.Heads {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", h.Head, h.ToFullAcc, h.ToCollapse, h.NC3First,
				h.CE, h.NC1, h.NC3, g(h.SpreadCE), g(h.SpreadNC1))
		}
		if len(s.Claims) > 0 {
			b.WriteString("\n")
		}
		for _, c := range s.Claims {
			fmt.Fprintf(&b, "- %s: %s (%s)\n", c.Text, c.Verdict, c.Why)
		}
	}
	return b.String()
}

// jsonSafe replaces the summary's NaNs and infinities (JSON has none)
// by round-tripping through strings of the values.
func jsonSafe(sum []settingSummary) any {
	fix := func(s stat) map[string]any {
		m := map[string]any{}
		for k, v := range map[string]float64{"median": s.Median, "min": s.Min, "max": s.Max} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				m[k] = nil
			} else {
				m[k] = v
			}
		}
		if s.Missing > 0 {
			m["never"] = s.Missing
		}
		return m
	}
	var out []map[string]any
	for _, s := range sum {
		var heads []map[string]any
		for _, h := range s.Heads {
			heads = append(heads, map[string]any{"head": h.Head, "seeds": h.Seeds,
				"epochs_to_full_acc": fix(h.ToFullAcc), "epochs_to_nc1_005": fix(h.ToCollapse), "nc3_epoch1": fix(h.NC3First),
				"final_ce": fix(h.CE), "final_nc1": fix(h.NC1), "final_nc3": fix(h.NC3), "final_nc2": fix(h.NC2),
				"spread_ce": h.SpreadCE, "spread_log10_nc1": h.SpreadNC1})
		}
		out = append(out, map[string]any{"K": s.K, "d": s.D, "heads": heads, "claims": s.Claims})
	}
	return out
}

func joinErrors(errs []error) error { return errors.Join(errs...) }
