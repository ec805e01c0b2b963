package kernels

import (
	"runtime"
	"testing"
)

// Buffers come in power-of-two classes, are reused within their class, and
// once made, go back and forth without allocating.
func TestBufferPoolRecycles(t *testing.T) {
	var p bufferPool[float32]
	for _, tc := range []struct{ n, cap int }{{1, 1}, {2, 2}, {3, 4}, {1000, 1024}, {1024, 1024}, {1025, 2048}} {
		buf := p.get(tc.n)
		if len(buf) != tc.n || cap(buf) != tc.cap {
			t.Errorf("get(%d): len %d cap %d, want %d and %d", tc.n, len(buf), cap(buf), tc.n, tc.cap)
		}
		p.put(buf)
		again := p.get(tc.cap) // the same class
		if &again[0] != &buf[0] {
			t.Errorf("get(%d) after put: a new buffer, want the returned one", tc.cap)
		}
		p.put(again)
	}
	if p.get(0) != nil {
		t.Error("get(0) is not nil")
	}
	// Steady use, several buffers of a class in use at once.
	use := func() {
		a, b, c := p.get(3000), p.get(4000), p.get(100)
		p.put(b)
		p.put(a)
		p.put(c)
	}
	use()
	if n := testing.AllocsPerRun(100, use); n != 0 {
		t.Errorf("%v allocations per use after warm-up, want 0", n)
	}
}

// A small class makes a processor's worth of buffers at its first miss,
// so that as many goroutines can hold one at once without allocating.
func TestBufferPoolSparesSmallClasses(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	var p bufferPool[float64]
	first := p.get(100)
	held := make([][]float64, procs-1)
	allocs := testing.AllocsPerRun(1, func() {
		for i := range held {
			held[i] = p.get(128)
		}
		for _, buf := range held {
			p.put(buf)
		}
	})
	if allocs != 0 {
		t.Errorf("%d more buffers of a small class after the first: %v allocations, want 0", procs-1, allocs)
	}
	p.put(first)
	// A class larger than spareBytes makes only the buffer asked for.
	large := spareBytes / 8 * 2
	big := p.get(large)
	if c := &p.classes[sizeClass(large)]; c.made != 1 || len(c.free) != 0 {
		t.Errorf("large class: made %d, %d free, want 1 and 0", c.made, len(c.free))
	}
	p.put(big)
}

// A freeList makes a processor's worth of objects at its first miss, and
// put never allocates.
func TestFreeListSpares(t *testing.T) {
	var l freeList[[64]byte]
	x := l.get()
	if got, want := len(l.items), runtime.GOMAXPROCS(0)-1; got != want {
		t.Errorf("after the first get: %d spare objects, want %d", got, want)
	}
	if n := testing.AllocsPerRun(10, func() { l.put(l.get()) }); n != 0 {
		t.Errorf("get and put: %v allocations, want 0", n)
	}
	l.put(x)
}
