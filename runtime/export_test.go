package runtime

// SameBits reports whether two tensors hold the same bits (bitsEqual), for
// the tests of package runtime_test.
var SameBits = bitsEqual
