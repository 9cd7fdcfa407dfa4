package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Request is one request the server received on an API endpoint.
type Request struct {
	// Time is the server clock's time on arrival.
	Time time.Time
	// Path is the endpoint path.
	Path string
	// RequestID is the request ID the body names (a payment's or a
	// refund's), "" if none.
	RequestID string
	// RequestTime and Nonce are the request's Request-Time and nonce
	// headers, for protocols that have them.
	RequestTime, Nonce string
	// Header is a copy of the request's headers.
	Header http.Header
	// Body is the request body as received (at most MaxBody bytes), with
	// card data redacted.
	Body []byte
	// Result is the result the server answered with; it is zero if the
	// answer was a scripted HTTP fault, hang or dropped connection, or if
	// the client went away first.
	Result payment.Result
}

// newRequest is the log entry of a request, before it is answered.
func (s *Server) newRequest(path string, r *http.Request, body []byte) Request {
	rec := Request{
		Time:   s.clock.Now(),
		Path:   path,
		Header: r.Header.Clone(),
	}
	if body != nil {
		rec.RequestID = s.proto.RequestID(path, body)
		rec.Body = s.proto.Redact(path, bytes.Clone(body))
	}
	if s.cfg.RequestTimeHeader != "" {
		rec.RequestTime = r.Header.Get(s.cfg.RequestTimeHeader)
	}
	if s.cfg.NonceHeader != "" {
		rec.Nonce = r.Header.Get(s.cfg.NonceHeader)
	}
	return rec
}

// record appends the request to the log and takes the fault it meets.
func (s *Server) record(path string, r *http.Request, body []byte) (int, Fault) {
	if s.cfg.OnRecorded != nil {
		defer s.cfg.OnRecorded(path)
	}
	rec := s.newRequest(path, r, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestCount++
	s.requests[path] = append(s.requests[path], rec)
	f, i := s.faultLocked(path, &rec)
	s.takeLocked(path, i)
	return len(s.requests[path]) - 1, f
}

// finish records the result a request was answered with.
func (s *Server) finish(path string, idx int, res payment.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reqs := s.requests[path]; idx < len(reqs) {
		reqs[idx].Result = res
	}
}

// Requests returns every request received on an endpoint path, in arrival
// order, including rejected ones.
func (s *Server) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests[path]))
	for i, r := range s.requests[path] {
		r.Body = bytes.Clone(r.Body)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// RequestCount returns how many requests the API endpoints received.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requestCount
}

// Redacted is what RedactJSON puts in place of a secret value.
const Redacted = `"[redacted]"`

// RedactJSON returns body with the values of the fields at the given
// dotted paths ("card.info.number") replaced by the string "[redacted]",
// everything else byte for byte. Field names match in any case, as
// encoding/json matches them. A body that is not JSON but names the last
// element of a path is replaced by "[redacted]" as a whole.
func RedactJSON(body []byte, paths ...string) []byte {
	out, ok := redactJSON(body, paths)
	if ok {
		return out
	}
	lower := strings.ToLower(string(body))
	for _, p := range paths {
		if strings.Contains(lower, `"`+strings.ToLower(p[strings.LastIndexByte(p, '.')+1:])+`"`) {
			return []byte(Redacted)
		}
	}
	return body
}

// redactJSON walks body's tokens, keeping the path of the current value,
// and cuts out every value at one of paths.
func redactJSON(body []byte, paths []string) ([]byte, bool) {
	type frame struct {
		obj  bool
		key  string // the key of the value being read, in an object
		want bool   // the next token is a key
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []frame
	var out []byte
	last := 0      // body[:last] is written to out (or is to be kept)
	cutFrom := -1  // the start of the value being redacted
	cutDepth := -1 // the stack depth at which the redacted value ends
	pathOf := func() string {
		var b strings.Builder
		for i, f := range stack {
			if f.obj {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(strings.ToLower(f.key))
			}
		}
		return b.String()
	}
	redacted := func() bool {
		p := pathOf()
		return slices.ContainsFunc(paths, func(q string) bool { return strings.ToLower(q) == p })
	}
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false
		}
		end := int(dec.InputOffset())
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:top]
			if cutFrom >= 0 && len(stack) == cutDepth {
				out = append(append(out, body[last:cutFrom]...), Redacted...)
				last, cutFrom = end, -1
			}
			if n := len(stack) - 1; n >= 0 && stack[n].obj {
				stack[n].want = true
			}
			continue
		}
		if top >= 0 && stack[top].obj && stack[top].want {
			stack[top].key, _ = tok.(string)
			stack[top].want = false
			continue
		}
		// tok starts a value.
		if cutFrom < 0 && top >= 0 && stack[top].obj && redacted() {
			// The value starts after the colon and any space.
			start := before + bytes.IndexAny(body[before:end], `"{[-0123456789tfn`)
			if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
				cutFrom, cutDepth = start, len(stack)
			} else {
				out = append(append(out, body[last:start]...), Redacted...)
				last = end
			}
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{obj: d == '{', want: d == '{'})
			continue
		}
		if top >= 0 && stack[top].obj {
			stack[top].want = true
		}
	}
	if cutFrom >= 0 || len(stack) != 0 {
		return nil, false
	}
	return append(out, body[last:]...), true
}
