package service

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deliverykit/podinfo/tests/internal/servicebuild"
)

// benchHTTP drives the running binary from parallel keep-alive clients and
// reports requests per second and the client-side p99 latency. Client and
// server share the machine, so the figure is a lower bound; see the README
// for wrk figures.
func benchHTTP(b *testing.B, level, method, path string, body []byte, want int) {
	p := startQuiet(b, nil, "--level="+level)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.SetParallelism(16) // 16 × GOMAXPROCS connections, close to wrk -c32 on 2 cores
	b.ReportAllocs()
	lat := make(chan []time.Duration, 256)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			req, _ := http.NewRequestWithContext(context.Background(), method, p.base+path, bytes.NewReader(body))
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				b.Errorf("status %d, want %d", resp.StatusCode, want)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		lat <- mine
	})
	b.StopTimer()
	close(lat)
	var all []time.Duration
	for l := range lat {
		all = append(all, l...)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if len(all) > 0 {
		b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
	}
}

func percentile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*q)]
}

// BenchmarkHTTPInfo measures GET /api/info over HTTP against the binary,
// with request logging at info (the default) and at warn.
func BenchmarkHTTPInfo(b *testing.B) {
	for _, level := range []string{"info", "warn"} {
		b.Run("log="+level, func(b *testing.B) { benchHTTP(b, level, "GET", "/api/info", nil, 200) })
	}
}

// BenchmarkHTTPEcho measures POST /echo with a 1 KiB body over HTTP.
func BenchmarkHTTPEcho(b *testing.B) {
	body := bytes.Repeat([]byte("e"), 1024)
	for _, level := range []string{"info", "warn"} {
		b.Run("log="+level, func(b *testing.B) { benchHTTP(b, level, "POST", "/echo", body, 202) })
	}
}

// BenchmarkBinarySize builds the stripped binary as the Makefile does and
// reports its size (target: at most 15 MB).
func BenchmarkBinarySize(b *testing.B) {
	out := filepath.Join(b.TempDir(), "podinfo")
	for b.Loop() {
		if err := servicebuild.Build(context.Background(), out, servicebuild.Main, "-s -w"); err != nil {
			b.Fatal(err)
		}
	}
	fi, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size()), "bytes")
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}

// BenchmarkIdleRSS starts the binary, lets it settle after one request and
// reports its resident set size from /proc (target: at most 20 MB).
func BenchmarkIdleRSS(b *testing.B) {
	var rss int64
	for b.Loop() {
		p := startQuiet(b, nil)
		p.request("GET", "/api/info", nil)
		time.Sleep(time.Second)
		rss = vmRSS(b, p.cmd.Process.Pid)
		p.stop()
	}
	b.ReportMetric(float64(rss), "rss-bytes")
	b.ReportMetric(float64(rss)/1e6, "rss-MB")
}

func vmRSS(b *testing.B, pid int) int64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatalf("read /proc status: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("parse %q: %v", line, err)
			}
			return kb * 1024
		}
	}
	b.Fatal("no VmRSS in /proc status")
	return 0
}
