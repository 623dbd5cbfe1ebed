package api

import (
	"html"
	"net/http"
	"strings"

	"github.com/deliverykit/podinfo/src/internal/version"
)

// index serves GET /. Browsers (a User-Agent starting with "Mozilla", the
// rule podinfo uses to pick its web UI) get a small HTML page; every other
// client gets the /api/info JSON.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.UserAgent(), "Mozilla") {
		s.infoHandler(w, r)
		return
	}
	c := s.opts.Config
	page := `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>podinfo</title></head>
<body style="font-family:sans-serif;text-align:center;background:` + html.EscapeString(c.UIColor) + `;color:#fff">
<img src="` + html.EscapeString(c.UILogo) + `" alt="" style="max-height:200px">
<h1>` + html.EscapeString(c.UIMessage) + `</h1>
<p>` + html.EscapeString(c.Hostname) + ` &middot; v` + html.EscapeString(version.Version) + `</p>
<p><a style="color:#fff" href="/api/info">/api/info</a></p>
</body></html>
`
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src *; style-src 'unsafe-inline'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(page))
}
