// Package transport sends signed provider calls with paybridge's one retry
// policy, on hashicorp/go-retryablehttp, and classifies what came back into
// the outcome table of package payment.
//
// Adapters give it the signed-request and verified-answer rules of their
// protocol (a Signer and a Verifier) and, per call, an Inspect function that
// reads the provider's result status. Everything else — re-signing each
// attempt over identical body bytes, which failures are retried, backoff on an
// injectable clock, telling "may have been sent" from "provably never sent" —
// happens here once, so the adapters cannot disagree about it.
package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/paybridge/paybridge/payment"
)

// Signer sets the headers that authenticate one attempt — time, nonce,
// signature — on h, for the request URI and body bytes given. It is called
// again for every retry with a fresh now.
type Signer func(h http.Header, uri string, body []byte, now time.Time) error

// Verifier checks that an HTTP 200 answer comes from the provider. It returns
// nil to trust the answer. An answer that fails verification ends the call
// with an unknown outcome: the provider may have acted, but nothing it says
// can be believed.
type Verifier func(a *Answer) error

// Inspect reads a trusted answer's result. retry asks for the same request
// to be sent again (a U result that inquiring or retrying can clear).
type Inspect func(a *Answer) (res payment.Result, retry bool)

// Config configures a Client.
type Config struct {
	// Provider names the provider in errors and logs.
	Provider string
	// BaseURL is scheme://host[:port][/prefix]. It must be https, or http
	// to a loopback host (a local simulator).
	BaseURL string
	// HTTPClient sends the requests. Nil means a pooled client owned by this
	// Client. Redirects are never followed: a payment call answered with a
	// redirect did not reach the API.
	HTTPClient *http.Client
	// Retry bounds attempts and waits.
	Retry payment.RetryPolicy
	// Clock stamps requests and times the waits between attempts.
	Clock payment.Clock
	// Logger receives one debug line per attempt and a warning per unknown
	// outcome. Lines carry no body, header value or secret. Nil: no logs.
	Logger *slog.Logger
	// Sign and Verify are the protocol's rules; both are required.
	Sign   Signer
	Verify Verifier
	// MaxAnswerBytes caps an answer's body; a longer one is untrusted.
	// Default 1 MiB.
	MaxAnswerBytes int64
	// Jitter draws the random part of backoffs; nil means math/rand/v2.
	Jitter func(n int64) int64
	// UserAgent is sent on every request.
	UserAgent string
}

// Client sends calls. It is safe for concurrent use and reuses connections.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client
}

// ErrInsecureURL is returned by New for a plain-HTTP URL to a host other than
// loopback, or a client that skips TLS verification for such a host.
var ErrInsecureURL = errors.New("transport: plain HTTP and unverified TLS are allowed only to loopback hosts")

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Sign == nil || cfg.Verify == nil {
		return nil, errors.New("transport: Sign and Verify are required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("transport: base URL must be an absolute http(s) URL without credentials or query")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	loopback := IsLoopback(u.Hostname())
	if u.Scheme == "http" && !loopback {
		return nil, ErrInsecureURL
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: NewPooledTransport(), Timeout: 30 * time.Second}
	} else {
		if t, ok := hc.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify && !loopback {
			return nil, ErrInsecureURL
		}
		copied := *hc // shares the caller's Transport and so its connection pool
		hc = &copied
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = 1 << 20
	}
	cfg.Clock = payment.OrSystem(cfg.Clock)
	cfg.Retry = cfg.Retry.WithDefaults()
	if cfg.UserAgent == "" {
		cfg.UserAgent = "paybridge"
	}
	return &Client{cfg: cfg, base: u, http: hc}, nil
}

// NewPooledTransport returns the transport a Client uses when given no
// HTTPClient: keep-alive connections, up to 32 idle per host so that
// concurrent calls reuse connections instead of opening new ones.
func NewPooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	// Without a limit, a burst of more concurrent calls than idle slots
	// dials extra connections that are closed again after one call.
	t.MaxConnsPerHost = 32
	return t
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

// HTTPClient returns the client the Client sends with.
func (c *Client) HTTPClient() *http.Client { return c.http }

// Call is one operation to send.
type Call struct {
	// Op and RequestID name the call in errors and logs.
	Op        string
	RequestID string
	// Path is appended to the base URL's path, e.g. "/api/v2.0/payments/pay".
	Path string
	// Body is sent byte for byte on every attempt.
	Body []byte
	// Inspect reads a trusted answer's result; required.
	Inspect Inspect
}

// Answer is a provider's HTTP 200 answer.
type Answer struct {
	// URI is the request URI that was posted to (and signed).
	URI    string
	Header http.Header
	Body   []byte
	// Result is what Inspect read from the body.
	Result payment.Result
	// Attempts is how many requests the call sent.
	Attempts int
}

// Do sends call, retrying as the policy allows, and returns the last trusted
// answer whose result Inspect did not ask to retry.
//
// Otherwise it returns a *payment.Error:
//   - KindUnavailable when no attempt can have reached the provider (every
//     attempt failed to connect, or ctx ended before anything was sent);
//   - KindUnknownOutcome in every other case: an answer that failed
//     verification or was too large, U results or HTTP 408/429/5xx or
//     timeouts until the attempts ran out, any other HTTP status, or ctx
//     ending after a request may have left. Result holds the last trusted
//     result, if any.
func (c *Client) Do(ctx context.Context, call Call) (*Answer, error) {
	u := *c.base
	u.Path += call.Path
	uri := u.RequestURI()
	now := c.cfg.Clock.Now()
	st := &callState{c: c, call: call, uri: uri, start: now, attemptAt: now}

	if err := ctx.Err(); err != nil {
		return nil, st.fail(payment.KindUnavailable, err)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, u.String(), call.Body)
	if err != nil {
		return nil, st.fail(payment.KindUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if err := c.cfg.Sign(req.Header, uri, call.Body, c.cfg.Clock.Now()); err != nil {
		return nil, st.fail(payment.KindInvalidRequest, fmt.Errorf("sign: %w", err))
	}
	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryMax:     c.cfg.Retry.MaxAttempts - 1,
		CheckRetry:   st.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		PrepareRetry: st.prepareRetry,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, err
		},
	}
	resp, doErr := rc.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	switch {
	case st.untrusted != nil:
		return nil, st.fail(payment.KindUnknownOutcome, st.untrusted)
	case doErr == nil && st.answer != nil && !st.retryWanted:
		st.answer.Attempts = st.attempts
		return st.answer, nil
	case !st.maybeSent:
		return nil, st.fail(payment.KindUnavailable, st.cause(doErr))
	default:
		return nil, st.fail(payment.KindUnknownOutcome, st.cause(doErr))
	}
}

// callState follows one call across its attempts.
type callState struct {
	c     *Client
	call  Call
	uri   string
	start time.Time

	attempts    int
	maybeSent   bool          // some attempt may have reached the provider
	answer      *Answer       // the last trusted 200 answer
	retryWanted bool          // Inspect asked to retry the last answer
	lastErr     error         // the last transport error or bad HTTP status
	untrusted   error         // an answer failed verification: stop
	retryAfter  time.Duration // from the last answer
	attemptAt   time.Time
}

func (st *callState) fail(kind payment.Kind, cause error) error {
	e := &payment.Error{Op: st.call.Op, Provider: st.c.cfg.Provider, Kind: kind, RequestID: st.call.RequestID, Err: cause}
	if st.answer != nil {
		e.Result = st.answer.Result
	}
	if kind == payment.KindUnknownOutcome && st.c.cfg.Logger != nil {
		st.c.cfg.Logger.Warn("paybridge: unknown outcome", "provider", st.c.cfg.Provider, "op", st.call.Op,
			"request_id", st.call.RequestID, "attempts", st.attempts, "error", cause.Error())
	}
	return e
}

// cause picks the most telling reason for a call that did not succeed.
func (st *callState) cause(doErr error) error {
	var parts []error
	if st.attempts > 0 {
		parts = append(parts, fmt.Errorf("%d attempt(s)", st.attempts))
	}
	if st.lastErr != nil {
		parts = append(parts, st.lastErr)
	} else if st.answer != nil && st.retryWanted {
		parts = append(parts, errors.New("provider answered "+st.answer.Result.String()))
	}
	if doErr != nil && !errors.Is(st.lastErr, doErr) && !errors.Is(doErr, errStopRetrying) {
		parts = append(parts, doErr)
	}
	if len(parts) == 0 {
		return errors.New("no answer")
	}
	return joinColon(parts)
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

func joinColon(errs []error) error { return colonJoined(errs) }

var errStopRetrying = errors.New("retry policy exhausted")

// checkRetry is retryablehttp's CheckRetry: it records the attempt and
// decides whether to send again.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st.attempts++
	st.retryWanted = false
	st.retryAfter = 0
	elapsed := st.c.cfg.Clock.Now().Sub(st.attemptAt)
	// The Debug lines' arguments are boxed into interfaces before Debug
	// can check its level: without this test a disabled Debug still costs
	// allocations on every attempt.
	log := st.c.cfg.Logger
	if log != nil && !log.Enabled(ctx, slog.LevelDebug) {
		log = nil
	}
	if err != nil {
		sent := !neverSent(err)
		st.maybeSent = st.maybeSent || sent
		st.lastErr = redactURLError(err)
		if log != nil {
			log.Debug("paybridge: attempt failed", "provider", st.c.cfg.Provider, "op", st.call.Op,
				"request_id", st.call.RequestID, "attempt", st.attempts, "may_have_been_sent", sent,
				"duration", elapsed, "error", st.lastErr.Error())
		}
		if ctx.Err() != nil || permanentTLS(err) {
			return false, nil
		}
		return true, nil
	}
	st.maybeSent = true
	st.lastErr = nil
	if log != nil {
		log.Debug("paybridge: attempt answered", "provider", st.c.cfg.Provider, "op", st.call.Op,
			"request_id", st.call.RequestID, "attempt", st.attempts, "http_status", resp.StatusCode, "duration", elapsed)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		st.lastErr = fmt.Errorf("HTTP %d", resp.StatusCode)
		st.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), st.c.cfg.Clock.Now())
		return ctx.Err() == nil, nil
	default:
		st.lastErr = fmt.Errorf("HTTP %d (not an API answer: check the base URL and path prefix)", resp.StatusCode)
		return false, nil
	}

	body, rerr := io.ReadAll(io.LimitReader(resp.Body, st.c.cfg.MaxAnswerBytes+1))
	resp.Body.Close()
	resp.Body = http.NoBody
	if rerr != nil {
		st.lastErr = fmt.Errorf("reading answer: %w", rerr)
		return ctx.Err() == nil, nil
	}
	if int64(len(body)) > st.c.cfg.MaxAnswerBytes {
		st.untrusted = fmt.Errorf("answer larger than %d bytes", st.c.cfg.MaxAnswerBytes)
		return false, nil
	}
	a := &Answer{URI: st.uri, Header: resp.Header, Body: body}
	if verr := st.c.cfg.Verify(a); verr != nil {
		st.untrusted = fmt.Errorf("untrusted answer: %w", verr)
		if log != nil {
			log.Debug("paybridge: answer not trusted", "provider", st.c.cfg.Provider, "op", st.call.Op,
				"request_id", st.call.RequestID, "attempt", st.attempts, "error", verr.Error())
		}
		return false, nil
	}
	a.Result, st.retryWanted = st.call.Inspect(a)
	st.answer = a
	if log != nil {
		log.Debug("paybridge: result", "provider", st.c.cfg.Provider, "op", st.call.Op,
			"request_id", st.call.RequestID, "attempt", st.attempts, "result_status", string(a.Result.Status),
			"result_code", a.Result.Code, "retry", st.retryWanted)
	}
	return st.retryWanted && ctx.Err() == nil, nil
}

// prepareRetry is retryablehttp's PrepareRetry: it waits out the backoff on
// the injected clock (ending at once with the context) and re-signs the
// request with a fresh time and nonce over the same body bytes.
func (st *callState) prepareRetry(req *http.Request) error {
	ctx := req.Context()
	wait, ok := st.c.cfg.Retry.Wait(st.attempts, st.retryAfter, st.c.cfg.Clock.Now().Sub(st.start), st.c.cfg.Jitter)
	if !ok {
		return errStopRetrying
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-st.c.cfg.Clock.After(wait):
	}
	// The previous attempt's request may still be referenced by the HTTP
	// transport; give this attempt its own header map.
	req.Header = req.Header.Clone()
	st.attemptAt = st.c.cfg.Clock.Now()
	return st.c.cfg.Sign(req.Header, st.uri, st.call.Body, st.attemptAt)
}

// neverSent reports whether err proves that the request never left: the
// connection was never made (dial or DNS failure) or TLS refused the server
// before any byte of the request was written.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect") {
		return true
	}
	return permanentTLS(err)
}

// permanentTLS reports a TLS verification failure: retrying cannot help,
// and the handshake failed before the request was sent.
func permanentTLS(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) ||
		errors.As(err, &invalid) || errors.As(err, &recordErr)
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
