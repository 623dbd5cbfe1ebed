package logging

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sirupsen/logrus"
)

// TestConcurrentLinesToFile writes from many goroutines through a logger
// on an *os.File (lock-free mode) and checks every line arrives whole.
func TestConcurrentLinesToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(f, "info")
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, lines = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range lines {
				l.WithFields(logrus.Fields{"g": g, "i": i, "pad": string(make([]byte, 200))}).Info("line")
			}
		})
	}
	wg.Wait()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sc := bufio.NewScanner(r)
	seen := map[[2]int]bool{}
	for sc.Scan() {
		var m struct{ G, I int }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("torn line %q: %v", sc.Text(), err)
		}
		seen[[2]int{m.G, m.I}] = true
	}
	if len(seen) != goroutines*lines {
		t.Errorf("%d distinct lines, want %d", len(seen), goroutines*lines)
	}
}

func TestFromContext(t *testing.T) {
	l := logrus.New()
	e := l.WithField("correlation_id", "c")
	if got := FromContext(NewContext(t.Context(), e)); got != e {
		t.Errorf("FromContext returned %v, want the stored entry", got)
	}
	if got := FromContext(t.Context()); got == nil || got.Logger != logrus.StandardLogger() {
		t.Errorf("FromContext without an entry = %v, want the standard logger's", got)
	}
}
