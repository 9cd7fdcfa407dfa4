package alipayplus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// Client is the Alipay+ v1 wallet adapter: a payment.Provider. It is safe
// for concurrent use; create one per wallet and merchant and reuse it, so
// that connections are reused.
type Client struct {
	cfg   settings
	raw   bool // send the signature as raw base64
	caps  payment.Capabilities
	tr    *transport.Client
	clock payment.Clock
}

var _ payment.Provider = (*Client)(nil)

// New checks cfg, parses the keys and returns a Client. Errors wrap
// ErrInvalidConfig and name the field; they never contain key material.
func New(cfg Config) (*Client, error) {
	s, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: s, raw: cfg.RawSignature, clock: payment.OrSystem(cfg.Clock)}
	c.caps = capabilities(s.currencies)
	c.tr, err = transport.New(transport.Config{
		Provider:   Name,
		BaseURL:    strings.TrimSuffix(cfg.BaseURL, "/") + s.prefix,
		HTTPClient: cfg.HTTPClient,
		Retry:      cfg.Retry,
		Clock:      c.clock,
		Logger:     cfg.Logger,
		Sign:       c.sign,
		Verify:     c.verify,
		UserAgent:  "paybridge-alipayplus",
	})
	if err != nil {
		return nil, &ConfigError{"BaseURL", err}
	}
	return c, nil
}

func capabilities(currencies []money.Currency) payment.Capabilities {
	return payment.Capabilities{
		Scenarios:                []payment.Scenario{payment.ScenarioCashier},
		Currencies:               currencies,
		MaxAmountDigits:          16,
		MaxDescription:           256,
		ExpiresAt:                true,
		InquireByRequestID:       true,
		Cancel:                   true,
		CancelPaid:               true,
		Refund:                   true,
		PartialRefund:            true,
		InquireRefundByRequestID: true,
		Notifications:            true,
	}
}

// Name returns "alipayplus".
func (c *Client) Name() string { return Name }

// Capabilities lists the cashier scenario (no methods: the wallet is the
// method), the configured currencies (any by default), 16-digit amounts,
// expiry, inquiry and cancel by PaymentRequestID, cancel of paid payments
// (a full reversal), partial refunds and notifications. Alipay+ reports
// refunds per refund: Inquire shows a refunded payment as succeeded
// (InquiryShowsRefunds is false); use InquireRefund.
func (c *Client) Capabilities() payment.Capabilities { return c.caps }

// sign sets Client-Id, Request-Time and Signature for one attempt.
func (c *Client) sign(h http.Header, uri string, body []byte, now time.Time) error {
	ts := now.Format(c.cfg.timeLayout)
	sig, err := signing.Sign(c.cfg.keys.merchant, signing.Message(http.MethodPost, uri, body, c.cfg.clientID, ts))
	if err != nil {
		return err
	}
	h.Set(wire.HeaderClientID, c.cfg.clientID)
	h.Set(wire.HeaderRequestTime, ts)
	h.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: c.cfg.keyVersion, Signature: sig}.Format(!c.raw))
	return nil
}

// Errors of answer and notification verification. They are the causes of
// unknown outcomes (answers) or the notify handler's rejections
// (notifications).
var (
	// ErrUnsigned: a signature, Client-Id or time header is missing where
	// the protocol requires it.
	ErrUnsigned = errors.New("alipayplus: not signed")
	// ErrWrongClient: the Client-Id header names another client.
	ErrWrongClient = errors.New("alipayplus: Client-Id is not ours")
)

// verify decides whether an answer can be believed. A signed answer must
// carry our Client-Id and a Response-Time and verify with the wallet key
// over the request's URI. An unsigned answer is believed only when its
// result is F or U (spec §2, the official SDKs' rule): an error page or a
// gateway may answer unsigned, but never with a success.
func (c *Client) verify(a *transport.Answer) error {
	h := a.Header
	if h.Get(wire.HeaderSignature) == "" {
		if id := h.Get(wire.HeaderClientID); id != "" && id != c.cfg.clientID {
			return ErrWrongClient
		}
		var env struct {
			Result wire.Result `json:"result"`
		}
		if json.Unmarshal(a.Body, &env) == nil {
			switch env.Result.ResultStatus {
			case wire.StatusF, wire.StatusU:
				return nil
			}
		}
		return fmt.Errorf("%w: an unsigned answer is trusted only with result F or U", ErrUnsigned)
	}
	return c.verifySigned(a.URI, h.Get(wire.HeaderResponseTime), h, a.Body)
}

// verifySigned checks the Client-Id and Signature headers over uri, the
// given time and body.
func (c *Client) verifySigned(uri, ts string, h http.Header, body []byte) error {
	id, sigHeader := h.Get(wire.HeaderClientID), h.Get(wire.HeaderSignature)
	if sigHeader == "" || id == "" || ts == "" {
		return ErrUnsigned
	}
	if id != c.cfg.clientID {
		return ErrWrongClient
	}
	hdr, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return err
	}
	if !signing.AlgorithmOK(hdr.Algorithm) {
		return fmt.Errorf("%w: unsupported algorithm", signing.ErrMalformedHeader)
	}
	return signing.Verify(c.cfg.keys.wallet, signing.Message(http.MethodPost, uri, body, id, ts), hdr.Signature)
}

// call marshals body once and sends it; every U answer is retried with the
// same bytes.
func (c *Client) call(ctx context.Context, op, id, path string, body any) (*transport.Answer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &payment.Error{Op: op, Provider: Name, Kind: payment.KindInvalidRequest, RequestID: id, Err: err}
	}
	return c.tr.Do(ctx, transport.Call{Op: op, RequestID: id, Path: path, Body: b, Inspect: inspectResult})
}

// inspectResult reads the result object of any answer; U is retried, S, A
// and F are final.
func inspectResult(a *transport.Answer) (payment.Result, bool) {
	var env struct {
		Result wire.Result `json:"result"`
	}
	if err := json.Unmarshal(a.Body, &env); err != nil || env.Result.ResultStatus == "" {
		// Not an answer we can read: treat as unknown and ask again.
		return payment.Result{Status: payment.ResultUnknown, Code: "UNREADABLE_ANSWER"}, true
	}
	return neutralResult(env.Result), env.Result.ResultStatus == wire.StatusU
}

func neutralResult(r wire.Result) payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}
}

// outcome turns a final trusted answer into an error, or nil for S (and
// for A where the operation has an accepted state, which only pay has).
func outcome(op, id string, a *transport.Answer, acceptA bool) error {
	switch a.Result.Status {
	case payment.ResultSucceeded:
		return nil
	case payment.ResultAccepted:
		if acceptA {
			return nil
		}
	case payment.ResultFailed:
		return &payment.Error{Op: op, Provider: Name, Kind: failureKind(a.Result.Code), RequestID: id, Result: a.Result}
	}
	return &payment.Error{Op: op, Provider: Name, Kind: payment.KindUnknownOutcome, RequestID: id, Result: a.Result,
		Err: errors.New("unexpected result status")}
}

// failureKind maps an F code to the most precise kind.
func failureKind(code string) payment.Kind {
	switch code {
	case wire.CodeRepeatReqInconsistent:
		return payment.KindIdempotencyConflict
	case wire.CodeOrderNotExist, wire.CodeRefundNotExist:
		return payment.KindNotFound
	case wire.CodeParamIllegal, wire.CodeMsgParseError:
		return payment.KindInvalidRequest
	case wire.CodeCurrencyNotSupport:
		return payment.KindUnsupported
	}
	return payment.KindFailed
}

// untrusted reports an answer that verified but contradicts the request: the
// wallet may have acted on something else, so nothing is concluded.
func untrusted(op, id string, a *transport.Answer, format string, args ...any) error {
	return &payment.Error{Op: op, Provider: Name, Kind: payment.KindUnknownOutcome, RequestID: id, Result: a.Result,
		Err: fmt.Errorf("answer contradicts the request: "+format, args...)}
}

func decode(op, id string, a *transport.Answer, v any) error {
	if err := json.Unmarshal(a.Body, v); err != nil {
		return &payment.Error{Op: op, Provider: Name, Kind: payment.KindUnknownOutcome, RequestID: id, Result: a.Result,
			Err: fmt.Errorf("undecodable answer: %w", err)}
	}
	return nil
}

// Pay creates a cashier payment. The wallet answers S or A with a
// redirectActionForm: the payment is Pending and Action redirects the
// customer to the wallet's cashier (or hands its URL to my.tradePay in a
// mini program). With PayOptions.AuthCode (agreement or auth-code pay) the
// wallet usually debits at once: S without a form is Succeeded.
//
// Repeating the same request returns the same payment. When the wallet
// answers a repeat with REPEAT_REQUEST and no form, the adapter inquires
// once by PaymentRequestID and returns what the wallet holds, whatever its
// status.
func (c *Client) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	r, opts, bad := c.checkPay(req)
	if err := payment.ValidatePay(Name, c.caps, r, bad...); err != nil {
		return nil, err
	}
	id := req.PaymentRequestID
	a, err := c.call(ctx, payment.OpPay, id, wire.PathPay, c.payRequest(req, opts))
	if err != nil {
		return nil, err
	}
	p, repeat, err := parsePay(req, a)
	if err != nil || !repeat {
		return p, err
	}
	// A repeat without the form: only the wallet knows whether the original
	// is pending, paid, cancelled or failed.
	got, err := c.Inquire(ctx, payment.Ref{PaymentRequestID: id})
	if err != nil {
		return nil, &payment.Error{Op: payment.OpPay, Provider: Name, Kind: payment.KindUnknownOutcome, RequestID: id, Result: a.Result,
			// %v, not %w: the inquiry's own kind (say, failed) must not
			// show through errors.Is on the pay's unknown outcome.
			Err: fmt.Errorf("the wallet answered %s; inquiring the original payment: %v", a.Result.Code, err)}
	}
	if p.PaymentID != "" && got.PaymentID != p.PaymentID {
		return nil, untrusted(payment.OpPay, id, a, "the repeated payment is %q, the inquiry found %q", p.PaymentID, got.PaymentID)
	}
	if !got.Amount.IsZero() && !got.Amount.Equal(req.Amount) {
		return nil, untrusted(payment.OpPay, id, a, "the original payment is of %s, not %s", got.Amount, req.Amount)
	}
	got.Amount = req.Amount
	got.PaymentRequestID = id
	got.Result = a.Result
	return got, nil
}

// parsePay turns a trusted final pay answer into a Payment, refusing any
// answer that contradicts the request. repeat reports a REPEAT_REQUEST
// without an action form, whose status only an inquiry can tell.
func parsePay(req *payment.PayRequest, a *transport.Answer) (p *payment.Payment, repeat bool, err error) {
	id := req.PaymentRequestID
	if err := outcome(payment.OpPay, id, a, true); err != nil {
		return nil, false, err
	}
	var resp wire.PayResponse
	if err := decode(payment.OpPay, id, a, &resp); err != nil {
		return nil, false, err
	}
	if resp.PaymentID == "" {
		return nil, false, untrusted(payment.OpPay, id, a, "no paymentId")
	}
	if resp.PaymentAmount != nil {
		if got, err := fromWireAmount(*resp.PaymentAmount); err != nil || !got.Equal(req.Amount) {
			return nil, false, untrusted(payment.OpPay, id, a, "paymentAmount differs from the %s requested", req.Amount)
		}
	}
	p = &payment.Payment{
		Provider:         Name,
		PaymentRequestID: id,
		PaymentID:        resp.PaymentID,
		Status:           payment.StatusPending,
		Amount:           req.Amount,
		Scenario:         payment.ScenarioCashier,
		ExpiresAt:        req.ExpiresAt,
		Result:           a.Result,
	}
	if f := resp.RedirectActionForm; f != nil && f.URL() != "" {
		p.Action = &payment.Action{Kind: payment.ActionRedirect, URL: f.URL(), HTTPMethod: httpMethod(f.Method)}
		return p, false, nil
	}
	switch {
	case a.Result.Code == wire.CodeRepeatRequest:
		return p, true, nil
	case a.Result.Status == payment.ResultSucceeded:
		// Synchronous pay (agreement or auth-code pay): debited already.
		p.Status = payment.StatusSucceeded
		p.PaidAt = parseTime(resp.PaymentTime)
	}
	// An A answer without a form: accepted, but the wallet gave nothing to
	// open; the payment stays pending until it notifies or is inquired.
	return p, false, nil
}

// httpMethod is the redirect's method: the form's, upper-cased, or GET.
func httpMethod(m string) string {
	if m = strings.ToUpper(strings.TrimSpace(m)); m == "" {
		return http.MethodGet
	}
	return m
}

// Inquire returns the payment's current state, by PaymentID or
// PaymentRequestID (PaymentID wins when both are given).
//
// Alipay+ reports refunds per refund, not on the payment: a payment that
// has been partly or wholly refunded still inquires as succeeded. Use
// InquireRefund for each refund.
func (c *Client) Inquire(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if err := payment.ValidateRef(Name, c.caps, payment.OpInquire, ref); err != nil {
		return nil, err
	}
	id := ref.String()
	a, err := c.call(ctx, payment.OpInquire, id, wire.PathInquiry, wire.PaymentRef{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID})
	if err != nil {
		return nil, err
	}
	return parseInquiry(ref, a)
}

// parseInquiry turns a trusted inquiry answer into a Payment.
func parseInquiry(ref payment.Ref, a *transport.Answer) (*payment.Payment, error) {
	id := ref.String()
	if err := outcome(payment.OpInquire, id, a, false); err != nil {
		return nil, err
	}
	var resp wire.InquiryResponse
	if err := decode(payment.OpInquire, id, a, &resp); err != nil {
		return nil, err
	}
	switch {
	case resp.PaymentID == "":
		return nil, untrusted(payment.OpInquire, id, a, "no paymentId")
	case ref.PaymentID != "" && resp.PaymentID != ref.PaymentID:
		return nil, untrusted(payment.OpInquire, id, a, "paymentId %q", resp.PaymentID)
	case ref.PaymentRequestID != "" && resp.PaymentRequestID != "" && resp.PaymentRequestID != ref.PaymentRequestID:
		return nil, untrusted(payment.OpInquire, id, a, "paymentRequestId %q", resp.PaymentRequestID)
	}
	p, err := paymentFromInquiry(&resp)
	if err != nil {
		return nil, untrusted(payment.OpInquire, id, a, "%v", err)
	}
	if p.PaymentRequestID == "" {
		p.PaymentRequestID = ref.PaymentRequestID
	}
	p.Result = a.Result
	return p, nil
}

// Cancel closes a payment, by PaymentID or PaymentRequestID. A pending one
// is closed; a paid one, inside the wallet's cancel window, is reversed in
// full (Succeeded → Cancelled). Outside the window the wallet answers F
// CANCEL_WINDOW_EXCEED, and a partly refunded payment F ORDER_STATUS_INVALID
// (both ErrFailed: refund instead).
//
// The returned Payment carries the IDs, StatusCancelled and CancelledAt; the
// amount is not in the wallet's answer (Inquire for the full state).
func (c *Client) Cancel(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if err := payment.ValidateRef(Name, c.caps, payment.OpCancel, ref); err != nil {
		return nil, err
	}
	id := ref.String()
	a, err := c.call(ctx, payment.OpCancel, id, wire.PathCancel, wire.PaymentRef{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID})
	if err != nil {
		return nil, err
	}
	return parseCancel(ref, a)
}

func parseCancel(ref payment.Ref, a *transport.Answer) (*payment.Payment, error) {
	id := ref.String()
	if err := outcome(payment.OpCancel, id, a, false); err != nil {
		return nil, err
	}
	var resp wire.CancelResponse
	if err := decode(payment.OpCancel, id, a, &resp); err != nil {
		return nil, err
	}
	if (ref.PaymentID != "" && resp.PaymentID != "" && resp.PaymentID != ref.PaymentID) ||
		(ref.PaymentRequestID != "" && resp.PaymentRequestID != "" && resp.PaymentRequestID != ref.PaymentRequestID) {
		return nil, untrusted(payment.OpCancel, id, a, "cancel of another payment")
	}
	p := &payment.Payment{
		Provider:         Name,
		PaymentID:        firstNonEmpty(resp.PaymentID, ref.PaymentID),
		PaymentRequestID: firstNonEmpty(resp.PaymentRequestID, ref.PaymentRequestID),
		Status:           payment.StatusCancelled,
		Scenario:         payment.ScenarioCashier,
		CancelledAt:      parseTime(resp.CancelTime),
		Result:           a.Result,
	}
	return p, nil
}

// Refund refunds part or all of a paid payment, named by PaymentID or
// PaymentRequestID. S is a succeeded refund; U (REFUND_IN_PROCESS and the
// like) is retried with the same refundRequestId and then reported as
// payment.ErrUnknownOutcome — settle it with InquireRefund, never by paying
// out offline. Over-refunds are F REFUND_AMOUNT_EXCEED (ErrFailed).
//
// Alipay+ has no refund notifications: a request with NotifyURL is
// unsupported.
func (c *Client) Refund(ctx context.Context, req *payment.RefundRequest) (*payment.Refund, error) {
	if err := payment.ValidateRefund(Name, c.caps, req); err != nil {
		return nil, err
	}
	id := req.RefundRequestID
	if req.NotifyURL != "" {
		return nil, &payment.Error{Op: payment.OpRefund, Provider: Name, Kind: payment.KindUnsupported, RequestID: id,
			Err: &payment.ValidationError{Fields: []payment.FieldError{{Field: "NotifyURL", Problem: "is not supported by alipayplus: refunds are not notified; use InquireRefund"}}}}
	}
	body := wire.RefundRequest{
		RefundRequestID:  id,
		PaymentID:        req.Payment.PaymentID,
		PaymentRequestID: req.Payment.PaymentRequestID,
		RefundAmount:     toWireAmount(req.Amount),
		RefundReason:     req.Reason,
	}
	a, err := c.call(ctx, payment.OpRefund, id, wire.PathRefund, body)
	if err != nil {
		return nil, err
	}
	return parseRefund(req, a)
}

func parseRefund(req *payment.RefundRequest, a *transport.Answer) (*payment.Refund, error) {
	id := req.RefundRequestID
	if err := outcome(payment.OpRefund, id, a, false); err != nil {
		return nil, err
	}
	var resp wire.RefundResponse
	if err := decode(payment.OpRefund, id, a, &resp); err != nil {
		return nil, err
	}
	if resp.RefundID == "" {
		return nil, untrusted(payment.OpRefund, id, a, "no refundId")
	}
	at := parseTime(resp.RefundTime)
	return &payment.Refund{
		Provider:        Name,
		RefundRequestID: id,
		RefundID:        resp.RefundID,
		PaymentID:       req.Payment.PaymentID,
		Status:          payment.RefundSucceeded,
		Amount:          req.Amount,
		Reason:          req.Reason,
		CreatedAt:       at,
		CompletedAt:     at,
		Result:          a.Result,
	}, nil
}

// InquireRefund returns the refund's state, by RefundID or RefundRequestID.
// The wallet's answer does not name the payment: PaymentID is empty.
func (c *Client) InquireRefund(ctx context.Context, ref payment.RefundRef) (*payment.Refund, error) {
	if err := payment.ValidateRefundRef(Name, c.caps, ref); err != nil {
		return nil, err
	}
	a, err := c.call(ctx, payment.OpInquireRefund, ref.String(), wire.PathInquiryRefund, wire.RefundRef{RefundID: ref.RefundID, RefundRequestID: ref.RefundRequestID})
	if err != nil {
		return nil, err
	}
	return parseInquireRefund(ref, a)
}

func parseInquireRefund(ref payment.RefundRef, a *transport.Answer) (*payment.Refund, error) {
	id := ref.String()
	if err := outcome(payment.OpInquireRefund, id, a, false); err != nil {
		return nil, err
	}
	var resp wire.InquiryRefundResponse
	if err := decode(payment.OpInquireRefund, id, a, &resp); err != nil {
		return nil, err
	}
	switch {
	case resp.RefundID == "":
		return nil, untrusted(payment.OpInquireRefund, id, a, "no refundId")
	case ref.RefundID != "" && resp.RefundID != ref.RefundID:
		return nil, untrusted(payment.OpInquireRefund, id, a, "refundId %q", resp.RefundID)
	case ref.RefundRequestID != "" && resp.RefundRequestID != "" && resp.RefundRequestID != ref.RefundRequestID:
		return nil, untrusted(payment.OpInquireRefund, id, a, "refundRequestId %q", resp.RefundRequestID)
	}
	r, err := refundFromInquiry(&resp)
	if err != nil {
		return nil, untrusted(payment.OpInquireRefund, id, a, "%v", err)
	}
	if r.RefundRequestID == "" {
		r.RefundRequestID = ref.RefundRequestID
	}
	r.Result = a.Result
	return r, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
