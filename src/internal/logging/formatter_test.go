package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
)

// TestFormatterMatchesLogrus checks that the hand-written formatter writes
// the same JSON objects as logrus.JSONFormatter.
func TestFormatterMatchesLogrus(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)
	tests := []struct {
		name  string
		level logrus.Level
		msg   string
		data  logrus.Fields
	}{
		{name: "no fields", level: logrus.InfoLevel, msg: "hello"},
		{name: "request line", level: logrus.InfoLevel, msg: "request", data: logrus.Fields{
			"method": "GET", "route": "/api/info", "status": 200, "duration_ms": 0.125, "bytes": int64(312),
			"target": "ec2", "version": "1.2.3", "correlation_id": "abc-123",
		}},
		{name: "escapes", level: logrus.WarnLevel, msg: "quote \" backslash \\ newline \n tab \t <html> & \u2028 \x01 \b \f é 😀", data: logrus.Fields{
			"weird key \"x\"": "bad\xffutf8",
		}},
		{name: "clashing keys", level: logrus.ErrorLevel, msg: "m", data: logrus.Fields{"level": "x", "msg": "y", "time": "z"}},
		{name: "types", level: logrus.DebugLevel, msg: "t", data: logrus.Fields{
			"err": errors.New("boom"), "nil": nil, "bool": true, "i32": int32(-5), "u": uint(7), "u64": uint64(1 << 63),
			"f32": float32(1.5), "tiny": 1e-9, "huge": 1e22, "zero": 0.0, "slice": []string{"a", "b"}, "map": map[string]int{"k": 1},
			"dur": 1500 * time.Millisecond,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger := logrus.New()
			e := &logrus.Entry{Logger: logger, Data: tt.data, Time: at, Level: tt.level, Message: tt.msg}
			if e.Data == nil {
				e.Data = logrus.Fields{}
			}
			ref, err := (&logrus.JSONFormatter{TimestampFormat: TimeFormat}).Format(e)
			if err != nil {
				t.Fatalf("logrus Format: %v", err)
			}
			e.Buffer = new(bytes.Buffer)
			got, err := (&Formatter{}).Format(e)
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			if !bytes.HasSuffix(got, []byte("}\n")) || bytes.Count(got, []byte("\n")) != 1 {
				t.Errorf("not one line: %q", got)
			}
			var want, have map[string]any
			if err := json.Unmarshal(ref, &want); err != nil {
				t.Fatalf("logrus output %q: %v", ref, err)
			}
			if err := json.Unmarshal(got, &have); err != nil {
				t.Fatalf("output %q is not JSON: %v", got, err)
			}
			if diff := cmp.Diff(want, have); diff != "" {
				t.Errorf("Format() differs from logrus.JSONFormatter (-logrus +ours):\n%s\nours: %s", diff, got)
			}
			if !strings.HasPrefix(string(got), `{"level":`) {
				t.Errorf("unexpected layout: %s", got)
			}
		})
	}
}

type pair struct {
	k string
	v int
}

func (p pair) AppendJSONFields(b []byte) []byte {
	b = append(b, ',')
	b = AppendString(b, p.k)
	b = append(b, ':')
	return append(b, byte('0'+p.v))
}

func TestInlineFields(t *testing.T) {
	e := &logrus.Entry{Logger: logrus.New(), Level: logrus.InfoLevel, Message: "m", Time: time.Unix(0, 0),
		Data: logrus.Fields{"line": pair{"status", 7}, "b": "x", "a": 1}}
	got, err := (&Formatter{}).Format(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"level":"info","msg":"m","time":"1970-01-01T00:00:00.000Z","a":1,"b":"x","status":7}` + "\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Format (-want +got):\n%s", diff)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "\x00\x1f\x7f", "<>&", "\u2028\u2029", "\xff\xfe", "日本", "a\"b\\c"} {
		t.Run(s, func(t *testing.T) { checkAppendString(t, s) })
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x00\x1f", "<>&", "\u2028", "\xff", "日本\n", "a\"b\\c"} {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}

func checkAppendString(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("json.Marshal(%q): %v", s, err)
	}
	if got := AppendString(nil, s); !bytes.Equal(got, want) {
		t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
	}
}

func TestNew(t *testing.T) {
	var out bytes.Buffer
	l, err := New(&out, "warn")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("dropped")
	l.WithField("k", "v").Warn("kept")
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	delete(line, "time")
	if diff := cmp.Diff(map[string]any{"level": "warning", "msg": "kept", "k": "v"}, line); diff != "" {
		t.Errorf("line (-want +got):\n%s", diff)
	}
	if _, err := New(&out, "loud"); err == nil || !strings.Contains(err.Error(), `"loud"`) {
		t.Errorf("New(loud) error = %v, want one naming the level", err)
	}
}

func BenchmarkFormatter(b *testing.B) {
	data := logrus.Fields{
		"method": "GET", "route": "/api/info", "status": 200, "duration_ms": 0.125, "bytes": int64(312),
		"target": "ec2", "version": "1.2.3", "correlation_id": "0b6f3c2e-8d7a-4f51-9a3e-2c1d5e6f7a8b",
	}
	for _, bc := range []struct {
		name string
		f    logrus.Formatter
	}{{"ours", &Formatter{}}, {"logrus", &logrus.JSONFormatter{TimestampFormat: TimeFormat}}} {
		b.Run(bc.name, func(b *testing.B) {
			e := &logrus.Entry{Logger: logrus.New(), Data: data, Time: time.Now(), Level: logrus.InfoLevel, Message: "request", Buffer: new(bytes.Buffer)}
			b.ReportAllocs()
			for b.Loop() {
				e.Buffer.Reset()
				if _, err := bc.f.Format(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
