package train

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/runtime"
)

// The neural-collapse metrics of Config.Collapse: after each epoch the
// evaluation of the training set also returns the features, the logits
// and the classifier, gathered here and measured by etf.Measure.

// Names of the evaluated model's results that Config.Collapse reads.
const (
	FeaturesResult   = "features"     // [batch, d], what the classifier reads
	ClassifierResult = "classifier.w" // [classes, d]
	BiasResult       = "classifier.b" // [classes], optional
)

// probeResults are the positions of the features, logits, classifier and
// bias among an evaluation function's results (bias -1 when the model
// has none).
type probeResults struct {
	features, logits, w, b *ir.Value
	at                     [4]int
}

// findProbe finds the features and the classifier among f's results.
func findProbe(f *ir.Func, sig signature) (*probeResults, error) {
	p := &probeResults{logits: f.Results[1]}
	for _, r := range f.Results {
		switch r.Name {
		case FeaturesResult:
			p.features = r
		case ClassifierResult:
			p.w = r
		case BiasResult:
			p.b = r
		}
	}
	switch {
	case p.features == nil || p.w == nil:
		return nil, fmt.Errorf("@%s: the collapse metrics need results named %q and %q (and optionally %q)", f.Name, FeaturesResult, ClassifierResult, BiasResult)
	case p.features.Type.Rank() != 2 || p.features.Type.Shape[0] != p.logits.Type.Shape[0]:
		return nil, fmt.Errorf("@%s: %s has type %s, want [batch, d]", f.Name, FeaturesResult, p.features.Type)
	case !p.w.Type.Shape.Equal(ir.Shape{sig.classes, p.features.Type.Shape[1]}):
		return nil, fmt.Errorf("@%s: %s has type %s, want [%d, %d]", f.Name, ClassifierResult, p.w.Type, sig.classes, p.features.Type.Shape[1])
	case p.b != nil && !p.b.Type.Shape.Equal(ir.Shape{sig.classes}):
		return nil, fmt.Errorf("@%s: %s has type %s, want [%d]", f.Name, BiasResult, p.b.Type, sig.classes)
	}
	return p, nil
}

// append adds the probed values to results and records where they are.
func (p *probeResults) append(results []*ir.Value) []*ir.Value {
	vs := []*ir.Value{p.features, p.logits, p.w, p.b}
	for i, v := range vs {
		p.at[i] = -1
		if v != nil {
			p.at[i] = len(results)
			results = append(results, v)
		}
	}
	return results
}

// A probe gathers what the collapse metrics need over the chunks of an
// evaluation.
type probe struct {
	h         []float64
	labels    []int
	predicted []int
	w, b      []float64
}

// add records the results of one chunk of examples with the given labels.
func (pr *probe) add(p *probeResults, res []*runtime.Tensor, labels []int64) {
	pr.h = append(pr.h, res[p.at[0]].Float64s()...)
	logits := res[p.at[1]].Float64s()
	k := res[p.at[1]].Type.Shape[1]
	for i, l := range labels {
		pr.labels = append(pr.labels, int(l))
		row := logits[i*k : (i+1)*k]
		pr.predicted = append(pr.predicted, slices.Index(row, slices.Max(row)))
	}
	pr.w = res[p.at[2]].Float64s()
	pr.b = nil
	if p.at[3] >= 0 {
		pr.b = res[p.at[3]].Float64s()
	}
}

// measure computes the metrics of what the probe gathered.
func (pr *probe) measure(classes int) (*etf.Collapse, error) {
	return etf.Measure(pr.h, pr.labels, pr.predicted, pr.w, pr.b, classes)
}
