package ir

import (
	"strings"
	"testing"
)

// Integer attributes are exact over the whole range of i64 and u64: the
// checks do not go through float64, and u64 values of 2⁶³ and more are
// written as plain decimals.
func TestIntegerValuesAreExact(t *testing.T) {
	for _, tc := range []struct {
		name, stmt string
		bad        string // substring of the error, "" for none
	}{
		{"largest i64", "full {value=9223372036854775807} : i64[]", ""},
		{"smallest i64", "full {value=-9223372036854775808} : i64[]", ""},
		{"i64 constant list", "constant {value=[9223372036854775807, -9223372036854775808]} : i64[2]", ""},
		{"largest u64", "full {value=18446744073709551615} : u64[]", ""},
		{"2^63 as u64", "full {value=9223372036854775808} : u64[]", ""},
		{"u64 constant list", "constant {value=[18446744073709551615, 0, 9223372036854775807]} : u64[3]", ""},
		{"u64 in a float", "full {value=18446744073709551615} : f64[]", ""},
		{"2^63 is not an i64", "full {value=9223372036854775808} : i64[]", "not representable in i64"},
		{"negative u64", "full {value=-1} : u64[]", "not representable in u64"},
		{"2^64 is out of range", "full {value=18446744073709551616} : u64[]", "out of range"},
		{"float 2^63 is not an i64", "full {value=9.223372036854775807e18} : i64[]", "not representable in i64"},
		{"float 2^64 is not a u64", "full {value=1.8446744073709551615e19} : u64[]", "not representable in u64"},
		{"fractional", "full {value=1.5} : i64[]", "not representable in i64"},
		{"whole float", "full {value=4096.0} : u64[]", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			result := tc.stmt[strings.LastIndex(tc.stmt, ": ")+2:]
			src := "func @f() -> (" + result + ") {\n  %c = " + tc.stmt + "\n  return %c\n}\n"
			m, err := Parse("t.pf", []byte(src))
			if err == nil {
				err = VerifyModule(m)
			}
			if tc.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tc.bad) {
					t.Fatalf("error %v, want one containing %q", err, tc.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.String(); got != src {
				t.Errorf("printed\n%s\nwant\n%s", got, src)
			}
		})
	}
}
