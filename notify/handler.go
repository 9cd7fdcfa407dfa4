package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
)

// Source is what a provider adapter offers the Handler: its notifications'
// signature check, body parsing and acknowledgement. The paybridge adapters
// (*alphapay.Client, *alipayplus.Client) implement it.
type Source interface {
	// Name is the provider's name.
	Name() string
	// VerifyNotification checks the provider's signature over the raw body,
	// the headers and uri — the URI the provider posted to — and returns
	// the time the provider signed it. The Handler calls it with the path
	// and query and, if that does not verify and there is a query, with the
	// path alone (see Handler). Once the signature verifies, a timestamp it
	// cannot read is an error wrapping ErrBadTimestamp (ParseTimestamp reads
	// the forms providers send); every other error is a bad signature.
	VerifyNotification(h http.Header, uri string, body []byte) (sentAt time.Time, err error)
	// ParseNotification turns a verified body into an event. An error
	// wrapping payment.ErrUnknownEvent means the body decoded but describes
	// nothing the adapter knows.
	ParseNotification(body []byte) (payment.Event, error)
	// Acknowledgement is the exact answer that tells the provider the
	// notification was taken.
	Acknowledgement() (status int, contentType string, body []byte)
}

// DeliverFunc hands an event to the platform. It must return nil only once
// the event is durably taken (stored, queued): the provider stops retrying
// then. An error makes the provider deliver it again later.
type DeliverFunc func(ctx context.Context, e payment.Event) error

// The Handler's errors, matched with errors.Is.
var (
	ErrMethod       = errors.New("notify: method not allowed")
	ErrTooLarge     = errors.New("notify: body too large")
	ErrBadSignature = errors.New("notify: signature does not verify")
	// ErrBadTimestamp rejects a notification whose signature verified but
	// whose timestamp cannot be read (see ParseTimestamp): the provider's,
	// in a time format paybridge does not read, which a log should say
	// rather than report a forgery.
	ErrBadTimestamp = errors.New("notify: unreadable timestamp")
	ErrStale        = errors.New("notify: timestamp too old")
	ErrFuture       = errors.New("notify: timestamp in the future")
	ErrUndecodable  = errors.New("notify: undecodable body")
	ErrUnknownEvent = errors.New("notify: unknown event")
	ErrInFlight     = errors.New("notify: the same event is being delivered")
	ErrDeliver      = errors.New("notify: delivery failed")
	// ErrStore wraps the store's own error: a Claim, Complete or Release
	// that failed. A notification is never acknowledged then.
	ErrStore = errors.New("notify: store failed")
)

// Defaults of the Handler's options.
const (
	DefaultMaxBytes  = 64 << 10
	DefaultTolerance = 5 * time.Minute
	// DefaultStoreTimeout bounds each store call: a shared store that hangs
	// must not hold the provider's request until it gives up on its own.
	DefaultStoreTimeout = 5 * time.Second
)

// Option configures a Handler.
type Option func(*Handler)

// WithMaxBytes caps the body; a larger one is refused with 413.
func WithMaxBytes(n int64) Option { return func(h *Handler) { h.maxBytes = n } }

// WithTolerance sets how far the signed timestamp may be from the clock,
// either way.
func WithTolerance(d time.Duration) Option { return func(h *Handler) { h.tolerance = d } }

// WithPublicURI sets the URI (path and query) the provider posts to, for
// deployments behind a proxy that rewrites paths: the signature covers the
// URI as the provider addressed it, not as it reaches the handler. Its path
// alone is tried too, as for the request URI (see Handler).
func WithPublicURI(uri string) Option { return func(h *Handler) { h.publicURI = uri } }

// WithStore sets the de-duplication store (default: NewMemoryStore with its
// defaults, for a platform that runs one instance). Several instances of a
// platform share one store: notify/redisstore or notify/pgstore.
func WithStore(s Store) Option { return func(h *Handler) { h.store = s } }

// WithStoreTimeout bounds each call to the store (default
// DefaultStoreTimeout). Complete and Release get their own d even when the
// provider has hung up, so that a finished delivery is still recorded.
func WithStoreTimeout(d time.Duration) Option { return func(h *Handler) { h.storeTimeout = d } }

// WithClock sets the clock the timestamp window is checked against.
func WithClock(c payment.Clock) Option { return func(h *Handler) { h.clock = c } }

// WithLogger logs every rejection and delivery (no bodies, no signatures).
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithObserver calls f once per notification request with the request and
// what happened to it: delivered, duplicate, rejected (Err says why) or
// failed delivery. Use it for alerts and records of your own; WithTelemetry
// gives an observe.Observer (OpenTelemetry's, say) the same as spans and
// metrics.
func WithObserver(f func(r *http.Request, outcome Outcome)) Option {
	return func(h *Handler) { h.observe = f }
}

// WithTelemetry reports every notification request to o: a span and
// metrics with observe/otelpaybridge, or an observe.Observer of your own
// (NotificationStart and NotificationEnd: the verdict, the reason of a
// rejection, the status answered, the event's kind and key). deliver runs
// in the context NotificationStart returns, so its own spans are the
// notification's children. Without it nothing is observed, at no cost.
// WithObserver is the callback with the request and the whole Outcome; both
// may be set.
func WithTelemetry(o observe.Observer) Option { return func(h *Handler) { h.obs = o } }

// Outcome is what happened to one notification request.
type Outcome struct {
	// Event is the parsed event, when parsing got that far.
	Event *payment.Event
	// Status is the HTTP status answered.
	Status int
	// Acked reports whether the provider's acknowledgement was sent.
	Acked bool
	// Duplicate reports an event delivered before.
	Duplicate bool
	// Delivered reports that deliver took the event in this request. With
	// a non-nil Err wrapping ErrStore it means the store could not record
	// it: the provider will retry, and deliver may see the event again.
	Delivered bool
	// Err is the reason, wrapping one of the Err* values, or nil.
	Err error
}

// Handler is the http.Handler for one provider's notify URL.
//
// The provider signs the URI it posts to, but the specifications disagree
// on which URI that is: "the path of the notify URL" in one place, "plus
// query string" in another. For a notify URL with a query
// (/hooks/alphapay?shop=1) the Handler therefore accepts the provider's
// signature over either form: it verifies the path and query first and, if
// that fails, the path alone. Both are signatures by the provider's key over
// the URI it was given; a forged or altered notification verifies under
// neither. A signature over the path alone does not cover the query, so
// treat query parameters as routing hints, never as facts the body does not
// confirm.
type Handler struct {
	src       Source
	deliver   DeliverFunc
	maxBytes  int64
	tolerance time.Duration
	publicURI string
	store     Store
	clock     payment.Clock
	// storeTimeout bounds each store call.
	storeTimeout time.Duration
	log          *slog.Logger
	observe      func(*http.Request, Outcome)
	obs          observe.Observer
}

// NewHandler returns a Handler that delivers src's notifications to deliver.
func NewHandler(src Source, deliver DeliverFunc, opts ...Option) *Handler {
	h := &Handler{src: src, deliver: deliver, maxBytes: DefaultMaxBytes, tolerance: DefaultTolerance, storeTimeout: DefaultStoreTimeout}
	for _, o := range opts {
		o(h)
	}
	if h.store == nil {
		h.store = NewMemoryStore(MemoryStoreOptions{Clock: h.clock})
	}
	if h.storeTimeout <= 0 {
		h.storeTimeout = DefaultStoreTimeout
	}
	h.clock = payment.OrSystem(h.clock)
	return h
}

// ServeHTTP handles one notification.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.obs == nil {
		h.serve(r.Context(), w, r)
		return
	}
	n := &observe.Notification{Provider: h.src.Name(), Start: h.clock.Now()}
	ctx := h.obs.NotificationStart(r.Context(), n)
	out := h.serve(ctx, w, r)
	n.Duration = h.clock.Now().Sub(n.Start)
	n.Verdict, n.Reason = verdictOf(out)
	n.HTTPStatus, n.Acked = out.Status, out.Acked
	if ev := out.Event; ev != nil {
		n.EventKind, n.EventKey = ev.Kind, ev.Key
		switch {
		case ev.Payment != nil:
			n.Status = string(ev.Payment.Status)
		case ev.Refund != nil:
			n.Status = string(ev.Refund.Status)
		}
	}
	h.obs.NotificationEnd(ctx, n)
}

// serve handles one notification in ctx, answers it and reports it.
func (h *Handler) serve(ctx context.Context, w http.ResponseWriter, r *http.Request) Outcome {
	out := h.handle(ctx, r)
	if out.Acked {
		status, ctype, body := h.src.Acknowledgement()
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	} else {
		// Anything but the acknowledgement makes the provider retry.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(out.Status)
		_, _ = io.WriteString(w, http.StatusText(out.Status)+"\n")
	}
	h.report(r, out)
	return out
}

// verdictOf names what became of a notification, and why one was
// rejected, for observers.
func verdictOf(out Outcome) (observe.Verdict, string) {
	switch err := out.Err; {
	case err == nil && out.Duplicate:
		return observe.VerdictDuplicate, ""
	case err == nil:
		return observe.VerdictDelivered, ""
	case errors.Is(err, ErrStore):
		// Before ErrDeliver: a failed delivery whose claim could not be
		// released is a store failure too, the one to act on.
		return observe.VerdictStoreFailed, ""
	case errors.Is(err, ErrDeliver):
		return observe.VerdictDeliverFailed, ""
	case errors.Is(err, ErrInFlight):
		return observe.VerdictInFlight, ""
	case errors.Is(err, ErrUnknownEvent):
		return observe.VerdictUnknownEvent, ""
	}
	for _, r := range rejections {
		if errors.Is(out.Err, r.err) {
			return observe.VerdictRejected, r.reason
		}
	}
	return observe.VerdictRejected, "other"
}

// rejections name the reasons a notification is refused before delivery.
var rejections = []struct {
	err    error
	reason string
}{
	{ErrMethod, "method"}, {ErrTooLarge, "too_large"}, {ErrBadSignature, "bad_signature"},
	{ErrBadTimestamp, "bad_timestamp"}, {ErrStale, "stale"}, {ErrFuture, "future"}, {ErrUndecodable, "undecodable"},
}

func (h *Handler) handle(ctx context.Context, r *http.Request) Outcome {
	if r.Method != http.MethodPost {
		return Outcome{Status: http.StatusMethodNotAllowed, Err: ErrMethod}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.maxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return Outcome{Status: http.StatusRequestEntityTooLarge, Err: ErrTooLarge}
		}
		return Outcome{Status: http.StatusBadRequest, Err: fmt.Errorf("%w: reading body: %v", ErrUndecodable, err)}
	}
	sentAt, err := h.verify(r, body)
	switch {
	case errors.Is(err, ErrBadTimestamp):
		return Outcome{Status: http.StatusBadRequest, Err: err}
	case err != nil:
		return Outcome{Status: http.StatusUnauthorized, Err: fmt.Errorf("%w: %v", ErrBadSignature, err)}
	}
	now := h.clock.Now()
	switch {
	case sentAt.Before(now.Add(-h.tolerance)):
		return Outcome{Status: http.StatusBadRequest, Err: fmt.Errorf("%w: signed %s ago", ErrStale, now.Sub(sentAt).Round(time.Second))}
	case sentAt.After(now.Add(h.tolerance)):
		return Outcome{Status: http.StatusBadRequest, Err: fmt.Errorf("%w: signed %s ahead", ErrFuture, sentAt.Sub(now).Round(time.Second))}
	}
	ev, err := h.src.ParseNotification(body)
	if err != nil {
		if errors.Is(err, payment.ErrUnknownEvent) {
			// Genuine, but nothing we can act on, now or later: acknowledge
			// so the provider stops, and report it.
			return Outcome{Status: http.StatusOK, Acked: true, Err: fmt.Errorf("%w: %v", ErrUnknownEvent, err)}
		}
		return Outcome{Status: http.StatusBadRequest, Err: fmt.Errorf("%w: %v", ErrUndecodable, err)}
	}
	if ev.SentAt.IsZero() {
		ev.SentAt = sentAt
	}
	return h.dispatch(ctx, ev)
}

// verify checks the provider's signature over the URI the provider posted
// to: its path and query, then, if that fails and there is a query, its
// path alone. The error is the first form's, unless the second verified and
// only its timestamp could not be read.
func (h *Handler) verify(r *http.Request, body []byte) (time.Time, error) {
	uri := h.publicURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	sentAt, err := h.src.VerifyNotification(r.Header, uri, body)
	if err == nil || errors.Is(err, ErrBadTimestamp) {
		return sentAt, err
	}
	path, _, hasQuery := strings.Cut(uri, "?")
	if !hasQuery {
		return time.Time{}, err
	}
	sentAt, perr := h.src.VerifyNotification(r.Header, path, body)
	if perr == nil || errors.Is(perr, ErrBadTimestamp) {
		return sentAt, perr
	}
	return time.Time{}, err
}

// dispatch delivers ev once and says how to answer the provider.
func (h *Handler) dispatch(ctx context.Context, ev payment.Event) Outcome {
	claim, delivered, err := deliverOnce(ctx, h.store, h.storeTimeout, h.deliver, ev)
	switch {
	case errors.Is(err, ErrDeliver):
		return Outcome{Event: &ev, Status: http.StatusInternalServerError, Err: err}
	case err != nil:
		// A store error never acknowledges, even after a delivery that
		// went through: the key is not recorded as done, so only the
		// provider's retry can make sure it is (deliver, idempotent on
		// Event.Key, may then see the event again — a duplicate is
		// recoverable, a notification dropped on a store error is not).
		return Outcome{Event: &ev, Status: http.StatusServiceUnavailable, Delivered: delivered, Err: err}
	case claim == ClaimDone:
		return Outcome{Event: &ev, Status: http.StatusOK, Acked: true, Duplicate: true}
	case claim == ClaimBusy:
		return Outcome{Event: &ev, Status: http.StatusConflict, Duplicate: true, Err: ErrInFlight}
	}
	return Outcome{Event: &ev, Status: http.StatusOK, Acked: true, Delivered: true}
}

// deliverOnce claims ev.Key, delivers ev if the claim is new, and completes
// the claim — or releases it when delivery failed, so that a retry can
// succeed later. It reports whether deliver took the event. Each store call
// is bounded by timeout. The Handler and the Reconciler share it.
func deliverOnce(ctx context.Context, store Store, timeout time.Duration, deliver DeliverFunc, ev payment.Event) (Claim, bool, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	claim, token, err := store.Claim(cctx, ev.Key)
	cancel()
	if err != nil {
		return 0, false, fmt.Errorf("%w: claim: %w", ErrStore, err)
	}
	if claim != ClaimNew {
		return claim, false, nil
	}
	err = deliver(ctx, ev)
	// Complete and Release run even if the provider hung up meanwhile: the
	// store must learn how the delivery ended, or the key stays claimed
	// until its timeout. Their time starts now, however long deliver took.
	finish, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err != nil {
		// The claim must not outlive a failed delivery, or the provider's
		// retry would be answered busy until the claim timed out.
		if rerr := store.Release(finish, ev.Key, token); rerr != nil {
			err = errors.Join(err, fmt.Errorf("%w: release: %w", ErrStore, rerr))
		}
		return claim, false, fmt.Errorf("%w: %w", ErrDeliver, err)
	}
	if err := store.Complete(finish, ev.Key, token); err != nil {
		return claim, true, fmt.Errorf("%w: complete: %w", ErrStore, err)
	}
	return claim, true, nil
}

func (h *Handler) report(r *http.Request, out Outcome) {
	if h.log != nil {
		attrs := []any{"provider", h.src.Name(), "status", out.Status, "acked", out.Acked, "duplicate", out.Duplicate}
		if out.Event != nil {
			attrs = append(attrs, "event", out.Event.Key)
		}
		switch {
		case errors.Is(out.Err, ErrStore):
			// The one failure an operator must act on: duplicates are no
			// longer held back across instances.
			h.log.Error("paybridge: notification store failed", append(attrs, "delivered", out.Delivered, "error", out.Err.Error())...)
		case out.Err != nil:
			h.log.Warn("paybridge: notification not delivered", append(attrs, "error", out.Err.Error())...)
		default:
			h.log.Info("paybridge: notification", attrs...)
		}
	}
	if h.observe != nil {
		h.observe(r, out)
	}
}
