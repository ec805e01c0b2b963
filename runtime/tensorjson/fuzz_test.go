package tensorjson

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadInputs checks that ReadInputs never panics, that its errors are
// *Errors with a position, and that what it accepts writes back to a
// document that reads to the same tensors.
func FuzzReadInputs(f *testing.F) {
	for _, s := range []string{
		`{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[0.1,"NaN","+Inf",-3e-38]},{"name":"n","dtype":"i64","shape":[3],"data":[1,2,3]},{"name":"k","dtype":"u64","shape":[],"data":[1]},{"name":"y","dtype":"f64","shape":[],"data":["-Inf"]}]}`,
		`[1]`, `{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[6.5e40,1,2,3]}]}`, `{"inputs":[`, ``, `{"inputs":[]} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		fn := testFunc()
		ts, err := ReadInputs(bytes.NewReader(doc), fn)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("error %v (%T) without a position", err, err)
			}
			return
		}
		named := make([]Named, len(ts))
		for i, p := range fn.Params {
			named[i] = Named{p.Name, ts[i]}
		}
		var buf bytes.Buffer
		if err := WriteInputs(&buf, named); err != nil {
			t.Fatal(err)
		}
		again, err := ReadInputs(&buf, fn)
		if err != nil {
			t.Fatalf("written form does not read back: %v\n%s", err, buf.String())
		}
		for i := range ts {
			if !again[i].Equal(ts[i]) {
				t.Fatalf("input %d: %v became %v", i, ts[i], again[i])
			}
		}
	})
}
