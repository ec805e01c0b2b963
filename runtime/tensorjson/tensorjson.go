// Package tensorjson reads and writes tensors in the JSON form of `pf run`:
//
//	{"inputs":[{"name":"x","dtype":"f32","shape":[2,3],"data":[1,2,3,4,5,6]}]}
//	{"results":[{"name":"loss","dtype":"f32","shape":[],"data":[0.5]}]}
//
// data is always a flat row-major list, a scalar's holding one number.
// Non-finite numbers are the strings "NaN", "+Inf" and "-Inf" in both
// directions. Integers (i64, u64) are exact; floats print in the shortest
// form that reads back to the same value of their dtype.
package tensorjson

import (
	"bytes"
	"encoding/json"
	"errors"
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

// entry is the JSON form of one named tensor.
type entry struct {
	Name  string            `json:"name"`
	DType string            `json:"dtype"`
	Shape []int             `json:"shape"`
	Data  []json.RawMessage `json:"data"`
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

// ReadInputs reads {"inputs":[...]} and returns the tensors in the order of
// f's parameters. Missing, unknown, repeated, mistyped or mis-shaped
// inputs are errors that name the parameter.
func ReadInputs(r io.Reader, f *ir.Func) ([]*runtime.Tensor, error) {
	var doc struct {
		Inputs *[]entry `json:"inputs"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading inputs: %w", err)
	}
	if doc.Inputs == nil {
		return nil, errors.New(`reading inputs: no "inputs" list`)
	}
	byName := map[string]*entry{}
	for i := range *doc.Inputs {
		e := &(*doc.Inputs)[i]
		if f.Param(e.Name) == nil {
			return nil, fmt.Errorf("input %q: @%s has no such parameter", e.Name, f.Name)
		}
		if byName[e.Name] != nil {
			return nil, fmt.Errorf("input %q given twice", e.Name)
		}
		byName[e.Name] = e
	}
	out := make([]*runtime.Tensor, len(f.Params))
	var missing []string
	for i, p := range f.Params {
		e := byName[p.Name]
		if e == nil {
			missing = append(missing, "%"+p.Name)
			continue
		}
		t, err := decode(e, p.Type)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", p.Name, err)
		}
		out[i] = t
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing inputs for parameters %v of @%s", missing, f.Name)
	}
	return out, nil
}

// decode converts one entry to a tensor of type want.
func decode(e *entry, want ir.Type) (*runtime.Tensor, error) {
	d, ok := ir.ParseDType(e.DType)
	if !ok {
		return nil, fmt.Errorf("unknown dtype %q", e.DType)
	}
	got := ir.Type{DType: d, Shape: ir.Shape(e.Shape)}
	if e.Shape == nil {
		got.Shape = ir.Shape{}
	}
	if !got.Equal(want) {
		return nil, fmt.Errorf("got %s, want %s", got, want)
	}
	if n := want.Shape.Size(); len(e.Data) != n {
		return nil, fmt.Errorf("data has %d elements, %s has %d", len(e.Data), want, n)
	}
	t := runtime.Zeros(want)
	for i, raw := range e.Data {
		if err := setElem(t, i, raw); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return t, nil
}

func setElem(t *runtime.Tensor, i int, raw json.RawMessage) error {
	s := string(bytes.TrimSpace(raw))
	switch t.Type.DType {
	case ir.I64:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s is not an i64", s)
		}
		t.I64[i] = v
	case ir.U64:
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s is not a u64", s)
		}
		t.U64[i] = v
	default:
		v, err := parseFloat(s)
		if err != nil {
			return err
		}
		if t.Type.DType == ir.F32 {
			t.F32[i] = float32(v)
		} else {
			t.F64[i] = v
		}
	}
	return nil
}

func parseFloat(s string) (float64, error) {
	switch s {
	case `"NaN"`:
		return math.NaN(), nil
	case `"+Inf"`:
		return math.Inf(1), nil
	case `"-Inf"`:
		return math.Inf(-1), nil
	}
	if s == "" || s[0] == '"' || s == "null" || s == "true" || s == "false" || s[0] == '[' || s[0] == '{' {
		return 0, fmt.Errorf(`%s is not a number or one of "NaN", "+Inf", "-Inf"`, s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number", s)
	}
	return v, nil
}
