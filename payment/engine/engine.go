// Package engine is paybridge's portable layer: it turns a driver (package
// payment/driver) into a payment.Provider, and it is the one place where the
// rules of docs/semantics.md are decided for every provider.
//
// For every call it validates the request against the driver's
// Capabilities, asks the driver to encode it once, sends the identical bytes
// with a fresh signature per attempt under the retry policy, keeps track of
// whether any attempt may have been performed, applies the outcome table to
// the attempts together, cross-checks the decoded answer against the request
// (IDs, amount, currency, the action a pending payment needs) and wraps every
// failure in a *payment.Error. A driver cannot skip or re-decide any of it.
//
// Application code does not use this package: it holds a payment.Provider,
// made by an adapter's New (which embeds a *Provider) or by package providers
// from a configuration file. Adapter authors call New with their driver.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/internal/version"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
)

// Config configures a Provider.
type Config struct {
	// BaseURL is scheme://host[:port][/prefix]. It must be https, or http to
	// a loopback host (a local simulator).
	BaseURL string
	// HTTPClient sends the requests. Nil means a pooled client owned by the
	// Provider. Redirects are never followed: a payment call answered with a
	// redirect did not reach the API. TLS verification cannot be turned off
	// except for loopback hosts: a connection to any other host whose
	// certificate chain was not verified is closed before the request is
	// written.
	HTTPClient *http.Client
	// Retry bounds the attempts of each call and spaces them out.
	Retry payment.RetryPolicy
	// Clock stamps requests and times the waits between attempts; nil means
	// the system clock.
	Clock payment.Clock
	// Logger receives one debug line per attempt and a warning per unknown
	// outcome. Lines carry no body, header value or secret. Nil: no logs.
	Logger *slog.Logger
	// Observer, if set, is told of every call and every attempt (package
	// observe; observe/otelpaybridge makes spans and metrics of them). Nil:
	// nothing is observed, at no cost.
	Observer observe.Observer
	// UserAgent, if set, is added to the User-Agent every request carries,
	// "paybridge/<version> (<driver name>)", after a space: one or more
	// product tokens such as "myshop/1.2". It must be printable ASCII.
	UserAgent string
	// MaxAnswerBytes caps an answer's body; a longer one is not trusted.
	// Default 1 MiB.
	MaxAnswerBytes int64
	// Jitter draws the random part of backoffs; nil means math/rand/v2.
	Jitter func(n int64) int64
	// Journal, if set, records every pay, cancel and refund before its
	// first byte is sent and settles it once its outcome is known (package
	// journal); a call whose outcome stays unknown stays open for
	// notify.Reconciler. A call whose entry cannot be recorded is not sent:
	// it fails with payment.ErrUnavailable. Nil: nothing is journaled.
	Journal journal.Journal
	// JournalTimeout bounds each journal call (default 5s).
	JournalTimeout time.Duration
}

// Provider is a payment.Provider over a driver. It is safe for concurrent
// use and reuses connections: make one per merchant account and keep it.
type Provider struct {
	d        driver.Driver
	name     string
	caps     payment.Capabilities
	env      driver.Envelope
	cfg      Config
	base     string // base URL without a trailing slash
	basePath string
	loopback bool
	http     *http.Client
	ua       string           // the User-Agent header's value
	obs      observe.Observer // cfg.Observer
	traceIDs driver.TraceIDer // the driver's, or nil

	endpoints  sync.Map // driver path → *endpoint
	nEndpoints atomic.Int32
}

var _ payment.Provider = (*Provider)(nil)

// ErrInsecureURL is returned by New for a plain-HTTP URL to a host other
// than loopback, or an HTTP client that skips TLS verification for such a
// host. It is also the cause of an unavailable call whose connection was not
// verified.
var ErrInsecureURL = errors.New("engine: plain HTTP and unverified TLS are allowed only to loopback hosts")

// ErrInvalidConfig is wrapped by New's errors for a configuration it cannot
// use.
var ErrInvalidConfig = errors.New("engine: invalid configuration")

// New returns a Provider that sends d's calls as cfg says.
func New(d driver.Driver, cfg Config) (*Provider, error) {
	if d == nil || d.Envelope() == nil {
		return nil, fmt.Errorf("%w: a driver with an envelope is required", ErrInvalidConfig)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: base URL must be an absolute http(s) URL without credentials, query or fragment", ErrInvalidConfig)
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
	ua := version.UserAgent + " (" + d.Name() + ")"
	if cfg.UserAgent != "" {
		if strings.IndexFunc(cfg.UserAgent, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
			return nil, fmt.Errorf("%w: the user agent must be printable ASCII", ErrInvalidConfig)
		}
		ua += " " + cfg.UserAgent
	}
	if cfg.JournalTimeout <= 0 {
		cfg.JournalTimeout = 5 * time.Second
	}
	p := &Provider{
		d: d, name: d.Name(), caps: d.Capabilities().Clone(), env: d.Envelope(), cfg: cfg,
		base: u.String(), basePath: u.Path, loopback: loopback, http: hc, ua: ua, obs: cfg.Observer,
	}
	p.traceIDs, _ = d.(driver.TraceIDer)
	return p, nil
}

// Name returns the driver's name.
func (p *Provider) Name() string { return p.name }

// Capabilities returns a copy of the driver's capabilities, taken when the
// Provider was made: changing it changes nothing the Provider checks.
func (p *Provider) Capabilities() payment.Capabilities { return p.caps.Clone() }

// HTTPClient returns the client the Provider sends with.
func (p *Provider) HTTPClient() *http.Client { return p.http }

// Driver returns the driver, for an adapter's own use.
func (p *Provider) Driver() driver.Driver { return p.d }

// UserAgent returns the User-Agent header every request carries.
func (p *Provider) UserAgent() string { return p.ua }

// Pay creates a payment, or returns the existing one for a repeated
// PaymentRequestID with the same content.
func (p *Provider) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	if p.obs == nil {
		return p.payCall(ctx, req, nil)
	}
	var id string
	var sc payment.Scenario
	if req != nil {
		id, sc = req.PaymentRequestID, req.Scenario
	}
	oc := p.startCall(ctx, payment.OpPay, id, sc)
	got, err := p.payCall(oc.ctx, req, oc)
	p.endCall(oc, paymentStatus(got), err)
	return got, err
}

func (p *Provider) payCall(ctx context.Context, req *payment.PayRequest, oc *observed) (*payment.Payment, error) {
	var extra []payment.FieldError
	if req != nil {
		extra = p.d.CheckPay(req)
	}
	if err := payment.ValidatePay(p.name, p.caps, req, extra...); err != nil {
		return nil, err
	}
	id := req.PaymentRequestID
	wreq, err := p.d.EncodePay(req)
	if err != nil {
		return nil, p.fail(payment.OpPay, id, payment.KindInvalidRequest, payment.Result{}, fmt.Errorf("encoding the request: %w", err))
	}
	settle, err := p.journalBegin(ctx, payment.OpPay, id, wreq.Body, journal.Request{Pay: req}, func(r journal.Request) (driver.Request, error) {
		return p.d.EncodePay(r.Pay)
	})
	if err != nil {
		return nil, err
	}
	got, err := p.pay(ctx, req, wreq, oc)
	var o journal.Outcome
	if err == nil {
		o = journal.Outcome{PaymentID: got.PaymentID, Status: string(got.Status)}
	}
	settle(ctx, err, o)
	return got, err
}

// pay sends an encoded pay request and reads its answer.
func (p *Provider) pay(ctx context.Context, req *payment.PayRequest, wreq driver.Request, oc *observed) (*payment.Payment, error) {
	id := req.PaymentRequestID
	var got *payment.Payment
	err := p.do(ctx, call{op: payment.OpPay, id: id, mutating: true, req: wreq, obs: oc,
		decode: func(a *driver.Answer) (driver.Verdict, error) {
			pay, v, err := p.d.DecodePay(req, a)
			if err != nil || v.Outcome != driver.Done {
				return v, err
			}
			if err := checkPay(req, pay); err != nil {
				return v, contradiction(err)
			}
			got = fillPay(p.name, req, pay, v.Result)
			return v, nil
		}})
	if err != nil {
		return nil, err
	}
	if got.Status == "" {
		// The answer acknowledged the payment without saying where it is
		// (a repeat): only an inquiry can tell.
		return p.completePay(ctx, req, got)
	}
	return got, p.checkAction(req, got)
}

// completePay inquires a payment whose pay answer did not say its status.
func (p *Provider) completePay(ctx context.Context, req *payment.PayRequest, got *payment.Payment) (*payment.Payment, error) {
	id := req.PaymentRequestID
	st, err := p.Inquire(ctx, payment.Ref{PaymentID: got.PaymentID})
	if err != nil {
		// %v, not %w: the inquiry's own kind (say, not found) must not show
		// through errors.Is on the pay's unknown outcome.
		return nil, p.fail(payment.OpPay, id, payment.KindUnknownOutcome, got.Result,
			fmt.Errorf("the provider acknowledged payment %s without its status, and the inquiry failed: %v", got.PaymentID, err))
	}
	if err := checkPay(req, st); err != nil {
		return nil, p.fail(payment.OpPay, id, payment.KindUnknownOutcome, got.Result, fmt.Errorf("inquiring the acknowledged payment: %w", err))
	}
	out := *st
	out.PaymentRequestID, out.Amount = id, req.Amount
	if out.Scenario == "" {
		out.Scenario = req.Scenario
	}
	if out.Method == "" {
		out.Method = req.Method
	}
	out.Result = got.Result
	if out.CardToken == "" {
		out.CardToken = got.CardToken
	}
	if out.Status == payment.StatusPending {
		out.Action = got.Action
	}
	return &out, p.checkAction(req, &out)
}

// checkAction enforces that a pending payment whose scenario needs the
// merchant to act carries a usable action: without one nobody can pay it,
// and a "pending" the customer cannot reach is not a success.
func (p *Provider) checkAction(req *payment.PayRequest, got *payment.Payment) error {
	if got.Status != payment.StatusPending || req.Scenario.ActionKind() == payment.ActionNone || usableAction(req.Scenario.ActionKind(), got.Action) {
		return nil
	}
	return p.fail(payment.OpPay, req.PaymentRequestID, payment.KindUnknownOutcome, got.Result,
		fmt.Errorf("%w: payment %s is pending but the answer has no usable %s action", ErrContradiction, got.PaymentID, req.Scenario.ActionKind()))
}

// Inquire returns the payment's current state.
func (p *Provider) Inquire(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if p.obs == nil {
		return p.inquireCall(ctx, ref, nil)
	}
	oc := p.startCall(ctx, payment.OpInquire, ref.String(), "")
	got, err := p.inquireCall(oc.ctx, ref, oc)
	p.endCall(oc, paymentStatus(got), err)
	return got, err
}

func (p *Provider) inquireCall(ctx context.Context, ref payment.Ref, oc *observed) (*payment.Payment, error) {
	if err := payment.ValidateRef(p.name, p.caps, payment.OpInquire, ref); err != nil {
		return nil, err
	}
	id := ref.String()
	wreq, err := p.d.EncodeInquire(ref)
	if err != nil {
		return nil, p.fail(payment.OpInquire, id, payment.KindInvalidRequest, payment.Result{}, fmt.Errorf("encoding the request: %w", err))
	}
	var got *payment.Payment
	err = p.do(ctx, call{op: payment.OpInquire, id: id, req: wreq, obs: oc,
		decode: func(a *driver.Answer) (driver.Verdict, error) {
			pay, v, err := p.d.DecodeInquire(ref, a)
			if err != nil || v.Outcome != driver.Done {
				return v, err
			}
			if err := checkPaymentRef(ref, pay, false); err != nil {
				return v, contradiction(err)
			}
			got = fillRef(p.name, ref, pay, v.Result)
			return v, nil
		}})
	return got, err
}

// Cancel closes a payment and returns its new state.
func (p *Provider) Cancel(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if p.obs == nil {
		return p.cancelCall(ctx, ref, nil)
	}
	oc := p.startCall(ctx, payment.OpCancel, ref.String(), "")
	got, err := p.cancelCall(oc.ctx, ref, oc)
	p.endCall(oc, paymentStatus(got), err)
	return got, err
}

func (p *Provider) cancelCall(ctx context.Context, ref payment.Ref, oc *observed) (*payment.Payment, error) {
	if err := payment.ValidateRef(p.name, p.caps, payment.OpCancel, ref); err != nil {
		return nil, err
	}
	id := ref.String()
	wreq, err := p.d.EncodeCancel(ref)
	if err != nil {
		return nil, p.fail(payment.OpCancel, id, payment.KindInvalidRequest, payment.Result{}, fmt.Errorf("encoding the request: %w", err))
	}
	settle, err := p.journalBegin(ctx, payment.OpCancel, id, wreq.Body, journal.Request{Cancel: &ref}, func(r journal.Request) (driver.Request, error) {
		return p.d.EncodeCancel(*r.Cancel)
	})
	if err != nil {
		return nil, err
	}
	var got *payment.Payment
	err = p.do(ctx, call{op: payment.OpCancel, id: id, mutating: true, req: wreq, obs: oc,
		decode: func(a *driver.Answer) (driver.Verdict, error) {
			pay, v, err := p.d.DecodeCancel(ref, a)
			if err != nil || v.Outcome != driver.Done {
				return v, err
			}
			if err := checkPaymentRef(ref, pay, true); err != nil {
				return v, contradiction(err)
			}
			got = fillRef(p.name, ref, pay, v.Result)
			return v, nil
		}})
	var o journal.Outcome
	if err == nil {
		o = journal.Outcome{PaymentID: got.PaymentID, Status: string(got.Status)}
	}
	settle(ctx, err, o)
	return got, err
}

// Refund refunds part or all of a payment, or returns the existing refund
// for a repeated RefundRequestID with the same amount.
func (p *Provider) Refund(ctx context.Context, req *payment.RefundRequest) (*payment.Refund, error) {
	if p.obs == nil {
		return p.refundCall(ctx, req, nil)
	}
	var id string
	if req != nil {
		id = req.RefundRequestID
	}
	oc := p.startCall(ctx, payment.OpRefund, id, "")
	got, err := p.refundCall(oc.ctx, req, oc)
	p.endCall(oc, refundStatus(got), err)
	return got, err
}

func (p *Provider) refundCall(ctx context.Context, req *payment.RefundRequest, oc *observed) (*payment.Refund, error) {
	var extra []payment.FieldError
	if req != nil {
		extra = p.d.CheckRefund(req)
	}
	if err := payment.ValidateRefund(p.name, p.caps, req, extra...); err != nil {
		return nil, err
	}
	id := req.RefundRequestID
	wreq, err := p.d.EncodeRefund(req)
	if err != nil {
		return nil, p.fail(payment.OpRefund, id, payment.KindInvalidRequest, payment.Result{}, fmt.Errorf("encoding the request: %w", err))
	}
	settle, err := p.journalBegin(ctx, payment.OpRefund, id, wreq.Body, journal.Request{Refund: req}, func(r journal.Request) (driver.Request, error) {
		return p.d.EncodeRefund(r.Refund)
	})
	if err != nil {
		return nil, err
	}
	var got *payment.Refund
	err = p.do(ctx, call{op: payment.OpRefund, id: id, mutating: true, req: wreq, obs: oc,
		decode: func(a *driver.Answer) (driver.Verdict, error) {
			r, v, err := p.d.DecodeRefund(req, a)
			if err != nil || v.Outcome != driver.Done {
				return v, err
			}
			if err := checkRefund(req, r); err != nil {
				return v, contradiction(err)
			}
			got = fillRefund(p.name, req, r, v.Result)
			return v, nil
		}})
	var o journal.Outcome
	if err == nil {
		o = journal.Outcome{PaymentID: got.PaymentID, RefundID: got.RefundID, Status: string(got.Status)}
	}
	settle(ctx, err, o)
	return got, err
}

// InquireRefund returns the refund's current state.
func (p *Provider) InquireRefund(ctx context.Context, ref payment.RefundRef) (*payment.Refund, error) {
	if p.obs == nil {
		return p.inquireRefundCall(ctx, ref, nil)
	}
	oc := p.startCall(ctx, payment.OpInquireRefund, ref.String(), "")
	got, err := p.inquireRefundCall(oc.ctx, ref, oc)
	p.endCall(oc, refundStatus(got), err)
	return got, err
}

func (p *Provider) inquireRefundCall(ctx context.Context, ref payment.RefundRef, oc *observed) (*payment.Refund, error) {
	if err := payment.ValidateRefundRef(p.name, p.caps, ref); err != nil {
		return nil, err
	}
	id := ref.String()
	wreq, err := p.d.EncodeInquireRefund(ref)
	if err != nil {
		return nil, p.fail(payment.OpInquireRefund, id, payment.KindInvalidRequest, payment.Result{}, fmt.Errorf("encoding the request: %w", err))
	}
	var got *payment.Refund
	err = p.do(ctx, call{op: payment.OpInquireRefund, id: id, req: wreq, obs: oc,
		decode: func(a *driver.Answer) (driver.Verdict, error) {
			r, v, err := p.d.DecodeInquireRefund(ref, a)
			if err != nil || v.Outcome != driver.Done {
				return v, err
			}
			if err := checkRefundRef(ref, r); err != nil {
				return v, contradiction(err)
			}
			got = fillRefundRef(p.name, ref, r, v.Result)
			return v, nil
		}})
	return got, err
}

// Call sends a read-only operation of the adapter's own (a report, a
// transaction list) under the same envelope, retry policy and outcome table
// as the neutral operations. decode reads one trusted answer, keeps what it
// needs, and returns the verdict; an error marks the answer unreadable. op
// and id name the call in errors and logs.
//
// Call is for reads only: the engine never treats an attempt as possibly
// performed when deciding its outcome.
func (p *Provider) Call(ctx context.Context, op, id string, req driver.Request, decode func(*driver.Answer) (driver.Verdict, error)) error {
	var oc *observed
	if p.obs != nil {
		oc = p.startCall(ctx, op, id, "")
		ctx = oc.ctx
	}
	var err error
	if decode == nil {
		err = p.fail(op, id, payment.KindInvalidRequest, payment.Result{}, errors.New("no decode function"))
	} else {
		err = p.do(ctx, call{op: op, id: id, req: req, decode: decode, obs: oc})
	}
	if oc != nil {
		p.endCall(oc, "", err)
	}
	return err
}

// fail builds the one error type every call returns, and logs unknown
// outcomes.
func (p *Provider) fail(op, id string, kind payment.Kind, res payment.Result, cause error) error {
	return p.report(&payment.Error{Op: op, Provider: p.name, Kind: kind, RequestID: safeID(id), Result: res, Err: cause})
}

// report logs e if its outcome is unknown, and returns it.
func (p *Provider) report(e *payment.Error) error {
	if e.Kind == payment.KindUnknownOutcome && p.cfg.Logger != nil {
		p.cfg.Logger.Warn("paybridge: unknown outcome", "provider", p.name, "op", e.Op,
			"request_id", e.RequestID, "error", e.Error())
	}
	return e
}

// safeID keeps a malformed ID out of error strings and logs as it is; the
// validation refuses such IDs, but an answer may carry anything.
func safeID(id string) string {
	if len(id) > 64 {
		id = id[:64]
	}
	if strings.IndexFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return fmt.Sprintf("%q", id)
	}
	return id
}
