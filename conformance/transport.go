package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/paybridge/paybridge/simulator"
)

// FaultTransport is an http.RoundTripper that injects transport faults and
// records every request, so that an adapter's harness needs little code: put
// it in the adapter's HTTP client, tell it which URL path each op posts to,
// and give it a function that scripts the simulator for the faults that need
// provider knowledge.
//
// Faults are kept in one queue per op and applied one per request, in order;
// provider faults are handed to the delegate just before the request they
// apply to is forwarded, so a mix of both kinds keeps its order.
type FaultTransport struct {
	base     http.RoundTripper
	paths    map[string]string // op -> URL path suffix
	delegate func(op string, f Fault) error

	mu          sync.Mutex
	queues      map[string][]Fault
	requests    map[string][]Request
	unsupported map[string]map[FaultKind]bool // op -> kinds Script refuses
}

// NewFaultTransport wraps base (nil: http.DefaultTransport). paths maps each
// op to the path its requests are posted to (matched as a suffix of the URL
// path). delegate scripts the simulator to apply one provider fault to the
// next request of op; it returns ErrFaultUnsupported for kinds it cannot do.
func NewFaultTransport(base http.RoundTripper, paths map[string]string, delegate func(op string, f Fault) error) *FaultTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &FaultTransport{base: base, paths: paths, delegate: delegate,
		queues: map[string][]Fault{}, requests: map[string][]Request{}}
}

// Script queues faults for the next requests of op. A provider fault
// without a delegate, or a kind declared Unsupported for op, is reported at
// once as ErrFaultUnsupported, and nothing is queued.
func (ft *FaultTransport) Script(op string, faults ...Fault) error {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	for _, f := range faults {
		if (!f.Kind.Transport() && ft.delegate == nil) || ft.unsupported[op][f.Kind] {
			return fmt.Errorf("%w: %v on %s", ErrFaultUnsupported, f.Kind, op)
		}
	}
	ft.queues[op] = append(ft.queues[op], faults...)
	return nil
}

// Unsupported declares kinds the harness cannot produce on op's requests,
// so that Script refuses them up front (the suite then skips what needs
// them) instead of the delegate failing the request later. For example, a
// provider whose refund answer names no amount cannot meet
// FaultChangeAmount on refunds.
func (ft *FaultTransport) Unsupported(op string, kinds ...FaultKind) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if ft.unsupported == nil {
		ft.unsupported = map[string]map[FaultKind]bool{}
	}
	if ft.unsupported[op] == nil {
		ft.unsupported[op] = map[FaultKind]bool{}
	}
	for _, k := range kinds {
		ft.unsupported[op][k] = true
	}
}

// Requests returns the requests of op sent so far (faulted ones included,
// except refused connections, which never reached anything).
func (ft *FaultTransport) Requests(op string) []Request {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return append([]Request(nil), ft.requests[op]...)
}

func (ft *FaultTransport) opOf(path string) string {
	for op, p := range ft.paths {
		if strings.HasSuffix(path, p) {
			return op
		}
	}
	return ""
}

// errDropped is what a lost connection looks like to the client.
var errDropped = errors.New("conformance: connection lost")

// RoundTrip applies the next fault of the request's op, if any.
func (ft *FaultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	op := ft.opOf(req.URL.Path)
	ft.mu.Lock()
	var f *Fault
	if q := ft.queues[op]; len(q) > 0 {
		f = &q[0]
		ft.queues[op] = q[1:]
	}
	if f == nil || f.Kind != FaultRefuse {
		ft.requests[op] = append(ft.requests[op], Request{Header: req.Header.Clone(), Body: body})
	}
	ft.mu.Unlock()

	if f == nil {
		return ft.base.RoundTrip(req)
	}
	switch f.Kind {
	case FaultRefuse:
		return nil, simulator.RefusedError()
	case FaultDropBefore:
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	case FaultHTTPStatus:
		h := http.Header{}
		if f.RetryAfter != "" {
			h.Set("Retry-After", f.RetryAfter)
		}
		return &http.Response{StatusCode: f.HTTPStatus, Status: strconv.Itoa(f.HTTPStatus) + " " + http.StatusText(f.HTTPStatus),
			Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req, ProtoMajor: 1, ProtoMinor: 1}, nil
	case FaultHang:
		<-req.Context().Done()
		return nil, req.Context().Err()
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-t.C:
		}
		return ft.base.RoundTrip(req)
	case FaultDropAfter:
		resp, err := ft.base.RoundTrip(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil, errDropped
	case FaultTamperBody:
		resp, err := ft.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(simulator.Tamper(b)))
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
		return resp, nil
	default:
		if err := ft.delegate(op, *f); err != nil {
			return nil, err
		}
		return ft.base.RoundTrip(req)
	}
}
