package passes

import "github.com/pushforward/pushforward/ir"

// TrafficBytes estimates the bytes a run of f moves to and from memory:
// for every instruction, the sizes of its operands (read once each) plus
// the sizes of its results (written once each). It is the measure fusion
// lowers: a chain of n elementwise ops reads and writes n tensors where
// the fused op reads its operands and writes its results once. The model
// leaves out what happens inside an instruction: a matmul's repeated
// reads of its operands' panels, a fused matmul's product, which its
// epilogue reads back from cache right after the GEMM wrote it, the
// repeated reads of a broadcast operand (counted at its own size), and
// the registers of a fused loop. It counts parameters where they are read
// and function results where they are written.
func TrafficBytes(f *ir.Func) int64 {
	var total int64
	for _, in := range f.Body {
		total += InstrTrafficBytes(in)
	}
	return total
}

// InstrTrafficBytes is one instruction's share of TrafficBytes: its
// operands' sizes plus its results' sizes.
func InstrTrafficBytes(in *ir.Instr) int64 {
	var n int64
	for _, a := range in.Args {
		n += a.Type.Bytes()
	}
	for _, r := range in.Results {
		n += r.Type.Bytes()
	}
	return n
}
