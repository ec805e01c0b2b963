package train

import "github.com/pushforward/pushforward/data"

// An order is one epoch's order of the training examples, cut into
// batches: batch i is perm[bounds[i]:bounds[i+1]].
type order struct {
	perm, bounds []int
}

func (o *order) batch(i int) []int { return o.perm[o.bounds[i]:o.bounds[i+1]] }

// plainBatches returns how many batches an epoch of n examples has with
// batches of size full (the last takes the rest).
func plainBatches(n, full int) int { return (n + full - 1) / full }

// stratifiedBatches returns how many batches an epoch of n examples has
// with stratified batches of about size batch: ⌊n/batch⌋, at least one.
func stratifiedBatches(n, batch int) int { return max(1, n/batch) }

// shuffle sets o to epoch ep's order of d: a permutation of the examples
// (d.ShuffleInto with the seed) cut into batches of full examples, the
// last taking the rest; or, stratified, the permutation's examples of
// each class dealt in turn, class after class, over the batches, so that
// each batch holds ⌊n_k/batches⌋ or ⌈n_k/batches⌉ examples of class k
// and the batch sizes differ by at most one.
func (o *order) shuffle(d *data.Dataset, seed uint64, ep, full, batches int, stratified bool) {
	if len(o.perm) != d.N {
		o.perm = make([]int, d.N)
	}
	d.ShuffleInto(o.perm, seed, ep)
	o.bounds = o.bounds[:0]
	if !stratified {
		for lo := 0; lo < d.N; lo += full {
			o.bounds = append(o.bounds, lo)
		}
		o.bounds = append(o.bounds, d.N)
		return
	}
	byClass := make([][]int, d.Classes)
	for _, i := range o.perm {
		y := d.Labels[i]
		byClass[y] = append(byClass[y], i)
	}
	members := make([][]int, batches)
	j := 0
	for _, idx := range byClass {
		for _, i := range idx {
			members[j%batches] = append(members[j%batches], i)
			j++
		}
	}
	o.perm = o.perm[:0]
	for _, m := range members {
		o.bounds = append(o.bounds, len(o.perm))
		o.perm = append(o.perm, m...)
	}
	o.bounds = append(o.bounds, len(o.perm))
}
