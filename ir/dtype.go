package ir

//go:generate go tool stringer -type=DType,Role,Class -linecomment -output=enum_string.go

// DType is the element type of a tensor.
type DType uint8

// The dtypes. Floating-point dtypes carry activations and gradients; i64
// carries labels and indices; u64 carries RNG keys and counters.
const (
	InvalidDType DType = iota // invalid
	F32                       // f32
	F64                       // f64
	I64                       // i64
	U64                       // u64
)

// dtypeByName maps the text form of each valid dtype to its value.
var dtypeByName = map[string]DType{"f32": F32, "f64": F64, "i64": I64, "u64": U64}

// ParseDType returns the dtype named s ("f32", "f64", "i64" or "u64").
func ParseDType(s string) (DType, bool) {
	d, ok := dtypeByName[s]
	return d, ok
}

// IsFloat reports whether d is a floating-point dtype.
func (d DType) IsFloat() bool { return d == F32 || d == F64 }

// IsInt reports whether d is an integer dtype.
func (d DType) IsInt() bool { return d == I64 || d == U64 }

// Valid reports whether d is one of the four dtypes.
func (d DType) Valid() bool { return d >= F32 && d <= U64 }

// Size is the number of bytes of one element.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}
