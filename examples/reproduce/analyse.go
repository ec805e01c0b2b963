package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/runtime"
)

const (
	analysisFile = "analysis.json"
	// analysisBatch is the batch the metrics are measured on: the first
	// examples of the training set. The per-example Jacobians are dense.
	analysisBatch = 128
)

// overlapKs are the k of the overlap curve (Fig. 1).
var overlapKs = []int{1, 2, 3, 5, 7, 10, 15, 20, 25, 30, 40, 50, 64, 80, 100, 128, 192, 256, 384, 512}

// analysis is what a cell's trained network measures.
type analysis struct {
	Epoch int `json:"epoch"`
	// Metrics are the paper's metrics of each probed method, by name.
	Metrics map[string]*fwdgrad.Metrics `json:"metrics,omitempty"`
	Overlap map[string][]float64        `json:"overlap,omitempty"` // layer -> o_top(k) for OverlapKs
	Ks      []int                       `json:"ks,omitempty"`
}

// analyse measures the trained network of a finished cell: the paper's
// metrics (Tables 2 and 5) of each probed method, W̃⊥ with the exact
// per-example SVD, and the overlap curve (Fig. 1). Everything is in
// float64 on the first analysisBatch examples, with the same noise for
// every method.
func analyse(c cell, o options, trainSet *data.Dataset) error {
	ck, err := train.LoadCheckpoint(filepath.Join(c.dir(o), train.CheckpointFile))
	if err != nil {
		return err
	}
	f, inputs, err := trainedNetwork(c, ck, trainSet)
	if err != nil {
		return err
	}
	a := analysis{Epoch: ck.Epoch}
	for _, m := range c.Probe {
		if a.Metrics == nil {
			a.Metrics = map[string]*fwdgrad.Metrics{}
		}
		cfg := fwdgrad.Config{Method: m, Exact: m == "wperp"}
		if a.Metrics[m], err = fwdgrad.Measure(f, cfg, inputs, c.Seed, uint64(ck.Step)); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	if c.Overlap {
		ks := slices.DeleteFunc(slices.Clone(overlapKs), func(k int) bool { return k > c.Width })
		layers, o, err := fwdgrad.Overlaps(f, inputs, ks)
		if err != nil {
			return err
		}
		a.Ks, a.Overlap = ks, map[string][]float64{}
		for i, l := range layers {
			a.Overlap[fmt.Sprintf("layer %d (%s)", i+1, l)] = o[i]
		}
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.dir(o), analysisFile), append(b, '\n'), 0o644)
}

// trainedNetwork builds the cell's model in float64 at analysisBatch with
// the checkpoint's parameters and the first examples as its inputs.
func trainedNetwork(c cell, ck *train.Checkpoint, trainSet *data.Dataset) (*ir.Func, []*runtime.Tensor, error) {
	model := train.MLP(trainSet.Features, data.MNIST1DClasses, slices.Repeat([]int{c.Width}, depth), false, ir.F64)
	f, _, err := model(analysisBatch)
	if err != nil {
		return nil, nil, err
	}
	saved := map[string][]float64{}
	for _, t := range ck.Tensors {
		saved[t.Name] = t.Floats
	}
	idx := make([]int, analysisBatch)
	for i := range idx {
		idx[i] = i
	}
	x := make([]float64, analysisBatch*trainSet.Features)
	labels := make([]int64, analysisBatch)
	trainSet.Batch(idx, x, labels)
	var inputs []*runtime.Tensor
	for _, p := range f.Params {
		switch {
		case p.Type.DType == ir.I64:
			inputs = append(inputs, runtime.FromI64(p.Type.Shape, labels))
		case p.Role == ir.Data:
			inputs = append(inputs, runtime.FromF64(p.Type.Shape, x))
		default:
			v, ok := saved[p.Name]
			if !ok || len(v) != p.Type.Shape.Size() {
				return nil, nil, fmt.Errorf("checkpoint has no parameter %s of type %s", p.Name, p.Type)
			}
			inputs = append(inputs, runtime.FromF64(p.Type.Shape, v))
		}
	}
	return f, inputs, nil
}
