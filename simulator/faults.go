package simulator

import (
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Fault is a scripted misbehaviour for one request of an endpoint (Script)
// or for every request of an endpoint for a while (Outage), or, for
// notifications, for one notification (ScriptNotifications). Fields combine
// where it makes sense: Delay happens first; then Hang, Refuse, DropBefore,
// HTTPStatus and Result replace processing (in that order of precedence);
// the other fields alter a normally processed answer.
//
// A Fault with RequestID or Match set is aimed: it waits in its queue for
// the request it is aimed at, and the other requests pass it by, so that
// concurrent calls do not take each other's faults.
type Fault struct {
	// RequestID aims the fault at the requests whose body names this
	// request ID (a payment's or a refund's, as the simulator reads it).
	RequestID string
	// Match aims the fault at the requests it reports true for. It is
	// called with the server's lock held: it must not call the server.
	Match func(Request) bool

	// Result answers with this result (status, code, message) instead of
	// processing the request (no state change), signed. The request is
	// still verified first: a badly signed request gets the provider's
	// signature error.
	Result *payment.Result
	// HTTPStatus answers with this HTTP status and a plain-text body, before
	// verification (no state change). A status outside 100–999 is 500.
	HTTPStatus int
	// RetryAfter is sent as the Retry-After header with HTTPStatus.
	RetryAfter string
	// Delay waits this long in real time before handling the request, or
	// until the client goes away (then nothing happens).
	Delay time.Duration
	// Hang blocks until the client gives up; no state change.
	Hang bool
	// Refuse refuses the connection: Server.Client's transport returns
	// the error of a failed dial, and the request
	// never reaches the server (it is not in the request log). Another
	// client meets it as DropBefore, since a server cannot refuse a
	// connection it accepted.
	Refuse bool
	// DropBefore closes the connection without answering, before any state
	// change.
	DropBefore bool
	// DropAfter processes the request normally (state changes), then
	// closes the connection without answering.
	DropAfter bool
	// NoSignature processes normally and answers without the Signature
	// header; a notification is sent without it.
	NoSignature bool
	// BadSignature processes normally and answers with a signature that
	// does not verify; a notification is signed so.
	BadSignature bool
	// TamperBody processes normally, signs, then changes a byte of the
	// body (Tamper: the body stays valid JSON); a notification is altered
	// so after it is signed.
	TamperBody bool
	// ChangeAmount processes normally and answers with the payment's or
	// refund's amount value one minor unit higher, correctly signed.
	ChangeAmount bool
	// Duplicate, for notifications, delivers the notification once more
	// after it is acknowledged, as a provider does that missed the
	// acknowledgement.
	Duplicate bool
	// Variant asks for a variant of the answer the simulator knows, such
	// as alipayplustest's other spelling of the redirect URL; a simulator
	// ignores values it does not know.
	Variant string
}

// zero reports a fault that does nothing.
func (f Fault) zero() bool {
	return f.Result == nil && f.HTTPStatus == 0 && f.Delay <= 0 && !f.Hang && !f.Refuse && !f.DropBefore &&
		!f.DropAfter && !f.NoSignature && !f.BadSignature && !f.TamperBody && !f.ChangeAmount && !f.Duplicate && f.Variant == ""
}

// aims reports whether f applies to r.
func (f *Fault) aims(r *Request) bool {
	return (f.RequestID == "" || f.RequestID == r.RequestID) && (f.Match == nil || f.Match(*r))
}

// Script queues faults for the next requests on an endpoint path: each
// request takes the first fault in the queue that is not aimed at another
// request, so unaimed faults are taken in order. Calls append to the queue.
func (s *Server) Script(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], faults...)
}

// outage is a fault in force on a path until a time of the server clock.
type outage struct {
	path  string
	until time.Time
	fault Fault
}

// Outage makes an endpoint path ("" for every one) unavailable for d of
// the server's clock from now: every request it receives meets f, without
// taking a fault from the queue. A zero f is HTTP 503. An aimed f affects
// only the requests it is aimed at.
func (s *Server) Outage(path string, d time.Duration, f Fault) {
	if f.zero() {
		f.HTTPStatus = http.StatusServiceUnavailable
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outages = append(s.outages, outage{path: path, until: s.clock.Now().Add(d), fault: f})
}

// ScriptNotifications queues faults for the next notifications the server
// sends, as Script does for requests: each notification takes the first
// fault aimed at it (RequestID is its payment's or refund's request ID;
// Match gets it as a Request whose Path is the notify URL's path). Only
// NoSignature, BadSignature, TamperBody and Duplicate apply; they apply to
// every attempt of that notification.
func (s *Server) ScriptNotifications(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifyFaults = append(s.notifyFaults, faults...)
}

// faultLocked returns the fault a request of path meets and, for a queued
// one, its index in the queue (-1 for none or an outage's).
func (s *Server) faultLocked(path string, r *Request) (Fault, int) {
	now := s.clock.Now()
	s.outages = slices.DeleteFunc(s.outages, func(o outage) bool { return !now.Before(o.until) })
	for _, o := range s.outages {
		if (o.path == "" || o.path == path) && o.fault.aims(r) {
			return o.fault, -1
		}
	}
	for i := range s.faults[path] {
		if f := &s.faults[path][i]; f.aims(r) {
			return *f, i
		}
	}
	return Fault{}, -1
}

// takeLocked removes the fault of path's queue at i.
func (s *Server) takeLocked(path string, i int) {
	if i >= 0 {
		s.faults[path] = slices.Delete(s.faults[path], i, i+1)
	}
}

// refuses reports whether a request of path may meet a Refuse fault, so
// that the client transport reads bodies only when it must.
func (s *Server) refuses(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.outages {
		if o.fault.Refuse && (o.path == "" || o.path == path) {
			return true
		}
	}
	return slices.ContainsFunc(s.faults[path], func(f Fault) bool { return f.Refuse })
}

// refuse takes the fault of a request the client is about to send and
// reports whether it is a refused connection.
func (s *Server) refuse(path string, r *Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, i := s.faultLocked(path, r)
	if !f.Refuse {
		return false
	}
	s.takeLocked(path, i)
	return true
}

// RefusedError is the error of a connection the server refuses: the
// *net.OpError of a failed dial, which proves that nothing was sent.
func RefusedError() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// refuser refuses, for the transport of Server.Client, the connections
// the faults say to. It is registered as the transport's protocol for the
// server's scheme, so that Client stays httptest's client with its
// *http.Transport: for every other request it answers
// http.ErrSkipAltProtocol, and the transport goes on as usual.
type refuser struct {
	s    *Server
	host string
}

func (t *refuser) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return nil, http.ErrSkipAltProtocol
	}
	path, ok := t.s.proto.Route(req)
	if !ok || !t.s.refuses(path) {
		return nil, http.ErrSkipAltProtocol
	}
	// The body is read from a copy (GetBody), which every request with a
	// body in memory has; without one, a fault aimed by request ID cannot
	// be matched here.
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	r := t.s.newRequest(path, req, body)
	if !t.s.refuse(path, &r) {
		return nil, http.ErrSkipAltProtocol
	}
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, RefusedError()
}
