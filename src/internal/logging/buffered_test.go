package logging

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// recordingWriter counts writes and can be made to fail.
type recordingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	fail   error
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	if w.fail != nil {
		return 0, w.fail
	}
	return w.buf.Write(p)
}

func (w *recordingWriter) snapshot() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String(), w.writes
}

func TestBufferedBatchesAndFlushes(t *testing.T) {
	w := &recordingWriter{}
	b, err := NewBuffered(w, time.Hour) // only size, Flush and Close write
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := b.Write([]byte("line\n")); err != nil {
			t.Fatal(err)
		}
	}
	if got, n := w.snapshot(); got != "" || n != 0 {
		t.Fatalf("written before a flush: %q (%d writes)", got, n)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, n := w.snapshot(); got != strings.Repeat("line\n", 10) || n != 1 {
		t.Errorf("after Flush: %q in %d writes, want 10 lines in 1", got, n)
	}
	// Filling the buffer writes without waiting.
	line := []byte(strings.Repeat("x", 1023) + "\n")
	for range MaxBuffer/len(line) + 1 {
		b.Write(line)
	}
	if _, n := w.snapshot(); n != 2 {
		t.Errorf("%d writes after overflowing the buffer, want 2", n)
	}
	b.Write([]byte("last\n"))
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got, _ := w.snapshot(); !strings.HasSuffix(got, "last\n") {
		t.Errorf("Close did not write the rest: ...%q", got[len(got)-20:])
	}
}

func TestBufferedFlushesOnInterval(t *testing.T) {
	w := &recordingWriter{}
	b, err := NewBuffered(w, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Write([]byte("tick\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got, _ := w.snapshot(); got == "tick\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("line not written within 5s of a 20ms interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBufferedReportsWriteErrors(t *testing.T) {
	w := &recordingWriter{fail: errors.New("disk full")}
	b, err := NewBuffered(w, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("a\n"))
	if err := b.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close() = %v, want the write error", err)
	}
	if _, err := NewBuffered(w, 0); err == nil {
		t.Error("NewBuffered(0) succeeded, want an error")
	}
}

// TestBufferedKeepsLinesWhole logs from many goroutines through a
// lock-free logger on a Buffered and checks every line arrives whole.
func TestBufferedKeepsLinesWhole(t *testing.T) {
	w := &recordingWriter{}
	b, err := NewBuffered(w, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(b, "info")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				l.WithFields(logrus.Fields{"g": g, "i": i}).Info("line")
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := w.snapshot()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 8*300 {
		t.Fatalf("%d lines, want %d", len(lines), 8*300)
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, `{"level":"info"`) || !strings.HasSuffix(line, "}") {
			t.Fatalf("torn line %q", line)
		}
	}
}
