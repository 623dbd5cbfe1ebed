// Package logging builds the service's logrus logger: JSON lines on one
// writer, with a hand-written formatter that produces what
// logrus.JSONFormatter produces (sorted keys, "level", "msg", "time") at a
// fraction of its cost, because the service writes one line per request.
package logging

import (
	"context"
	"fmt"
	"io"

	"github.com/sirupsen/logrus"
)

// New returns a logger writing JSON lines at level (debug, info, warn,
// error, fatal, panic) to out.
func New(out io.Writer, level string) (*logrus.Logger, error) {
	lvl, err := logrus.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn, error, fatal or panic: %w", level, err)
	}
	l := logrus.New()
	l.SetOutput(out)
	l.SetLevel(lvl)
	l.SetFormatter(&Formatter{})
	return l, nil
}

type entryKey struct{}

// NewContext returns ctx carrying e, the entry every log line written while
// serving one request goes through (it holds the correlation ID).
func NewContext(ctx context.Context, e *logrus.Entry) context.Context {
	return context.WithValue(ctx, entryKey{}, e)
}

// FromContext returns the entry ctx carries, or an entry of logrus's
// standard logger (stderr) when it carries none.
func FromContext(ctx context.Context) *logrus.Entry {
	if e, ok := ctx.Value(entryKey{}).(*logrus.Entry); ok {
		return e
	}
	return logrus.NewEntry(logrus.StandardLogger())
}
