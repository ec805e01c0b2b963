package ir

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// An Attr is an attribute value: Int, Uint, Float, String, Bool, DType or
// List.
type Attr interface {
	// String formats the attribute in the text format.
	String() string
	isAttr()
}

// Int is an integer attribute.
type Int int64

// Uint is an integer attribute above the range of Int: 2⁶³ to 2⁶⁴−1, which
// only u64 values take. The parser makes a Uint of such integers only, and
// Unsigned does the same, so that every integer has one form.
type Uint uint64

// Float is a floating-point attribute.
type Float float64

// String is a string attribute, printed with Go escaping.
type String string

// Bool is a boolean attribute.
type Bool bool

// List is a list attribute, printed as "[a, b]".
type List []Attr

func (Int) isAttr()    {}
func (Uint) isAttr()   {}
func (Float) isAttr()  {}
func (String) isAttr() {}
func (Bool) isAttr()   {}
func (DType) isAttr()  {}
func (List) isAttr()   {}

func (a Int) String() string { return strconv.FormatInt(int64(a), 10) }

func (a Uint) String() string { return strconv.FormatUint(uint64(a), 10) }

// Unsigned returns the attribute of the integer v: an Int when it fits,
// else a Uint.
func Unsigned(v uint64) Attr {
	if v <= math.MaxInt64 {
		return Int(v)
	}
	return Uint(v)
}

// String prints a float so that it parses back as a float with the same
// bits: the shortest Go form, with ".0" added when it would read as an int.
func (a Float) String() string {
	f := float64(a)
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

func (a String) String() string { return strconv.Quote(string(a)) }

func (a Bool) String() string { return strconv.FormatBool(bool(a)) }

func (a List) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range a {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.String())
	}
	b.WriteByte(']')
	return b.String()
}

// Attrs maps attribute names to values. They print sorted by key.
type Attrs map[string]Attr

// Keys returns the attribute names in sorted order.
func (a Attrs) Keys() []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// String formats the attributes as "{k=v, ...}", or "" if there are none.
func (a Attrs) String() string {
	if len(a) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range a.Keys() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(a[k].String())
	}
	b.WriteByte('}')
	return b.String()
}

// Clone returns a deep copy of a.
func (a Attrs) Clone() Attrs {
	if a == nil {
		return nil
	}
	c := make(Attrs, len(a))
	for k, v := range a {
		c[k] = cloneAttr(v)
	}
	return c
}

func cloneAttr(a Attr) Attr {
	if l, ok := a.(List); ok {
		c := make(List, len(l))
		for i, e := range l {
			c[i] = cloneAttr(e)
		}
		return c
	}
	return a
}

// Ints makes a list attribute of integers.
func Ints(xs ...int) List {
	l := make(List, len(xs))
	for i, x := range xs {
		l[i] = Int(x)
	}
	return l
}

// Floats makes a list attribute of floats.
func Floats(xs ...float64) List {
	l := make(List, len(xs))
	for i, x := range xs {
		l[i] = Float(x)
	}
	return l
}

// Int returns the integer attribute key, or def if it is absent.
// It reports an error if the attribute has another kind.
func (a Attrs) Int(key string, def int) (int, error) {
	v, ok := a[key]
	if !ok {
		return def, nil
	}
	return intOf(key, v)
}

// intOf converts an integer attribute to an int.
func intOf(key string, v Attr) (int, error) {
	switch v := v.(type) {
	case Int:
		if int64(v) < math.MinInt || int64(v) > math.MaxInt {
			break
		}
		return int(v), nil
	case Uint:
	default:
		return 0, fmt.Errorf("attribute %s=%s is not an integer", key, v)
	}
	return 0, fmt.Errorf("attribute %s=%s is out of range", key, v)
}

// Bool returns the boolean attribute key, or def if it is absent.
func (a Attrs) Bool(key string, def bool) (bool, error) {
	v, ok := a[key]
	if !ok {
		return def, nil
	}
	b, ok := v.(Bool)
	if !ok {
		return false, fmt.Errorf("attribute %s=%s is not a boolean", key, v)
	}
	return bool(b), nil
}

// Float returns the numeric attribute key as a float64 (an Int is
// converted), or def if it is absent.
func (a Attrs) Float(key string, def float64) (float64, error) {
	v, ok := a[key]
	if !ok {
		return def, nil
	}
	return AttrFloat(v)
}

// Str returns the string attribute key, or def if it is absent.
func (a Attrs) Str(key string, def string) (string, error) {
	v, ok := a[key]
	if !ok {
		return def, nil
	}
	s, ok := v.(String)
	if !ok {
		return "", fmt.Errorf("attribute %s=%s is not a string", key, v)
	}
	return string(s), nil
}

// IntList returns the list-of-integers attribute key, or nil, false if it is
// absent. A single integer is accepted as a list of one.
func (a Attrs) IntList(key string) ([]int, bool, error) {
	v, ok := a[key]
	if !ok {
		return nil, false, nil
	}
	switch v := v.(type) {
	case Int, Uint:
		n, err := intOf(key, v)
		if err != nil {
			return nil, true, err
		}
		return []int{n}, true, nil
	case List:
		out := make([]int, len(v))
		for i, e := range v {
			n, err := intOf(key, e)
			if err != nil {
				return nil, true, fmt.Errorf("attribute %s=%s: element %d: %w", key, a[key], i, err)
			}
			out[i] = n
		}
		return out, true, nil
	}
	return nil, true, fmt.Errorf("attribute %s=%s is not a list of integers", key, v)
}

// AttrFloat converts a numeric attribute (Int, Uint or Float) to float64,
// rounding integers beyond 2⁵³ to nearest.
func AttrFloat(v Attr) (float64, error) {
	switch v := v.(type) {
	case Float:
		return float64(v), nil
	case Int:
		return float64(v), nil
	case Uint:
		return float64(v), nil
	}
	return 0, fmt.Errorf("attribute %s is not a number", v)
}

// FlattenNumbers returns the numbers of a scalar or (nested) list attribute
// in row-major order, as float64 (see AttrFloat).
func FlattenNumbers(v Attr) ([]float64, error) {
	leaves, err := NumberLeaves(v)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(leaves))
	for i, a := range leaves {
		out[i], _ = AttrFloat(a)
	}
	return out, nil
}

// NumberLeaves returns the numbers (Int, Uint or Float) of a scalar or
// (nested) list attribute in row-major order, as they are written, so
// that integer dtypes can take them exactly.
func NumberLeaves(v Attr) ([]Attr, error) {
	var out []Attr
	var walk func(Attr) error
	walk = func(v Attr) error {
		switch v := v.(type) {
		case List:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
			return nil
		case Int, Uint, Float:
			out = append(out, v)
			return nil
		}
		return fmt.Errorf("attribute %s is not a number", v)
	}
	return out, walk(v)
}
