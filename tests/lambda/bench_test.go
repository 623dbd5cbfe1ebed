package lambda

import (
	"context"
	"testing"
	"time"
)

// BenchmarkColdStart measures a Lambda cold start under the emulator: from
// the first invocation, which makes the emulator start the service process,
// to that invocation answered. The emulator itself is started and stopped
// outside the timer. Target: 30 ms.
func BenchmarkColdStart(b *testing.B) {
	payload := event(b, "api_info")
	ctx := context.Background()
	var total time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		e, err := launch()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		b.StartTimer()
		out, err := e.invoke(ctx, payload)
		b.StopTimer()
		total += time.Since(start)
		e.stop()
		if err != nil {
			b.Fatalf("%v\n%s", err, e.output.String())
		}
		r, err := decodeResponse(out)
		if err != nil || r.StatusCode != 200 {
			b.Fatalf("cold invocation: status %d, %v\n%s", r.StatusCode, err, e.output.String())
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/coldstart")
}

// BenchmarkWarmInvoke measures one GET /api/info invocation on a warm
// function process, through the emulator.
func BenchmarkWarmInvoke(b *testing.B) {
	payload := event(b, "api_info")
	ctx := context.Background()
	e := startEmulator(b)
	if _, err := e.invoke(ctx, payload); err != nil { // the cold start
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
