package logging

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
)

// TimeFormat is the layout of the "time" key: RFC 3339 with milliseconds, UTC.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Formatter writes an entry as one JSON object per line, with the keys and
// values logrus.JSONFormatter would write (errors as their message, data
// keys that clash with level/msg/time prefixed with "fields."): "level",
// "msg" and "time" first, then the data fields sorted by key. It appends
// into the entry's pooled buffer instead of building a map and reflecting
// over it. Values of types it does not know are encoded with encoding/json,
// as logrus does. A data value that implements Inline is written as its own
// top-level keys instead of under its key, which lets a hot path log many
// fields through a one-entry map.
type Formatter struct{}

// Inline is a data value whose fields the Formatter writes as top-level
// keys of the line.
type Inline interface {
	// AppendJSONFields appends `"key":value` pairs, each preceded by a
	// comma, to b. Keys must not clash with level, msg or time.
	AppendJSONFields(b []byte) []byte
}

var _ logrus.Formatter = (*Formatter)(nil)

type kv struct {
	key string
	val any
}

// Format implements logrus.Formatter.
func (f *Formatter) Format(e *logrus.Entry) ([]byte, error) {
	var stack [24]kv
	fields := stack[:0]
	var inline []Inline
	for k, v := range e.Data {
		if in, ok := v.(Inline); ok {
			inline = append(inline, in)
			continue
		}
		switch k {
		case logrus.FieldKeyTime, logrus.FieldKeyMsg, logrus.FieldKeyLevel, logrus.FieldKeyLogrusError:
			k = "fields." + k
		}
		fields = append(fields, kv{k, v})
	}
	slices.SortFunc(fields, func(a, b kv) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	var b []byte
	if e.Buffer != nil {
		// Append into the pooled buffer's spare room and hand the bytes
		// back to it, so the pool keeps the grown capacity.
		b = e.Buffer.AvailableBuffer()
	}
	b = append(b, `{"level":`...)
	b = AppendString(b, e.Level.String())
	b = append(b, `,"msg":`...)
	b = AppendString(b, e.Message)
	b = append(b, `,"time":"`...)
	b = e.Time.UTC().AppendFormat(b, TimeFormat)
	b = append(b, '"')
	for _, f := range fields {
		b = append(b, ',')
		b = AppendString(b, f.key)
		b = append(b, ':')
		b = appendValue(b, f.val)
	}
	for _, in := range inline {
		b = in.AppendJSONFields(b)
	}
	b = append(b, '}', '\n')
	if e.Buffer != nil {
		e.Buffer.Write(b)
		return e.Buffer.Bytes(), nil
	}
	return b, nil
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendString(b, v)
	case error:
		return AppendString(b, v.Error())
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case int32:
		return strconv.AppendInt(b, int64(v), 10)
	case uint:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(b, v, 10)
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10)
	case float64:
		return appendFloat(b, v, 64)
	case float32:
		return appendFloat(b, float64(v), 32)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return AppendString(b, fmt.Sprintf("%+v", v))
	}
	return append(b, out...)
}

// appendFloat writes f as encoding/json does; NaN and infinities, which
// JSON cannot hold, become strings instead of failing the line.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return AppendString(b, strconv.FormatFloat(f, 'g', -1, bits))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, bits)
}

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string, escaping as encoding/json does
// (including <, >, & and U+2028/U+2029; invalid UTF-8 becomes U+FFFD).
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
