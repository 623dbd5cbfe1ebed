package api

import (
	"strings"
	"testing"
)

func TestIndexServesHTMLToBrowsers(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Config.UIMessage = "<script>alert(1)</script>" })
	w := ts.do("GET", "/", nil, "User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("message not HTML-escaped:\n%s", body)
	}
	if !strings.Contains(body, "test-host") {
		t.Errorf("hostname missing:\n%s", body)
	}
}
