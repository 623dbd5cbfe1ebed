package logging

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Buffered collects log lines in memory and writes them to the underlying
// writer in batches: when MaxBuffer bytes have accumulated, every interval,
// and on Flush or Close. One write(2) per batch instead of one per line is
// what makes logging every request at info nearly free. The price: lines
// still in the buffer when the process is killed (SIGKILL, a runtime crash)
// are lost, at most one interval's worth. Do not use it on Lambda, where the
// sandbox is frozen between invocations.
type Buffered struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	err  error
	once sync.Once
	stop chan struct{}
	done chan struct{}
}

// MaxBuffer is the size at which Buffered writes without waiting.
const MaxBuffer = 64 << 10

// NewBuffered returns a Buffered writing to w at least every interval.
// Close it to write the rest and stop its goroutine.
func NewBuffered(w io.Writer, interval time.Duration) (*Buffered, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("log flush interval %s must be positive", interval)
	}
	b := &Buffered{w: w, buf: make([]byte, 0, MaxBuffer), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop(interval)
	return b, nil
}

func (b *Buffered) loop(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush() // a failed write is kept and returned by the next Write
		case <-b.stop:
			return
		}
	}
}

// Write appends p, a whole line, to the buffer. It reports the error of an
// earlier failed batch write, once.
func (b *Buffered) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.err; err != nil {
		b.err = nil
		return 0, err
	}
	if len(b.buf)+len(p) > MaxBuffer && len(b.buf) > 0 {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) >= MaxBuffer {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes the buffered lines now.
func (b *Buffered) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *Buffered) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	if err != nil {
		err = fmt.Errorf("write buffered log lines: %w", err)
		b.err = err
	}
	return err
}

// Close stops the flushing goroutine and writes what is left. It is safe
// to call more than once.
func (b *Buffered) Close() error {
	b.once.Do(func() { close(b.stop) })
	<-b.done
	return b.Flush()
}
