package lambda

import (
	"context"
	"testing"
	"time"
)

// BenchmarkColdStart measures a Lambda cold start under the emulator: from
// the first invocation, which makes the emulator start the function process,
// to that invocation answered. The emulator itself is started and stopped
// outside the timer. "podinfo" is the service (target: 30 ms); "floor" is the
// smallest function served through the same adapter, so the difference is
// the service's own start-up. Besides the mean it reports the fastest cold
// start, the figure least disturbed by other load on the machine.
func BenchmarkColdStart(b *testing.B) {
	payload := event(b, "api_info")
	for _, fn := range []struct{ name, path string }{
		{"podinfo", built.podinfo},
		{"floor", built.coldfloor},
	} {
		b.Run(fn.name, func(b *testing.B) {
			ctx := context.Background()
			var total, fastest time.Duration
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				e, err := launch(fn.path)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				b.StartTimer()
				out, err := e.invoke(ctx, payload)
				b.StopTimer()
				took := time.Since(start)
				e.stop()
				if err != nil {
					b.Fatalf("%v\n%s", err, e.output.String())
				}
				r, err := decodeResponse(out)
				if err != nil || r.StatusCode != 200 {
					b.Fatalf("cold invocation: status %d, %v\n%s", r.StatusCode, err, e.output.String())
				}
				total += took
				if fastest == 0 || took < fastest {
					fastest = took
				}
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/coldstart")
			b.ReportMetric(float64(fastest.Microseconds())/1000, "ms/fastest")
		})
	}
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
