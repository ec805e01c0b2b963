package ir

import (
	"fmt"
	"slices"
)

// Reading attributes through the op table: an absent attribute takes its
// AttrSpec's Default, so that the type rules, the derivative rules and the
// runtime agree on it and state it once. The accessors of Attrs take the
// default as an argument instead; they are for attributes that are not an
// op's (regions, tests).

// Attr returns the attribute name of an instruction of the op: attrs[name],
// or the op table's default when it is absent (nil when there is none).
func (info *OpInfo) Attr(attrs Attrs, name string) Attr {
	if v, ok := attrs[name]; ok {
		return v
	}
	if spec := info.AttrSpec(name); spec != nil {
		return spec.Default
	}
	return nil
}

// lookup returns the attribute name with its default, or an error naming
// it when it is absent and has no default.
func (info *OpInfo) lookup(attrs Attrs, name string) (Attr, error) {
	v := info.Attr(attrs, name)
	if v == nil {
		return nil, fmt.Errorf("missing attribute %q", name)
	}
	return v, nil
}

// IntAttr returns the integer attribute name (see Attr).
func (info *OpInfo) IntAttr(attrs Attrs, name string) (int, error) {
	v, err := info.lookup(attrs, name)
	if err != nil {
		return 0, err
	}
	return intOf(name, v)
}

// BoolAttr returns the boolean attribute name (see Attr).
func (info *OpInfo) BoolAttr(attrs Attrs, name string) (bool, error) {
	v, err := info.lookup(attrs, name)
	if err != nil {
		return false, err
	}
	return Attrs{name: v}.Bool(name, false)
}

// FloatAttr returns the numeric attribute name as a float64 (see Attr and
// AttrFloat).
func (info *OpInfo) FloatAttr(attrs Attrs, name string) (float64, error) {
	v, err := info.lookup(attrs, name)
	if err != nil {
		return 0, err
	}
	return AttrFloat(v)
}

// StringAttr returns the string attribute name (see Attr).
func (info *OpInfo) StringAttr(attrs Attrs, name string) (string, error) {
	v, err := info.lookup(attrs, name)
	if err != nil {
		return "", err
	}
	return Attrs{name: v}.Str(name, "")
}

// AxisAttr returns the axis attribute (see Attr) for an operand of
// the given rank, mapped into [0, rank).
func (info *OpInfo) AxisAttr(attrs Attrs, rank int) (int, error) {
	axis, err := info.IntAttr(attrs, "axis")
	if err != nil {
		return 0, err
	}
	return NormAxis(axis, rank)
}

// IntAttr returns the integer attribute name of in, or its op's default.
func (in *Instr) IntAttr(name string) (int, error) { return in.Op.Info().IntAttr(in.Attrs, name) }

// BoolAttr returns the boolean attribute name of in, or its op's default.
func (in *Instr) BoolAttr(name string) (bool, error) { return in.Op.Info().BoolAttr(in.Attrs, name) }

// FloatAttr returns the numeric attribute name of in, or its op's default.
func (in *Instr) FloatAttr(name string) (float64, error) {
	return in.Op.Info().FloatAttr(in.Attrs, name)
}

// StringAttr returns the string attribute name of in, or its op's default.
func (in *Instr) StringAttr(name string) (string, error) {
	return in.Op.Info().StringAttr(in.Attrs, name)
}

// AxisAttr returns in's axis attribute (or its op's default) for an
// operand of the given rank, mapped into [0, rank).
func (in *Instr) AxisAttr(rank int) (int, error) { return in.Op.Info().AxisAttr(in.Attrs, rank) }

// NormAxis maps an axis in [-rank, rank) to [0, rank), counting negative
// axes from the end.
func NormAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// NormAxes maps the axes attribute of a reduction on a rank-r operand to
// sorted, distinct, non-negative axes; absent axes mean all axes.
func NormAxes(attrs Attrs, rank int) ([]int, error) {
	axes, ok, err := attrs.IntList("axes")
	if err != nil {
		return nil, err
	}
	if !ok {
		all := make([]int, rank)
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	out := make([]int, len(axes))
	for i, a := range axes {
		if out[i], err = NormAxis(a, rank); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			return nil, fmt.Errorf("axis %d repeated in axes", out[i])
		}
	}
	return out, nil
}
