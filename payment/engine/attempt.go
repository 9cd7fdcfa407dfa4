package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
)

// call is one operation to send.
type call struct {
	op, id string
	// mutating: the operation changes something at the provider (pay,
	// cancel, refund), so an attempt that may have been performed makes any
	// later refusal inconclusive.
	mutating bool
	req      driver.Request
	// decode reads one trusted answer. An error wrapping ErrContradiction
	// ends the call; any other error marks the answer unreadable.
	decode func(*driver.Answer) (driver.Verdict, error)
	// obs is the observed call, nil without an Observer.
	obs *observed
}

// got is what one attempt got.
type got uint8

const (
	gotNothing   got = iota // no attempt yet
	notSent                 // provably never left: nothing can have happened
	lost                    // may have left; no usable answer (timeout, reset, 5xx, 408, 429)
	notAPI                  // an HTTP status that is no API answer (a proxy's 403, a wrong path's 404)
	untrusted               // an answer the envelope did not verify, or too large
	unreadable              // a verified answer the driver could not read
	contradicted            // a verified answer that contradicts the request
	answered                // a verified, read answer: see verdict
)

// callState follows one call across its attempts. The attempts of a call
// are sequential, so it needs no lock.
type callState struct {
	p     *Provider
	c     call
	uri   string
	start time.Time

	attempts int
	// maybePerformed: some attempt so far may have reached the provider.
	maybePerformed bool
	// performedBefore: an attempt before the last one may have reached the
	// provider (what a refusal must be weighed against).
	performedBefore bool
	last            got
	// httpStatus is the last attempt's HTTP status, 0 without an answer
	// (an int32 beside the flags, so that the state stays in its size class
	// with the allocation header).
	httpStatus int32
	verdict    driver.Verdict // of the last answered attempt
	trusted    payment.Result // the last result a verified answer carried
	cause      error          // why the last attempt did not settle the call
	stop       error          // why retrying stopped early (the context, the policy)
	retryAfter time.Duration
	wait       time.Duration // before the next attempt, once planned
	attemptAt  time.Time
	// providerRequestID is the provider's ID of the last answer that
	// carried one (driver.TraceIDer).
	providerRequestID string

	// Per attempt, from the connection trace.
	// The trace's callbacks may run on the transport's dial goroutine,
	// even after the attempt has returned: hence atomics.
	gotConn    atomic.Bool // a connection was handed to the request: bytes may have been written
	dialFailed atomic.Bool // a connection or TLS handshake for the request failed
	insecure   atomic.Bool // the connection's certificate chain was not verified

	// Held here rather than allocated one by one for every call.
	tr      httptrace.ClientTrace
	limited io.LimitedReader
	answer  driver.Answer
}

// drainLimit is how much of an answer that is not read (an HTTP error
// status) is consumed before a retry, so that its connection can carry the
// next attempt.
const drainLimit = 4 << 10

// do sends c under the retry policy and returns nil when an answer settled
// it as Done, or the *payment.Error the outcome table gives.
//
// Every attempt is a new request over the same body bytes with a fresh
// signature, sent with the Provider's HTTP client; classify decides after
// each whether another is sent, waitToRetry waits for it.
func (p *Provider) do(ctx context.Context, c call) error {
	now := p.cfg.Clock.Now()
	if err := ctx.Err(); err != nil {
		return p.fail(c.op, c.id, payment.KindUnavailable, payment.Result{}, fmt.Errorf("not sent: %w", err))
	}
	ep := p.endpoint(c.req.Path)
	st := &callState{p: p, c: c, uri: ep.uri, start: now, attemptAt: now}
	st.setTrace()
	tctx := httptrace.WithClientTrace(ctx, &st.tr)
	for {
		actx := tctx
		if c.obs != nil {
			actx = st.startAttempt(tctx)
		}
		req, err := http.NewRequestWithContext(actx, http.MethodPost, ep.url, bytes.NewReader(c.req.Body))
		if err != nil {
			if c.obs != nil {
				st.endAttempt(actx, false, false)
			}
			if st.attempts == 0 {
				return p.fail(c.op, c.id, payment.KindInvalidRequest, payment.Result{}, fmt.Errorf("building the request: %w", err))
			}
			st.stop = fmt.Errorf("building attempt %d: %w", st.attempts+1, err)
			break
		}
		p.setHeaders(req.Header)
		if err := p.env.Sign(req.Header, st.uri, c.req.Body, st.attemptAt); err != nil {
			if c.obs != nil {
				st.endAttempt(actx, false, false)
			}
			if st.attempts == 0 {
				return p.fail(c.op, c.id, payment.KindUnavailable, payment.Result{}, fmt.Errorf("not sent, could not sign: %w", err))
			}
			st.stop = fmt.Errorf("signing attempt %d: %w", st.attempts+1, err)
			break
		}
		resp, err := p.http.Do(req)
		retry := st.classify(ctx, resp, err)
		if resp != nil {
			if retry {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
			}
			resp.Body.Close()
		}
		again := retry && st.attempts < p.cfg.Retry.MaxAttempts && st.planRetry(ctx)
		if c.obs != nil {
			st.endAttempt(actx, true, again)
		}
		if !again || !st.waitToRetry(ctx) {
			break
		}
	}
	err := st.outcome()
	if c.obs != nil {
		st.recordCall()
	}
	return err
}

// endpoint is one driver path's full URL and request URI.
type endpoint struct{ url, uri string }

// maxEndpoints bounds the endpoints a Provider keeps: drivers use a handful
// of fixed paths, and a driver that built paths per call must not grow the
// cache without end.
const maxEndpoints = 64

// endpoint returns path's URL and URI, computed once per Provider.
func (p *Provider) endpoint(path string) *endpoint {
	if e, ok := p.endpoints.Load(path); ok {
		return e.(*endpoint)
	}
	e := &endpoint{url: p.base + path, uri: p.basePath + path}
	if p.nEndpoints.Load() < maxEndpoints {
		if old, loaded := p.endpoints.LoadOrStore(path, e); loaded {
			return old.(*endpoint)
		}
		p.nEndpoints.Add(1)
	}
	return e
}

// setHeaders sets the headers every attempt carries, their values in one
// allocation (each capped slice is the request's own).
func (p *Provider) setHeaders(h http.Header) {
	v := &[3]string{"application/json; charset=UTF-8", "application/json", p.ua}
	h["Content-Type"], h["Accept"], h["User-Agent"] = v[0:1:1], v[1:2:2], v[2:3:3]
}

// reasonKinds is the one table from a refusal's reason to an error kind
// (docs/semantics.md, "One kind per situation").
var reasonKinds = map[driver.Reason]payment.Kind{
	driver.Declined:    payment.KindFailed,
	driver.NotFound:    payment.KindNotFound,
	driver.Conflict:    payment.KindIdempotencyConflict,
	driver.Invalid:     payment.KindInvalidRequest,
	driver.Unsupported: payment.KindUnsupported,
	driver.OverRefund:  payment.KindFailed,
	driver.WrongState:  payment.KindFailed,
}

// KindOf returns the error kind a refusal for reason r is reported as.
func KindOf(r driver.Reason) payment.Kind {
	if k, ok := reasonKinds[r]; ok {
		return k
	}
	return payment.KindFailed
}

// outcome is the outcome table of docs/semantics.md, applied to the
// attempts of one call together. It is the only place where a call's
// result is decided.
func (st *callState) outcome() error {
	c := st.c
	unknown := func(res payment.Result, cause error) error {
		return st.fail(payment.KindUnknownOutcome, res, st.withAttempts(cause))
	}
	switch st.last {
	case answered:
		v := st.verdict
		switch v.Outcome {
		case driver.Done:
			return nil
		case driver.Refused:
			if c.mutating && st.performedBefore {
				// The refusal may be about what an earlier attempt did (a
				// refund already in process, an order already paid): the
				// money may have moved.
				return unknown(v.Result, fmt.Errorf("the provider refused attempt %d, but an earlier attempt may have been performed", st.attempts))
			}
			return st.fail(KindOf(v.Reason), v.Result, nil)
		}
		return unknown(v.Result, fmt.Errorf("the provider answered %s", v.Result))
	case notSent, gotNothing:
		if !st.maybePerformed {
			return st.fail(payment.KindUnavailable, payment.Result{}, st.withAttempts(st.cause))
		}
	}
	return unknown(st.trusted, st.cause)
}

// fail is the call's error, with the HTTP status of the last attempt and the
// provider's request ID of the last answer that had one.
func (st *callState) fail(kind payment.Kind, res payment.Result, cause error) error {
	return st.p.report(&payment.Error{Op: st.c.op, Provider: st.p.name, Kind: kind, RequestID: safeID(st.c.id), Result: res,
		Err: cause, HTTPStatus: int(st.httpStatus), ProviderRequestID: st.providerRequestID})
}

// withAttempts prefixes the attempt count and adds why retrying stopped.
func (st *callState) withAttempts(cause error) error {
	parts := make(colonJoined, 0, 3)
	if st.attempts > 0 {
		parts = append(parts, fmt.Errorf("%d attempt(s)", st.attempts))
	}
	if cause != nil {
		parts = append(parts, cause)
	}
	if st.stop != nil && !errors.Is(cause, st.stop) {
		parts = append(parts, st.stop)
	}
	if len(parts) == 0 {
		return errors.New("no answer")
	}
	return parts
}

type colonJoined []error

func (j colonJoined) Error() string {
	s := make([]string, len(j))
	for i, e := range j {
		s[i] = e.Error()
	}
	return strings.Join(s, ": ")
}
func (j colonJoined) Unwrap() []error { return j }

var errStopRetrying = errors.New("retry policy exhausted")

// errNotAPI is the cause of an answer whose HTTP status is neither 200 nor
// one to retry: a proxy's 403, a wrong path's 404.
var errNotAPI = errors.New("not an API answer: check the base URL and path prefix")

// statusCause names an HTTP status to retry, such as "service
// unavailable"; the call's *payment.Error shows the number.
func statusCause(code int) error {
	if t := http.StatusText(code); t != "" {
		return errors.New(strings.ToLower(t))
	}
	return errors.New("server error")
}

// setTrace sets the trace that watches the connection of each attempt.
func (st *callState) setTrace() {
	st.tr = httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err != nil {
				st.dialFailed.Store(true)
			}
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				st.dialFailed.Store(true)
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			st.gotConn.Store(true)
			if st.p.loopback {
				return
			}
			if tc, ok := info.Conn.(*tls.Conn); ok && len(tc.ConnectionState().VerifiedChains) == 0 {
				// Verification was skipped somewhere in the caller's
				// transport. Closing the connection now, before the request
				// is written, keeps the signed body and any card data off
				// it.
				st.insecure.Store(true)
				tc.Close()
			}
		},
	}
}

// classify classifies one attempt (its answer or error) and decides
// whether to send another.
func (st *callState) classify(ctx context.Context, resp *http.Response, err error) bool {
	p, c := st.p, st.c
	st.attempts++
	st.retryAfter, st.httpStatus = 0, 0
	st.performedBefore = st.maybePerformed
	elapsed := p.cfg.Clock.Now().Sub(st.attemptAt)
	// Debug arguments are boxed before Debug can check its level: without
	// this test a disabled Debug would still cost allocations per attempt.
	log := p.cfg.Logger
	if log != nil && !log.Enabled(ctx, slog.LevelDebug) {
		log = nil
	}
	if err != nil {
		switch {
		case st.insecure.Load():
			st.last, st.cause = notSent, ErrInsecureURL
		case !st.gotConn.Load() && (st.dialFailed.Load() || neverSent(err)):
			st.last, st.cause = notSent, redactURLError(err)
		default:
			st.last, st.cause = lost, redactURLError(err)
			st.maybePerformed = true
		}
		if log != nil {
			log.Debug("paybridge: attempt failed", "provider", p.name, "op", c.op, "request_id", c.id,
				"attempt", st.attempts, "may_have_been_sent", st.last != notSent, "duration", elapsed, "error", st.cause.Error())
		}
		return ctx.Err() == nil && !st.insecure.Load() && !permanentTLS(err)
	}
	st.maybePerformed = true
	st.httpStatus = int32(resp.StatusCode)
	if p.traceIDs != nil {
		if id := p.traceIDs.TraceID(resp.Header); usableID(id) {
			st.providerRequestID = id
			if c.obs != nil {
				c.obs.att.ProviderRequestID = id
			}
		}
	}
	if log != nil {
		log.Debug("paybridge: attempt answered", "provider", p.name, "op", c.op, "request_id", c.id,
			"attempt", st.attempts, "http_status", resp.StatusCode, "duration", elapsed)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		// The status itself is on the call's *payment.Error (HTTPStatus).
		st.last, st.cause = lost, statusCause(code)
		st.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), p.cfg.Clock.Now())
		return ctx.Err() == nil
	default:
		st.last, st.cause = notAPI, errNotAPI
		return false
	}

	st.limited = io.LimitedReader{R: resp.Body, N: p.cfg.MaxAnswerBytes + 1}
	body, rerr := io.ReadAll(&st.limited)
	st.limited.R = nil
	resp.Body.Close()
	resp.Body = http.NoBody
	switch {
	case rerr != nil:
		st.last, st.cause = lost, fmt.Errorf("reading the answer: %w", rerr)
		return ctx.Err() == nil
	case int64(len(body)) > p.cfg.MaxAnswerBytes:
		st.last, st.cause = untrusted, fmt.Errorf("answer larger than %d bytes", p.cfg.MaxAnswerBytes)
		return false
	}
	if verr := p.env.Verify(st.uri, resp.Header, body); verr != nil {
		st.last, st.cause = untrusted, fmt.Errorf("untrusted answer: %w", verr)
		if log != nil {
			log.Debug("paybridge: answer not trusted", "provider", p.name, "op", c.op, "request_id", c.id,
				"attempt", st.attempts, "error", verr.Error())
		}
		return false
	}
	st.answer = driver.Answer{URI: st.uri, Header: resp.Header, Body: body}
	v, derr := c.decode(&st.answer)
	if !v.Result.IsZero() {
		st.trusted = v.Result
	}
	switch {
	case derr != nil && errors.Is(derr, ErrContradiction):
		st.last, st.cause = contradicted, derr
		return false
	case derr != nil:
		st.last, st.cause = unreadable, fmt.Errorf("unreadable answer: %w", derr)
		return ctx.Err() == nil
	}
	st.last, st.verdict, st.cause = answered, v, nil
	if log != nil {
		log.Debug("paybridge: result", "provider", p.name, "op", c.op, "request_id", c.id, "attempt", st.attempts,
			"result_status", string(v.Result.Status), "result_code", v.Result.Code, "outcome", v.Outcome.String())
	}
	switch v.Outcome {
	case driver.Done, driver.Refused:
		return false
	}
	return ctx.Err() == nil
}

// planRetry decides, once an attempt asks for another, whether the context
// and the policy allow it, and how long to wait first (st.wait). It returns
// false, with st.stop set, when they end the retries.
func (st *callState) planRetry(ctx context.Context) bool {
	p := st.p
	if err := ctx.Err(); err != nil {
		st.stop = err
		return false
	}
	wait, ok := p.cfg.Retry.Wait(st.attempts, st.retryAfter, p.cfg.Clock.Now().Sub(st.start), p.cfg.Jitter)
	if !ok {
		st.stop = errStopRetrying
		return false
	}
	st.wait = wait
	return true
}

// waitToRetry waits out the planned backoff before the next attempt on the
// injected clock, ending at once with the context, and resets the
// per-attempt trace. It returns false, with st.stop set, when the context
// ends.
func (st *callState) waitToRetry(ctx context.Context) bool {
	p := st.p
	select {
	case <-ctx.Done():
		st.stop = ctx.Err()
		return false
	case <-p.cfg.Clock.After(st.wait):
	}
	st.attemptAt = p.cfg.Clock.Now()
	st.gotConn.Store(false)
	st.dialFailed.Store(false)
	st.insecure.Store(false)
	return true
}

// neverSent reports whether err proves that the request never left: the
// connection was never made (dial or DNS failure) or TLS verification
// refused the server during the handshake. Callers also require that no
// connection was handed to the request (the trace's GotConn), which is what
// makes a TLS record error while reading the answer count as maybe sent;
// with net/http's transport the trace itself also proves a failed dial or
// handshake, whatever error the transport reports for it.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect") {
		return true
	}
	var recordErr tls.RecordHeaderError
	return permanentTLS(err) || errors.As(err, &recordErr)
}

// permanentTLS reports a TLS verification failure: retrying cannot help.
func permanentTLS(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid)
}

// redactURLError drops the query string from *url.Error messages; our URLs
// carry none, but a user's proxy setup might.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// usableID reports whether a provider's request ID can be kept: 1 to 64
// printable ASCII characters without spaces. Anything else — from an
// unverified answer, it may be anything — is dropped rather than shown.
func usableID(id string) bool {
	return id != "" && len(id) <= 64 && strings.IndexFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) < 0
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// IsLoopback reports whether host (without port) is a loopback name or
// address.
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewPooledTransport returns the transport a Provider uses when given no
// HTTPClient: keep-alive connections, up to 32 per host, so that concurrent
// calls reuse connections instead of opening new ones.
func NewPooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	// Without a limit, a burst of more concurrent calls than idle slots
	// dials extra connections that are closed again after one call.
	t.MaxConnsPerHost = 32
	return t
}
