package paymenttest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

// transport is the simulated network between the engine and the server: an
// http.RoundTripper that hands each request to the server in process (no
// socket, as with httptest.ResponseRecorder) and makes each attempt meet
// the next scripted fault of its operation. It records every attempt for
// Provider.Calls. What an attempt's fate means is left to the engine, which
// sees only what a real client would: an error, a status, headers and
// bytes.
type transport struct {
	srv   *server
	clock payment.Clock

	mu     sync.Mutex
	calls  map[string][]Call  // by op
	faults map[string][]Fault // by op, next first
}

func newTransport(srv *server, clk payment.Clock) *transport {
	return &transport{srv: srv, clock: clk, calls: make(map[string][]Call), faults: make(map[string][]Fault)}
}

// The errors of connections that fail. They are the *net.OpError values a
// real network gives (a failed dial proves nothing was sent), and their
// text is fixed, so it can never carry request data.
func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused (simulated)")}
}

func dropped() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection lost before an answer (simulated)")}
}

// RoundTrip sends one attempt.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	op := strings.TrimPrefix(req.URL.Path, "/")
	f := t.record(op, body)
	if f == nil {
		return t.serve(req, body, nil), nil
	}
	ctx := req.Context()
	switch f.Kind {
	case FaultRefuse:
		return nil, refused()
	case FaultDropBefore:
		return nil, dropped()
	case FaultHTTPStatus:
		return response(req, f.httpStatus(), http.Header{}, nil), nil
	case FaultHang:
		<-ctx.Done()
		return nil, ctx.Err()
	case FaultDelay:
		select {
		case <-ctx.Done():
			// The provider has the request and acts on it, though nobody
			// waits for the answer any more.
			t.serve(req, body, nil)
			return nil, ctx.Err()
		case <-t.clock.After(f.Delay):
		}
		return t.serve(req, body, nil), nil
	case FaultDropAfter:
		t.serve(req, body, nil)
		return nil, dropped()
	case FaultTamperBody:
		resp := t.serve(req, body, nil)
		b, _ := io.ReadAll(resp.Body) // a bytes.Reader: cannot fail
		resp.Body = io.NopCloser(bytes.NewReader(simulator.Tamper(b)))
		return resp, nil
	}
	// FaultResult, FaultNoSignature, FaultBadSignature, FaultChangeAmount:
	// the provider's own doing (Script admits no other kinds).
	return t.serve(req, body, f), nil
}

// record notes one attempt of op and takes the fault it meets, if any.
func (t *transport) record(op string, body []byte) *Fault {
	c := Call{RequestID: requestIDOf(op, body), Payload: body}
	t.mu.Lock()
	defer t.mu.Unlock()
	var f *Fault
	if q := t.faults[op]; len(q) > 0 {
		first := q[0]
		t.faults[op] = q[1:]
		f = &first
		recorded := first
		c.Fault = &recorded
	}
	t.calls[op] = append(t.calls[op], c)
	return f
}

// serve hands the request to the server and returns its answer. The
// server's work does not belong to the caller's context: a provider
// finishes what it started when a client hangs up.
func (t *transport) serve(req *http.Request, body []byte, f *Fault) *http.Response {
	in := req.Clone(context.Background())
	in.Body = io.NopCloser(bytes.NewReader(body))
	in.RequestURI = req.URL.RequestURI()
	rec := &recorder{header: http.Header{}}
	t.srv.serve(rec, in, f)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return response(req, rec.code, rec.header, rec.body.Bytes())
}

func response(req *http.Request, code int, h http.Header, body []byte) *http.Response {
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// recorder is the http.ResponseWriter the server writes to.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (t *transport) script(op string, faults []Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults[op] = append(t.faults[op], faults...)
}

func (t *transport) callsOf(op string) []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Call, len(t.calls[op]))
	for i, c := range t.calls[op] {
		out[i] = cloneCall(c)
	}
	return out
}
