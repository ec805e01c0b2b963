package main

import (
	"fmt"
	"slices"
	"strings"
)

// A cell is one training run of the reproduction: a method at a width with
// a seed, on MNIST-1D, in the paper's setup (3 hidden ReLU layers, no
// biases, AdamW lr 1e-4 wd 0.01, batch 512).
type cell struct {
	Method string
	Width  int
	Seed   uint64
	// K is wperp's subspace dimension (0: the default 10; -1: the rank,
	// by the row-space projector).
	K int
	// Tables lists what the cell feeds: "3", "1", "2", "4", "5", "fig1".
	Tables []string
	// Probe lists the methods whose metrics (Tables 2 and 5) are measured
	// on the cell's trained network, so that the estimators are compared
	// at the same point; Overlap asks for the overlap curve (Fig. 1).
	Probe   []string
	Overlap bool
}

// ID names the cell's directory.
func (c cell) ID() string {
	k := ""
	switch {
	case c.K < 0:
		k = "-krank"
	case c.K > 0:
		k = fmt.Sprintf("-k%d", c.K)
	}
	return fmt.Sprintf("%s%s-w%d-s%d", c.Method, k, c.Width, c.Seed)
}

// The methods whose trained networks Tables 2 and 5 are measured on, and
// the methods measured.
var (
	table2Nets    = []string{"wt", "wperp"}
	table2Methods = []string{"wt", "wperp-bottom", "wperp", "wprecond"}
	table5Methods = []string{"wperp", "wprecond", "wt"}
)

// A grid is a set of cells run and reported together.
type grid struct {
	name, about string
	cells       func() []cell
	// report writes the grid's tables to the report.
	report func(r *results, b *strings.Builder) error
}

// grids are the grids -grid selects: the paper's, and a tiny one that
// trains in seconds (for trying a cluster and for the tests).
var grids = []grid{
	{name: "paper", about: "Tables 1–5 and Fig. 1 of the paper", cells: paperGrid, report: (*results).paperReport},
	{name: "tiny", about: "4 methods at width 16, seed 100: a grid that trains in seconds", cells: tinyGrid, report: (*results).cellsTable},
}

func gridNames() []string {
	var names []string
	for _, g := range grids {
		names = append(names, g.name)
	}
	return names
}

func findGrid(name string) (grid, bool) {
	for _, g := range grids {
		if g.name == name {
			return g, true
		}
	}
	return grid{}, false
}

// tinyGrid is backprop and three forward-gradient methods at width 16.
func tinyGrid() []cell {
	var cells []cell
	for _, m := range []string{"backprop", "ap", "wt", "wperp"} {
		cells = append(cells, cell{Method: m, Width: 16, Seed: 100, Tables: []string{"cells"}})
	}
	return cells
}

// paperGrid returns every cell of the reproduction, cheapest first, so
// that an interrupted session leaves the most tables complete.
func paperGrid() []cell {
	const seed = 100
	byID := map[string]*cell{}
	var order []string
	add := func(c cell, table string) {
		if p, ok := byID[c.ID()]; ok {
			if !slices.Contains(p.Tables, table) {
				p.Tables = append(p.Tables, table)
			}
			for _, m := range c.Probe {
				if !slices.Contains(p.Probe, m) {
					p.Probe = append(p.Probe, m)
				}
			}
			p.Overlap = p.Overlap || c.Overlap
			return
		}
		c.Tables = []string{table}
		byID[c.ID()] = &c
		order = append(order, c.ID())
	}
	for _, w := range []int{64, 128, 256, 512} {
		for _, m := range []string{"backprop", "ap", "wp", "wt", "wperp"} {
			add(cell{Method: m, Width: w, Seed: seed, Overlap: m == "wperp" && (w == 128 || w == 512)}, "3")
		}
		if w == 128 {
			// Table 1: the k sweep; Table 2: bias and variance of every
			// method on the networks W̃ᵀ and W̃⊥ trained.
			for _, k := range []int{-1, 25, 1} {
				add(cell{Method: "wperp", Width: w, Seed: seed, K: k}, "1")
			}
			for _, m := range table2Nets {
				add(cell{Method: m, Width: w, Seed: seed, Probe: table2Methods}, "2")
			}
		}
		if w == 256 {
			// Table 5: the metrics on the networks W̃ᵀ and W̃⊥ trained,
			// and the accuracies of each method's own run.
			for _, m := range table5Methods {
				c := cell{Method: m, Width: w, Seed: seed}
				if slices.Contains(table2Nets, m) {
					c.Probe = table5Methods
				}
				add(c, "5")
			}
		}
		if w == 128 || w == 512 {
			for _, m := range []string{"wperp-ns", "wperp", "wt"} {
				add(cell{Method: m, Width: w, Seed: seed}, "4")
			}
			for _, s := range []uint64{101, 102} {
				for _, m := range []string{"wt", "wperp"} {
					add(cell{Method: m, Width: w, Seed: s}, "3")
				}
			}
		}
	}
	// Width 512 last, and within it the expensive methods last.
	cost := func(c *cell) int {
		n := c.Width * c.Width
		switch c.Method {
		case "wperp-ns":
			n *= 64
		case "wperp", "wperp-bottom", "wprecond":
			n *= 8
		}
		return n
	}
	cells := make([]cell, len(order))
	for i, id := range order {
		cells[i] = *byID[id]
	}
	slices.SortStableFunc(cells, func(a, b cell) int { return cost(&a) - cost(&b) })
	return cells
}
