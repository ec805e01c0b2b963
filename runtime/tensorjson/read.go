package tensorjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// A Pos is a position in a JSON document, 1-based.
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// An Error is a problem in an inputs document, at a position, in the
// words of the format: `3:17: input "x", data[2]: 6.5e40 is out of range
// for f32`.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ReadInputs reads {"inputs":[...]} and returns the tensors in the order of
// f's parameters. Every error names its line and column and says what the
// format wants there: malformed JSON, a document of the wrong shape
// (`want an object {"inputs": [...]}, found an array`), a missing,
// unknown, repeated, mistyped or mis-shaped input, and a number its dtype
// cannot hold, such as 6.5e40 for f32 (infinities are written "+Inf" and
// "-Inf") or 2.5 for i64.
func ReadInputs(r io.Reader, f *ir.Func) ([]*runtime.Tensor, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading inputs: %w", err)
	}
	d := &reader{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	d.dec.UseNumber()
	entries, err := d.document()
	if err != nil {
		return nil, err
	}
	return match(entries, f, d.pos(len(src)))
}

// An entry is one input of the document, with the positions of its parts.
type entry struct {
	name, dtype string
	shape       []int
	data        []element
	at, dtypeAt Pos // the entry's '{' and its dtype
}

// An element is one value of data: a JSON number, or a string.
type element struct {
	text string
	str  bool
	at   Pos
}

// A reader walks the document token by token, keeping positions.
type reader struct {
	src []byte
	dec *json.Decoder
	// The line of offset scanned and where that line starts: tokens come
	// in order, so pos counts each newline once rather than rescanning the
	// document for every token.
	scanned, line, lineStart int
}

// pos converts a byte offset to a line and column.
func (d *reader) pos(off int) Pos {
	off = min(off, len(d.src))
	if off < d.scanned || d.line == 0 {
		d.scanned, d.line, d.lineStart = 0, 1, 0
	}
	for {
		i := bytes.IndexByte(d.src[d.scanned:off], '\n')
		if i < 0 {
			break
		}
		d.line++
		d.scanned += i + 1
		d.lineStart = d.scanned
	}
	d.scanned = off
	return Pos{d.line, off - d.lineStart + 1}
}

// next returns the next token and the position where it starts.
func (d *reader) next() (json.Token, Pos, error) {
	off := int(d.dec.InputOffset())
	for off < len(d.src) && strings.IndexByte(" \t\r\n,:", d.src[off]) >= 0 {
		off++
	}
	at := d.pos(off)
	tok, err := d.dec.Token()
	if err == io.EOF {
		return nil, at, &Error{at, "unexpected end of input"}
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			at = d.pos(int(se.Offset))
		}
		return nil, at, &Error{at, "malformed JSON: " + strings.TrimPrefix(err.Error(), "invalid character ")}
	}
	return tok, at, nil
}

// describe names a token in the format's words.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return "an object"
		case '[':
			return "a list"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("the string %q", t)
	case json.Number:
		return "the number " + t.String()
	case bool:
		return fmt.Sprint(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// expectDelim reads delim or reports what it wants instead.
func (d *reader) expectDelim(delim json.Delim, want string) (Pos, error) {
	tok, at, err := d.next()
	if err != nil {
		return at, err
	}
	if tok != delim {
		return at, &Error{at, fmt.Sprintf("want %s, found %s", want, describe(tok))}
	}
	return at, nil
}

// object reads an object's keys and calls value for each, positioned
// before its value.
func (d *reader) object(value func(key string, at Pos) error) error {
	for d.dec.More() {
		tok, at, err := d.next()
		if err != nil {
			return err
		}
		if err := value(tok.(string), at); err != nil {
			return err
		}
	}
	_, _, err := d.next() // '}'
	return err
}

// document reads {"inputs": [...]} and nothing after it.
func (d *reader) document() ([]*entry, error) {
	const want = `an object {"inputs": [...]}`
	if _, err := d.expectDelim('{', want); err != nil {
		return nil, err
	}
	var entries []*entry
	found := false
	err := d.object(func(key string, at Pos) error {
		if key != "inputs" {
			return &Error{at, fmt.Sprintf(`unknown key %q in the document (want only "inputs")`, key)}
		}
		if found {
			return &Error{at, `"inputs" given twice`}
		}
		found = true
		var err error
		entries, err = d.list()
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &Error{d.pos(0), `no "inputs" list: want ` + want}
	}
	if tok, at, err := d.next(); err == nil {
		return nil, &Error{at, fmt.Sprintf("want the end of input after the document, found %s", describe(tok))}
	}
	return entries, nil
}

// list reads the list of inputs.
func (d *reader) list() ([]*entry, error) {
	if _, err := d.expectDelim('[', `a list of inputs [{"name": ..., "dtype": ..., "shape": [...], "data": [...]}, ...] after "inputs"`); err != nil {
		return nil, err
	}
	var entries []*entry
	for d.dec.More() {
		e, err := d.entry(len(entries))
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	_, _, err := d.next() // ']'
	return entries, err
}

// entry reads one {"name": ..., "dtype": ..., "shape": [...], "data": [...]}.
func (d *reader) entry(i int) (*entry, error) {
	at, err := d.expectDelim('{', `an input {"name": ..., "dtype": ..., "shape": [...], "data": [...]}`)
	if err != nil {
		return nil, err
	}
	e := &entry{at: at}
	seen := map[string]bool{}
	err = d.object(func(key string, kat Pos) (err error) {
		if seen[key] {
			return &Error{kat, fmt.Sprintf("%s: %q given twice", e.label(i), key)}
		}
		seen[key] = true
		switch key {
		case "name":
			e.name, err = d.str(e.label(i), key)
		case "dtype":
			e.dtype, err = d.str(e.label(i), key)
			e.dtypeAt = kat
		case "shape":
			e.shape, err = d.shape(e.label(i))
		case "data":
			e.data, err = d.data(e.label(i))
		default:
			err = &Error{kat, fmt.Sprintf(`%s: unknown key %q (want "name", "dtype", "shape" and "data")`, e.label(i), key)}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"name", "dtype", "shape", "data"} {
		if !seen[key] {
			return nil, &Error{at, fmt.Sprintf("%s has no %q", e.label(i), key)}
		}
	}
	return e, nil
}

// label names an entry in errors: by its name once known.
func (e *entry) label(i int) string {
	if e.name != "" {
		return fmt.Sprintf("input %q", e.name)
	}
	return fmt.Sprintf("input %d", i+1)
}

func (d *reader) str(label, key string) (string, error) {
	tok, at, err := d.next()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", &Error{at, fmt.Sprintf("%s: %q wants a string, found %s", label, key, describe(tok))}
	}
	return s, nil
}

// shape reads a list of non-negative integers.
func (d *reader) shape(label string) ([]int, error) {
	if _, err := d.expectDelim('[', "a list of dimensions such as [2, 3] ([] for a scalar)"); err != nil {
		return nil, err
	}
	shape := []int{}
	for d.dec.More() {
		tok, at, err := d.next()
		if err != nil {
			return nil, err
		}
		n, ok := tok.(json.Number)
		v, err := strconv.ParseInt(n.String(), 10, 64)
		if !ok || err != nil || v < 0 || v > math.MaxInt32 {
			return nil, &Error{at, fmt.Sprintf("%s: shape[%d] is %s, want a dimension (an integer ≥ 0)", label, len(shape), describe(tok))}
		}
		shape = append(shape, int(v))
	}
	_, _, err := d.next()
	return shape, err
}

// data reads the list of elements, leaving their meaning to the dtype.
func (d *reader) data(label string) ([]element, error) {
	if _, err := d.expectDelim('[', `a flat list of numbers (non-finite ones as "NaN", "+Inf", "-Inf")`); err != nil {
		return nil, err
	}
	var data []element
	for d.dec.More() {
		tok, at, err := d.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case json.Number:
			data = append(data, element{text: t.String(), at: at})
		case string:
			data = append(data, element{text: t, str: true, at: at})
		default:
			return nil, &Error{at, fmt.Sprintf(`%s: data[%d] is %s, want a number or one of "NaN", "+Inf", "-Inf"`, label, len(data), describe(tok))}
		}
	}
	_, _, err := d.next()
	return data, err
}

// match checks the entries against f's parameters and decodes them in
// the order of the parameters. end is the end of the document, where
// missing inputs are reported.
func match(entries []*entry, f *ir.Func, end Pos) ([]*runtime.Tensor, error) {
	byName := map[string]*entry{}
	for _, e := range entries {
		if f.Param(e.name) == nil {
			return nil, &Error{e.at, fmt.Sprintf("input %q: @%s has no such parameter", e.name, f.Name)}
		}
		if byName[e.name] != nil {
			return nil, &Error{e.at, fmt.Sprintf("input %q given twice (first at %s)", e.name, byName[e.name].at)}
		}
		byName[e.name] = e
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
			return nil, err
		}
		out[i] = t
	}
	if len(missing) > 0 {
		return nil, &Error{end, fmt.Sprintf("missing inputs for parameters %v of @%s", missing, f.Name)}
	}
	return out, nil
}

// decode converts an entry to a tensor of type want.
func decode(e *entry, want ir.Type) (*runtime.Tensor, error) {
	label := fmt.Sprintf("input %q", e.name)
	dt, ok := ir.ParseDType(e.dtype)
	if !ok {
		return nil, &Error{e.dtypeAt, fmt.Sprintf("%s: unknown dtype %q (want f32, f64, i64 or u64)", label, e.dtype)}
	}
	got := ir.Type{DType: dt, Shape: ir.Shape(e.shape)}
	if !got.Equal(want) {
		return nil, &Error{e.at, fmt.Sprintf("%s: got %s, want %s", label, got, want)}
	}
	if n := want.Shape.Size(); len(e.data) != n {
		return nil, &Error{e.at, fmt.Sprintf("%s: data has %d elements, %s has %d", label, len(e.data), want, n)}
	}
	t := runtime.Zeros(want)
	for i, el := range e.data {
		if err := setElem(t, i, el); err != nil {
			return nil, &Error{el.at, fmt.Sprintf("%s, data[%d]: %v", label, i, err)}
		}
	}
	return t, nil
}

// setElem stores element i, refusing what its dtype cannot hold exactly
// (integers) or at all (floats beyond the dtype's range).
func setElem(t *runtime.Tensor, i int, el element) error {
	dt := t.Type.DType
	if el.str && (dt == ir.I64 || dt == ir.U64) {
		return fmt.Errorf("the string %q is not an %s (want an integer)", el.text, dt)
	}
	switch dt {
	case ir.I64:
		v, err := strconv.ParseInt(el.text, 10, 64)
		if err != nil {
			return fmt.Errorf("%s is not an i64 (want an integer from %d to %d)", el.text, int64(math.MinInt64), int64(math.MaxInt64))
		}
		t.I64[i] = v
	case ir.U64:
		v, err := strconv.ParseUint(el.text, 10, 64)
		if err != nil {
			return fmt.Errorf("%s is not a u64 (want an integer from 0 to %d)", el.text, uint64(math.MaxUint64))
		}
		t.U64[i] = v
	case ir.F32:
		v, err := parseFloat(el, 32)
		if err != nil {
			return err
		}
		t.F32[i] = float32(v)
	default:
		v, err := parseFloat(el, 64)
		if err != nil {
			return err
		}
		t.F64[i] = v
	}
	return nil
}

// parseFloat reads a float of the given size: a number within the
// dtype's range (rounded to it), or one of the strings "NaN", "+Inf",
// "-Inf".
func parseFloat(el element, bits int) (float64, error) {
	if el.str {
		switch el.text {
		case "NaN":
			return math.NaN(), nil
		case "+Inf":
			return math.Inf(1), nil
		case "-Inf":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf(`the string %q is not a number (the strings are "NaN", "+Inf" and "-Inf")`, el.text)
	}
	v, err := strconv.ParseFloat(el.text, bits)
	if errors.Is(err, strconv.ErrRange) && !math.IsInf(v, 0) {
		return v, nil // too small: rounds to zero or a subnormal, as in Go
	}
	if err != nil {
		largest := strconv.FormatFloat(math.MaxFloat64, 'g', -1, 64)
		if bits == 32 {
			largest = strconv.FormatFloat(math.MaxFloat32, 'g', -1, 32)
		}
		return 0, fmt.Errorf(`%s is out of range for f%d (largest finite %s; write "+Inf" or "-Inf" for an infinity)`, el.text, bits, largest)
	}
	return v, nil
}
