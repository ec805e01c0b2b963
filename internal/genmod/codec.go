package genmod

// This file is compiled into the package and, embedded, into every driver
// program (with its package clause rewritten), so that both ends of the
// pipe speak one format. It imports only what a driver has.

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// The pipe carries requests and responses in little-endian binary:
//
//	request:  func index u32, mode u8, count u32, tensors
//	response: status u8, then count u32 and tensors (status 0) or a
//	          message u32 length and bytes (status 1)
//	tensor:   dtype u8, rank u32, dims i64..., elements as raw bits
//
// Elements travel as their bits, so that NaNs and signed zeros arrive as
// they left.

// Modes of a request.
const (
	modeGenerated   = 0
	modeInterpreter = 1
	// modeAllocs runs the generated code under testing.AllocsPerRun and
	// returns the count as an f64 scalar.
	modeAllocs = 2
	// modeTimeGenerated and modeTimeInterpreted run the function again
	// and again on the inputs of its last run in the same way, the
	// interpreter with a Runner, for at least the seconds of their one
	// input (an f64 scalar), and return the mean time of a run in
	// nanoseconds.
	modeTimeGenerated   = 3
	modeTimeInterpreted = 4
)

var le = binary.LittleEndian

func writeTensor(w io.Writer, t *runtime.Tensor) error {
	if err := binary.Write(w, le, uint8(t.Type.DType)); err != nil {
		return err
	}
	if err := binary.Write(w, le, uint32(t.Type.Rank())); err != nil {
		return err
	}
	for _, d := range t.Type.Shape {
		if err := binary.Write(w, le, int64(d)); err != nil {
			return err
		}
	}
	switch t.Type.DType {
	case ir.F32:
		return binary.Write(w, le, t.F32)
	case ir.F64:
		return binary.Write(w, le, t.F64)
	case ir.I64:
		return binary.Write(w, le, t.I64)
	case ir.U64:
		return binary.Write(w, le, t.U64)
	}
	return fmt.Errorf("invalid dtype %s", t.Type.DType)
}

func readTensor(r io.Reader) (*runtime.Tensor, error) {
	var d uint8
	var rank uint32
	if err := binary.Read(r, le, &d); err != nil {
		return nil, err
	}
	if err := binary.Read(r, le, &rank); err != nil {
		return nil, err
	}
	if rank > 64 || !ir.DType(d).Valid() {
		return nil, fmt.Errorf("bad tensor header: dtype %d, rank %d", d, rank)
	}
	dims := make([]int64, rank)
	if err := binary.Read(r, le, dims); err != nil {
		return nil, err
	}
	shape := make([]int, rank)
	for i, x := range dims {
		shape[i] = int(x)
	}
	t := runtime.Zeros(ir.TensorOf(ir.DType(d), shape...))
	switch t.Type.DType {
	case ir.F32:
		return t, binary.Read(r, le, t.F32)
	case ir.F64:
		return t, binary.Read(r, le, t.F64)
	case ir.I64:
		return t, binary.Read(r, le, t.I64)
	}
	return t, binary.Read(r, le, t.U64)
}

func writeTensors(w io.Writer, ts []*runtime.Tensor) error {
	if err := binary.Write(w, le, uint32(len(ts))); err != nil {
		return err
	}
	for _, t := range ts {
		if err := writeTensor(w, t); err != nil {
			return err
		}
	}
	return nil
}

func readTensors(r io.Reader) ([]*runtime.Tensor, error) {
	var n uint32
	if err := binary.Read(r, le, &n); err != nil {
		return nil, err
	}
	ts := make([]*runtime.Tensor, n)
	for i := range ts {
		t, err := readTensor(r)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	return ts, nil
}

func writeRequest(w io.Writer, fn uint32, mode uint8, inputs []*runtime.Tensor) error {
	if err := binary.Write(w, le, fn); err != nil {
		return err
	}
	if err := binary.Write(w, le, mode); err != nil {
		return err
	}
	return writeTensors(w, inputs)
}

func readRequest(r io.Reader) (fn uint32, mode uint8, inputs []*runtime.Tensor, err error) {
	if err = binary.Read(r, le, &fn); err != nil {
		return
	}
	if err = binary.Read(r, le, &mode); err != nil {
		return
	}
	inputs, err = readTensors(r)
	return
}

func writeResponse(w io.Writer, results []*runtime.Tensor, runErr error) error {
	if runErr != nil {
		msg := runErr.Error()
		if err := binary.Write(w, le, uint8(1)); err != nil {
			return err
		}
		if err := binary.Write(w, le, uint32(len(msg))); err != nil {
			return err
		}
		_, err := io.WriteString(w, msg)
		return err
	}
	if err := binary.Write(w, le, uint8(0)); err != nil {
		return err
	}
	return writeTensors(w, results)
}

// readResponse returns the results, or the error message of a failed run
// (as failed, with err nil).
func readResponse(r io.Reader) (results []*runtime.Tensor, failed string, err error) {
	var status uint8
	if err = binary.Read(r, le, &status); err != nil {
		return
	}
	if status == 0 {
		results, err = readTensors(r)
		return
	}
	var n uint32
	if err = binary.Read(r, le, &n); err != nil {
		return
	}
	msg := make([]byte, n)
	_, err = io.ReadFull(r, msg)
	return nil, string(msg), err
}
