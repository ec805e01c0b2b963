package kernels

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A Task is work cut into parts that may run in any order and at the same
// time: RunPart(i) does part i. Parallel calls it once for each part.
type Task interface {
	RunPart(i int)
}

// Parallel runs t.RunPart(i) for every i in [0, parts) on the calling
// goroutine and on up to GOMAXPROCS-1 idle helper goroutines, and returns
// when all parts are done. See ParallelN.
func Parallel(parts int, t Task) { ParallelN(parts, 0, t) }

// ParallelN is Parallel with at most workers goroutines (the caller
// included); workers ≤ 0 means GOMAXPROCS.
//
// Parts are claimed from a shared counter, so which goroutine runs which
// part varies from call to call; callers that want reproducible results
// make each part's output independent of that (every kernel here writes
// disjoint outputs per part).
//
// The helpers are long-lived goroutines. One that has just finished work
// spins for a while (spinTime) watching its mailbox before it parks, so
// that the next call of a training step, usually microseconds away, finds
// it awake: waking a parked thread takes tens of microseconds, as long as
// a small product. Only idle helpers are used: a call never waits for a
// busy one, so nested and concurrent calls cannot deadlock, they just run
// more of their parts themselves. Passing a pointer as t, ParallelN does
// not allocate.
func ParallelN(parts, workers int, t Task) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, parts)
	if workers <= 1 {
		for i := range parts {
			t.RunPart(i)
		}
		return
	}
	b := batches.get()
	b.task, b.parts = t, int64(parts)
	b.next.Store(0)
	b.done.Store(0)
	b.refs.Store(1)
	ensureHelpers(workers - 1)
	hired := 0
	// Spinning helpers first, then parked ones.
	for _, want := range [...]int32{helperSpinning, helperParked} {
		for _, h := range helpers() {
			if hired == workers-1 {
				break
			}
			if h.state.Load() == want && h.state.CompareAndSwap(want, helperBusy) {
				b.refs.Add(1)
				h.mail.Store(b)
				if want == helperParked {
					h.wake <- struct{}{}
				}
				hired++
			}
		}
	}
	b.work()
	b.wait()
	b.release()
}

// wait returns when every part is done. The wait is usually a few
// microseconds at the tail of the work, so it spins (yielding to other
// goroutines now and then); a helper that wakes too late to take a part is
// not waited for. If it lasts longer than spinTime, a helper's thread has
// probably lost its core to another process, and spinning would only take
// time from it: wait then polls with short sleeps.
func (b *batch) wait() {
	var start time.Time
	for i := 0; b.done.Load() < b.parts; i++ {
		switch {
		case i%64 != 63:
		case i == 63:
			start = time.Now()
			runtime.Gosched()
		case time.Since(start) < spinTime:
			runtime.Gosched()
		default:
			time.Sleep(20 * time.Microsecond)
		}
	}
}

// A batch is one ParallelN call as seen by the helpers. It is recycled
// when the caller and every helper hired for it are done with it.
type batch struct {
	task  Task
	parts int64
	next  atomic.Int64 // parts claimed
	done  atomic.Int64 // parts finished
	refs  atomic.Int32 // the caller and the helpers hired
}

// work runs parts until none are left.
func (b *batch) work() {
	for {
		i := b.next.Add(1) - 1
		if i >= b.parts {
			return
		}
		b.task.RunPart(int(i))
		b.done.Add(1)
	}
}

func (b *batch) release() {
	if b.refs.Add(-1) == 0 {
		b.task = nil
		batches.put(b)
	}
}

// The states of a helper. A caller hires a spinning or parked helper by
// moving it to busy, then posts the batch to its mailbox (and wakes it if
// it was parked); the helper moves itself back to spinning when done, and
// to parked when it has spun for spinTime without work.
const (
	helperBusy int32 = iota
	helperSpinning
	helperParked
)

// spinTime is how long an idle helper watches its mailbox before parking.
// It spans the serial stretches of a training step (elementwise ops,
// small solves) between its parallel products: a helper that parked there
// takes tens of microseconds to wake, often longer than the part it was
// hired for, and is unavailable to the next call while it wakes. With
// 100 µs, the W̃ᵀ step of the MLP benchmark took 1.9 times backprop; with
// 2 ms, 1.5 times.
const spinTime = 2 * time.Millisecond

type helper struct {
	state atomic.Int32
	mail  atomic.Pointer[batch]
	wake  chan struct{} // a token when hired while parked
}

func (h *helper) loop() {
	for {
		b := h.await()
		b.work()
		// Release before becoming available, so that a helper holds
		// at most one batch (the one in its mailbox or at work): batches
		// in use are then at most the callers plus the helpers, which a
		// freeList's first spares cover, however long the helper's
		// thread loses its core here.
		b.release()
		h.state.Store(helperSpinning)
	}
}

// await returns the next batch the helper is hired for, spinning for
// spinTime after its last one, then parking.
func (h *helper) await() *batch {
	start := time.Now()
	for i := 0; ; i++ {
		if b := h.mail.Swap(nil); b != nil {
			return b
		}
		if i%64 != 63 {
			continue
		}
		if h.state.Load() == helperSpinning && time.Since(start) > spinTime {
			if h.state.CompareAndSwap(helperSpinning, helperParked) {
				<-h.wake
				// Hired while parked: the mail is posted before the token.
			}
		}
		runtime.Gosched() // share the processor if callers outnumber it
	}
}

var (
	helpersMu  sync.Mutex
	helperList atomic.Pointer[[]*helper]
)

// helpers returns the helpers started so far.
func helpers() []*helper {
	if l := helperList.Load(); l != nil {
		return *l
	}
	return nil
}

// ensureHelpers starts helper goroutines until there are at least n. They
// live for the rest of the process, parked when idle.
func ensureHelpers(n int) {
	if len(helpers()) >= n {
		return
	}
	helpersMu.Lock()
	defer helpersMu.Unlock()
	list := helpers()
	if len(list) >= n {
		return
	}
	list = append([]*helper(nil), list...)
	for len(list) < n {
		h := &helper{wake: make(chan struct{}, 1)}
		h.state.Store(helperSpinning)
		list = append(list, h)
		go h.loop()
	}
	helperList.Store(&list)
}

// A freeList recycles objects without letting the garbage collector drop
// them (as sync.Pool may at any GC), so that steady-state use allocates
// nothing. When it runs out it makes a processor's worth of objects at
// once: how many are in use at once depends on the scheduling (a helper
// that lost its core still holds its batch), so a peak first reached long
// after warm-up then finds them ready. Its list has room for every object
// it made, so put never allocates.
type freeList[T any] struct {
	mu    sync.Mutex
	items []*T
	made  int
}

func (l *freeList[T]) get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.items); n > 0 {
		x := l.items[n-1]
		l.items = l.items[:n-1]
		return x
	}
	extra := runtime.GOMAXPROCS(0) - 1
	l.made += 1 + extra
	l.items = slices.Grow(l.items, l.made)
	for range extra {
		l.items = append(l.items, new(T))
	}
	return new(T)
}

func (l *freeList[T]) put(x *T) {
	l.mu.Lock()
	l.items = append(l.items, x)
	l.mu.Unlock()
}

var batches freeList[batch]
