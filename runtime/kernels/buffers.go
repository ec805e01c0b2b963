package kernels

import (
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"unsafe"
)

// Scratch slices (packed panels, transposed rows, dot products) are
// recycled by size class, a power of two, rather than kept with the call
// objects that use them. With per-object buffers, products of different
// sizes running side by side took whichever object was free and grew it,
// so a buffer could be reallocated whenever the scheduling handed a large
// product an object that had served only small ones, long after warm-up.
// By size class, a class allocates only when more of its buffers are in
// use at once than ever before, which the goroutines of a batch bound. It
// then makes up to a processor's worth of buffers at once (as freeList does
// objects), spareBytes at most beyond the one asked for, because the peak
// may first be reached long after warm-up: products of a batch run side by
// side only when a helper is free to take some.
type bufferPool[T float] struct {
	mu      sync.Mutex
	classes [bits.UintSize]bufferClass[T]
}

type bufferClass[T float] struct {
	free [][]T
	made int
}

const spareBytes = 2 << 20

var (
	buffersS bufferPool[float32]
	buffersD bufferPool[float64]
)

// sizeClass is the class of buffers with room for n > 0 elements.
func sizeClass(n int) int { return bits.Len(uint(n - 1)) }

// get returns a buffer of n elements, not zeroed.
func (p *bufferPool[T]) get(n int) []T {
	if n <= 0 {
		return nil
	}
	c := sizeClass(n)
	p.mu.Lock()
	defer p.mu.Unlock()
	class := &p.classes[c]
	if k := len(class.free); k > 0 {
		buf := class.free[k-1]
		class.free = class.free[:k-1]
		return buf[:n]
	}
	var zero T
	extra := min(runtime.GOMAXPROCS(0)-1, spareBytes/((1<<c)*int(unsafe.Sizeof(zero))))
	class.made += 1 + extra
	class.free = slices.Grow(class.free, class.made) // put never allocates
	for range extra {
		class.free = append(class.free, make([]T, 0, 1<<c))
	}
	return make([]T, n, 1<<c)
}

// put returns a buffer from get to the pool.
func (p *bufferPool[T]) put(buf []T) {
	if cap(buf) == 0 {
		return
	}
	class := &p.classes[sizeClass(cap(buf))]
	p.mu.Lock()
	class.free = append(class.free, buf[:0])
	p.mu.Unlock()
}

// buffers returns the pool of T's buffers (a pointer: converting a slice
// to an interface would allocate).
func buffers[T float]() *bufferPool[T] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(&buffersS).(*bufferPool[T])
	}
	return any(&buffersD).(*bufferPool[T])
}
