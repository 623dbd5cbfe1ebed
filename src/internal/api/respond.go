package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
)

const contentTypeJSON = "application/json; charset=utf-8"

// Header values shared by every response. Assigning these (read-only)
// slices under canonical keys saves the allocation Header.Set makes per
// call on the hot path.
var (
	headerJSON    = []string{contentTypeJSON}
	headerNoSniff = []string{"nosniff"}
)

// errorBody is podinfo's error shape. Unlike podinfo, which answers errors
// with HTTP 200, the status line carries the same code as the body.
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func jsonIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }

// muxVar returns the path variable name and whether the route has it.
func muxVar(r *http.Request, name string) (string, bool) {
	v, ok := mux.Vars(r)[name]
	return v, ok
}

// writeJSON writes v as indented JSON, as podinfo does, with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := jsonIndent(v)
	if err != nil {
		// Every value written here is a plain struct, map or slice of
		// strings and numbers; marshalling cannot fail. Answer 500 anyway.
		status = http.StatusInternalServerError
		body = []byte(`{"code":500,"message":"encoding the response failed"}`)
	}
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["X-Content-Type-Options"] = headerNoSniff
	w.WriteHeader(status)
	if bodyAllowed(status) {
		_, _ = w.Write(body) // a failed write means the client left; nothing to tell it
	}
}

// writeError writes podinfo's error body with the matching HTTP status.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorBody{Code: status, Message: message})
}

// bodyAllowed reports whether a response with status may carry a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

// readBody reads the whole request body. Over MaxBodyBytes it answers 413,
// on a read error 400, and returns ok false.
func readBody(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= MaxBodyBytes {
		buf.Grow(int(r.ContentLength))
	}
	_, err := io.Copy(&buf, r.Body)
	if err == nil {
		return buf.Bytes(), true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "request body larger than "+strconv.Itoa(MaxBodyBytes)+" bytes")
		return nil, false
	}
	writeError(w, http.StatusBadRequest, "reading the request body: "+err.Error())
	return nil, false
}

// limitBody refuses bodies over MaxBodyBytes: at once when Content-Length
// says so, and while reading otherwise (see readBody).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "request body larger than "+strconv.Itoa(MaxBodyBytes)+" bytes")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// notFound answers requests no route matches.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no route for "+r.URL.Path)
}

// probeMethods are the methods tried to fill the Allow header of a 405.
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// methodNotAllowed answers a known path asked with the wrong method,
// listing the methods it accepts in Allow (RFC 9110 requires it).
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		probe := r.Clone(r.Context())
		probe.Method = m
		var match mux.RouteMatch
		if s.router.Match(probe, &match) && match.MatchErr == nil {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
	}
	writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path)
}
