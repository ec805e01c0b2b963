// Package tensorjson reads and writes tensors in the JSON form of `pf run`:
//
//	{"inputs":[{"name":"x","dtype":"f32","shape":[2,3],"data":[1,2,3,4,5,6]}]}
//	{"results":[{"name":"loss","dtype":"f32","shape":[],"data":[0.5]}]}
//
// data is always a flat row-major list, a scalar's holding one number.
// Non-finite numbers are the strings "NaN", "+Inf" and "-Inf" in both
// directions. Integers (i64, u64) are exact; floats print in the shortest
// form that reads back to the same value of their dtype. ReadInputs reports
// errors with their line and column in the format's words, and refuses
// numbers a dtype cannot hold (6.5e40 for f32, 2.5 for i64) rather than
// rounding them to an infinity or an integer.
package tensorjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// Named is a tensor with the name of the parameter or result it belongs to.
type Named struct {
	Name   string
	Tensor *runtime.Tensor
}

// WriteResults writes {"results":[...]} with one entry per tensor, in order,
// followed by a newline.
func WriteResults(w io.Writer, results []Named) error {
	return write(w, "results", results)
}

// WriteInputs writes {"inputs":[...]}, the form ReadInputs reads.
func WriteInputs(w io.Writer, inputs []Named) error {
	return write(w, "inputs", inputs)
}

func write(w io.Writer, key string, ts []Named) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{%q:[", key)
	for i, nt := range ts {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(nt.Name)
		shape, _ := json.Marshal([]int(nt.Tensor.Type.Shape.Clone()))
		fmt.Fprintf(&b, `{"name":%s,"dtype":%q,"shape":%s,"data":[`, name, nt.Tensor.Type.DType, shape)
		writeData(&b, nt.Tensor)
		b.WriteString("]}")
	}
	b.WriteString("]}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func writeData(b *bytes.Buffer, t *runtime.Tensor) {
	sep := func(i int) {
		if i > 0 {
			b.WriteByte(',')
		}
	}
	switch t.Type.DType {
	case ir.F32:
		for i, v := range t.F32 {
			sep(i)
			b.WriteString(formatFloat(float64(v), 32))
		}
	case ir.F64:
		for i, v := range t.F64 {
			sep(i)
			b.WriteString(formatFloat(v, 64))
		}
	case ir.I64:
		for i, v := range t.I64 {
			sep(i)
			b.WriteString(strconv.FormatInt(v, 10))
		}
	case ir.U64:
		for i, v := range t.U64 {
			sep(i)
			b.WriteString(strconv.FormatUint(v, 10))
		}
	}
}

func formatFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return `"NaN"`
	case math.IsInf(v, 1):
		return `"+Inf"`
	case math.IsInf(v, -1):
		return `"-Inf"`
	}
	return strconv.FormatFloat(v, 'g', -1, bits)
}
