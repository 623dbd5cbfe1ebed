package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"

	"github.com/deliverykit/podinfo/src/internal/config"
	"github.com/deliverykit/podinfo/src/internal/version"
)

// RuntimeResponse is the body of GET /api/info (and of / for non-browser
// clients). Every field is a JSON string, as podinfo writes them.
type RuntimeResponse struct {
	Hostname     string `json:"hostname"`
	Version      string `json:"version"`
	Revision     string `json:"revision"`
	Color        string `json:"color"`
	Logo         string `json:"logo"`
	Message      string `json:"message"`
	GOOS         string `json:"goos"`
	GOARCH       string `json:"goarch"`
	Runtime      string `json:"runtime"`
	NumGoroutine string `json:"num_goroutine"`
	NumCPU       string `json:"num_cpu"`
}

// infoTemplate is the indented /api/info body split around its only
// changing value, num_goroutine, rendered once at start-up: the endpoint
// is what load balancers and benchmarks hit hardest.
type infoTemplate struct {
	head, tail []byte
}

func newInfoTemplate(c config.Config) infoTemplate {
	const mark = "\x00goroutines\x00"
	body, err := json.MarshalIndent(RuntimeResponse{
		Hostname:     c.Hostname,
		Version:      version.Version,
		Revision:     version.Revision,
		Color:        c.UIColor,
		Logo:         c.UILogo,
		Message:      c.UIMessage,
		GOOS:         runtime.GOOS,
		GOARCH:       runtime.GOARCH,
		Runtime:      runtime.Version(),
		NumGoroutine: mark,
		NumCPU:       strconv.Itoa(runtime.NumCPU()),
	}, "", "  ")
	if err != nil {
		panic("marshal RuntimeResponse: " + err.Error()) // strings only: cannot happen
	}
	encMark, _ := json.Marshal(mark)
	encMark = encMark[1 : len(encMark)-1] // without quotes
	head, tail, _ := bytes.Cut(body, encMark)
	return infoTemplate{head: head, tail: tail}
}

func (t infoTemplate) render(goroutines int) []byte {
	b := make([]byte, 0, len(t.head)+len(t.tail)+8)
	b = append(b, t.head...)
	b = strconv.AppendInt(b, int64(goroutines), 10)
	return append(b, t.tail...)
}

// infoHandler serves GET /api/info: the runtime information.
func (s *Server) infoHandler(w http.ResponseWriter, r *http.Request) {
	writeBody(w, http.StatusOK, s.info.render(runtime.NumGoroutine()))
}
