package alphapay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// Client is the AlphaPay v2 adapter: a payment.Provider. It is safe for
// concurrent use; create one per merchant and reuse it, so that connections
// are reused.
type Client struct {
	merchantCode string
	keys         keys
	currency     money.Currency
	caps         payment.Capabilities
	tr           *transport.Client
	clock        payment.Clock
	newNonce     func() (string, error) // tests pin it to reproduce the signing vectors
}

var _ payment.Provider = (*Client)(nil)

// New checks cfg, parses the keys and returns a Client. Errors wrap
// ErrInvalidConfig and name the field; they never contain key material.
func New(cfg Config) (*Client, error) {
	k, cur, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	c := &Client{merchantCode: cfg.MerchantCode, keys: k, currency: cur, clock: payment.OrSystem(cfg.Clock), newNonce: randomNonce}
	c.caps = capabilities(cur)
	c.tr, err = transport.New(transport.Config{
		Provider:   Name,
		BaseURL:    cfg.BaseURL,
		HTTPClient: cfg.HTTPClient,
		Retry:      cfg.Retry,
		Clock:      c.clock,
		Logger:     cfg.Logger,
		Sign:       c.sign,
		Verify:     c.verify,
		UserAgent:  "paybridge-alphapay",
	})
	if err != nil {
		return nil, &ConfigError{"BaseURL", err}
	}
	return c, nil
}

func capabilities(cur money.Currency) payment.Capabilities {
	online := []payment.Scenario{
		payment.ScenarioQRCode, payment.ScenarioWeb, payment.ScenarioJSAPI, payment.ScenarioNativeJSAPI,
		payment.ScenarioH5, payment.ScenarioApp, payment.ScenarioMiniProgram,
	}
	return payment.Capabilities{
		Scenarios: append(append([]payment.Scenario{}, online...),
			payment.ScenarioCreditCard, payment.ScenarioInStoreQR, payment.ScenarioInStoreScan),
		Methods:        []payment.Method{payment.MethodAlipay, payment.MethodWeChatPay, payment.MethodUnionPay},
		MethodRequired: online,
		ScenarioMethods: map[payment.Scenario][]payment.Method{
			payment.ScenarioWeb:         {payment.MethodAlipay, payment.MethodUnionPay},
			payment.ScenarioCreditCard:  {},
			payment.ScenarioInStoreQR:   {},
			payment.ScenarioInStoreScan: {},
		},
		Currencies:          []money.Currency{cur, money.CNY},
		MaxAmountDigits:     7,
		MaxDescription:      128,
		Cancel:              true,
		Refund:              true,
		PartialRefund:       true,
		InquiryShowsRefunds: true,
		Notifications:       true,
	}
}

// Name returns "alphapay".
func (c *Client) Name() string { return Name }

// Capabilities lists the ten AlphaPay scenarios, the three methods, the
// domain currency and CNY, 7-digit amounts, cancel and partial refunds.
// AlphaPay inquires only by its own paymentId (so payment.Resolve replays an
// unknown pay) and has no per-order expiry (orders expire after 5 minutes).
func (c *Client) Capabilities() payment.Capabilities { return c.caps }

// sign sets Merchant-Code, Request-Time, Nonce and Signature for one attempt.
func (c *Client) sign(h http.Header, uri string, body []byte, now time.Time) error {
	nonce, err := c.newNonce()
	if err != nil {
		return err
	}
	ts := now.Format(wire.TimeLayout)
	sig, err := signing.Sign(c.keys.merchant, signing.Message(http.MethodPost, uri, body, c.merchantCode, ts, nonce))
	if err != nil {
		return err
	}
	h.Set(wire.HeaderMerchantCode, c.merchantCode)
	h.Set(wire.HeaderRequestTime, ts)
	h.Set(wire.HeaderNonce, nonce)
	h.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: "1", Signature: sig}.Format(true))
	return nil
}

// randomNonce returns 32 lower-case hex characters, like the official SDK's
// dash-less UUID.
func randomNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// ErrUnsigned is the cause of an unknown outcome whose answer carried no
// signature.
var ErrUnsigned = errors.New("alphapay: answer is not signed")

// verify checks an answer's signature with AlphaPay's public key, over the
// request's path and merchant code and the answer's time and nonce.
func (c *Client) verify(a *transport.Answer) error {
	return verifySigned(c.keys, c.merchantCode, a.URI, a.Header, a.Body)
}

func verifySigned(k keys, merchantCode, uri string, h http.Header, body []byte) error {
	sigHeader, ts, nonce := h.Get(wire.HeaderSignature), h.Get(wire.HeaderResponseTime), h.Get(wire.HeaderNonce)
	if ts == "" {
		ts = h.Get(wire.HeaderRequestTime) // notifications carry Request-Time
	}
	if sigHeader == "" || ts == "" || nonce == "" {
		return ErrUnsigned
	}
	hdr, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return err
	}
	if !signing.AlgorithmOK(hdr.Algorithm) {
		return fmt.Errorf("%w: unsupported algorithm", signing.ErrMalformedHeader)
	}
	return signing.Verify(k.alphapay, signing.Message(http.MethodPost, uri, body, merchantCode, ts, nonce), hdr.Signature)
}

// call marshals body once and sends it; the answer's result is read by
// inspect (nil: retry any U).
func (c *Client) call(ctx context.Context, op, id, path string, body any, inspect transport.Inspect) (*transport.Answer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &payment.Error{Op: op, Provider: Name, Kind: payment.KindInvalidRequest, RequestID: id, Err: err}
	}
	if inspect == nil {
		inspect = inspectResult(nil)
	}
	return c.tr.Do(ctx, transport.Call{Op: op, RequestID: id, Path: path, Body: b, Inspect: inspect})
}

// inspectResult reads the result object of any answer. A U result is
// retried unless keep says the answer is a real one (a pay in process).
func inspectResult(keep func(body []byte, r wire.Result) bool) transport.Inspect {
	return func(a *transport.Answer) (payment.Result, bool) {
		var env struct {
			Result wire.Result `json:"result"`
		}
		if err := json.Unmarshal(a.Body, &env); err != nil || env.Result.ResultStatus == "" {
			// Not an answer we can read: treat as unknown and ask again.
			return payment.Result{Status: payment.ResultUnknown, Code: "UNREADABLE_ANSWER"}, true
		}
		r := neutralResult(env.Result)
		retry := env.Result.ResultStatus == wire.StatusU && (keep == nil || !keep(a.Body, env.Result))
		return r, retry
	}
}

func neutralResult(r wire.Result) payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}
}

// outcome turns a final trusted answer into an error, or nil for S (and for
// the U answers a caller accepted).
func outcome(op, id string, a *transport.Answer) error {
	switch a.Result.Status {
	case payment.ResultSucceeded:
		return nil
	case payment.ResultFailed:
		return &payment.Error{Op: op, Provider: Name, Kind: failureKind(a.Result.Code), RequestID: id, Result: a.Result}
	case payment.ResultUnknown:
		return nil // only U answers the caller chose to keep reach here
	}
	return &payment.Error{Op: op, Provider: Name, Kind: payment.KindUnknownOutcome, RequestID: id, Result: a.Result,
		Err: errors.New("unknown result status")}
}

// failureKind maps an F code to the most precise kind.
func failureKind(code string) payment.Kind {
	switch code {
	case wire.CodeRepeatReqInconsistent:
		return payment.KindIdempotencyConflict
	case wire.CodeOrderNotExist:
		return payment.KindNotFound
	case wire.CodeParamInvalid, wire.CodeInvalidMethodType, wire.CodeInvalidPaymentCode, wire.CodeInvalidRefundAmount:
		return payment.KindInvalidRequest
	case wire.CodeCurrencyNotSupport:
		return payment.KindUnsupported
	}
	return payment.KindFailed
}

// untrusted reports an answer that verified but contradicts the request: the
// provider may have acted on something else, so nothing is concluded.
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

// Pay creates a payment in one of the ten scenarios. A new order is Pending
// with the Action the scenario needs (QR code, redirect or SDK parameters);
// repeating the same request returns the same order.
func (c *Client) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	var extra []payment.FieldError
	if req != nil && req.ProviderOptions != nil {
		extra = append(extra, payment.FieldError{Field: "ProviderOptions", Problem: "are not used by alphapay"})
	}
	if err := payment.ValidatePay(Name, c.caps, req, extra...); err != nil {
		return nil, err
	}
	// The answer is decoded once, by Inspect, and parsePay reuses it; if
	// the full decode fails, inspectResult and decode judge the body as
	// before.
	keep := func(b []byte, r wire.Result) bool {
		// PAYMENT_IN_PROCESS with a paymentId is a created order that waits
		// for the customer, not an unknown outcome.
		if r.ResultCode != wire.CodePaymentInProcess {
			return false
		}
		var p struct {
			PaymentID string `json:"paymentId"`
		}
		return json.Unmarshal(b, &p) == nil && p.PaymentID != ""
	}
	var resp wire.PayResponse
	decoded := false
	inspect := func(a *transport.Answer) (payment.Result, bool) {
		resp, decoded = wire.PayResponse{}, false
		if json.Unmarshal(a.Body, &resp) != nil || resp.Result.ResultStatus == "" {
			return inspectResult(keep)(a)
		}
		decoded = true
		r := resp.Result
		return neutralResult(r), r.ResultStatus == wire.StatusU && !(r.ResultCode == wire.CodePaymentInProcess && resp.PaymentID != "")
	}
	a, err := c.call(ctx, payment.OpPay, req.PaymentRequestID, wire.PathPay, payRequest(req), inspect)
	if err != nil {
		return nil, err
	}
	if !decoded {
		return parsePay(req, a, nil)
	}
	return parsePay(req, a, &resp)
}

// parsePay turns a trusted final pay answer into a Payment, refusing any
// answer that contradicts the request.
func parsePay(req *payment.PayRequest, a *transport.Answer, decoded *wire.PayResponse) (*payment.Payment, error) {
	id := req.PaymentRequestID
	if err := outcome(payment.OpPay, id, a); err != nil {
		return nil, err
	}
	var resp wire.PayResponse
	if decoded != nil {
		resp = *decoded
	} else if err := decode(payment.OpPay, id, a, &resp); err != nil {
		return nil, err
	}
	if resp.PaymentID == "" {
		return nil, untrusted(payment.OpPay, id, a, "no paymentId")
	}
	if resp.PaymentRequestID != "" && resp.PaymentRequestID != id {
		return nil, untrusted(payment.OpPay, id, a, "paymentRequestId %q", resp.PaymentRequestID)
	}
	if resp.Order != nil {
		if got, err := fromWireAmount(resp.Order.OrderAmount); err != nil || !got.Equal(req.Amount) {
			return nil, untrusted(payment.OpPay, id, a, "order amount differs from the %s requested", req.Amount)
		}
	}
	return payFromResponse(req, &resp, a.Result), nil
}

// Inquire returns the payment's current state. AlphaPay inquires by its
// paymentId only: ref.PaymentID is required.
func (c *Client) Inquire(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if err := payment.ValidateRef(Name, c.caps, payment.OpInquire, ref); err != nil {
		return nil, err
	}
	id := ref.PaymentID
	var st wire.PaymentState
	decoded := false
	inspect := func(a *transport.Answer) (payment.Result, bool) {
		st, decoded = wire.PaymentState{}, false
		if json.Unmarshal(a.Body, &st) != nil || st.Result == nil || st.Result.ResultStatus == "" {
			return inspectResult(nil)(a)
		}
		decoded = true
		return neutralResult(*st.Result), st.Result.ResultStatus == wire.StatusU
	}
	a, err := c.call(ctx, payment.OpInquire, id, wire.PathInquiry, wire.PaymentIDRequest{PaymentID: id}, inspect)
	if err != nil {
		return nil, err
	}
	if !decoded {
		return parseInquiry(id, a, nil)
	}
	return parseInquiry(id, a, &st)
}

// parseInquiry turns a trusted inquiry answer into a Payment.
func parseInquiry(id string, a *transport.Answer, decoded *wire.PaymentState) (*payment.Payment, error) {
	if err := outcome(payment.OpInquire, id, a); err != nil {
		return nil, err
	}
	var st wire.PaymentState
	if decoded != nil {
		st = *decoded
	} else if err := decode(payment.OpInquire, id, a, &st); err != nil {
		return nil, err
	}
	if st.PaymentID != id {
		return nil, untrusted(payment.OpInquire, id, a, "paymentId %q", st.PaymentID)
	}
	p, err := paymentFromState(&st)
	if err != nil {
		return nil, untrusted(payment.OpInquire, id, a, "%v", err)
	}
	p.Result = a.Result
	return p, nil
}

// Cancel closes an unpaid payment. A paid one cannot be cancelled (F
// ORDER_PAID: refund it instead); cancelling a closed one succeeds again.
// The returned Payment carries the IDs, StatusCancelled and CancelledAt; its
// Amount is not in AlphaPay's answer (Inquire for the full state).
func (c *Client) Cancel(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if err := payment.ValidateRef(Name, c.caps, payment.OpCancel, ref); err != nil {
		return nil, err
	}
	id := ref.PaymentID
	a, err := c.call(ctx, payment.OpCancel, id, wire.PathCancel, wire.PaymentIDRequest{PaymentID: id}, nil)
	if err != nil {
		return nil, err
	}
	if err := outcome(payment.OpCancel, id, a); err != nil {
		return nil, err
	}
	var resp wire.CancelResponse
	if err := decode(payment.OpCancel, id, a, &resp); err != nil {
		return nil, err
	}
	if resp.PaymentID != "" && resp.PaymentID != id {
		return nil, untrusted(payment.OpCancel, id, a, "paymentId %q", resp.PaymentID)
	}
	return &payment.Payment{
		Provider:         Name,
		PaymentID:        id,
		PaymentRequestID: resp.PaymentRequestID,
		Status:           payment.StatusCancelled,
		CancelledAt:      parseTime(resp.CancelTime),
		Result:           a.Result,
	}, nil
}

// Refund refunds part or all of a paid payment. req.Payment.PaymentID is
// required; req.Reason (at most 128 characters) is AlphaPay's description.
func (c *Client) Refund(ctx context.Context, req *payment.RefundRequest) (*payment.Refund, error) {
	var extra []payment.FieldError
	if req != nil && len([]rune(req.Reason)) > 128 {
		extra = append(extra, payment.FieldError{Field: "Reason", Problem: "must be at most 128 characters"})
	}
	if err := payment.ValidateRefund(Name, c.caps, req, extra...); err != nil {
		return nil, err
	}
	id := req.RefundRequestID
	body := wire.RefundRequest{
		PaymentID:       req.Payment.PaymentID,
		RefundRequestID: id,
		Refund:          wire.RefundDetail{RefundAmount: toWireAmount(req.Amount), Description: req.Reason, NotifyURL: req.NotifyURL},
	}
	a, err := c.call(ctx, payment.OpRefund, id, wire.PathRefund, body, nil)
	if err != nil {
		return nil, err
	}
	if err := outcome(payment.OpRefund, id, a); err != nil {
		return nil, err
	}
	var resp wire.RefundResponse
	if err := decode(payment.OpRefund, id, a, &resp); err != nil {
		return nil, err
	}
	if resp.RefundID == "" {
		return nil, untrusted(payment.OpRefund, id, a, "no refundId")
	}
	if (resp.RefundRequestID != "" && resp.RefundRequestID != id) || (resp.PaymentID != "" && resp.PaymentID != req.Payment.PaymentID) {
		return nil, untrusted(payment.OpRefund, id, a, "refund of another request or payment")
	}
	if resp.Refund != nil {
		if got, err := fromWireAmount(resp.Refund.RefundAmount); err != nil || !got.Equal(req.Amount) {
			return nil, untrusted(payment.OpRefund, id, a, "refund amount differs from the %s requested", req.Amount)
		}
	}
	return &payment.Refund{
		Provider:        Name,
		RefundRequestID: id,
		RefundID:        resp.RefundID,
		PaymentID:       req.Payment.PaymentID,
		Status:          payment.RefundSucceeded,
		Amount:          req.Amount,
		Reason:          req.Reason,
		CreatedAt:       parseTime(resp.RefundTime),
		CompletedAt:     parseTime(resp.RefundTime),
		Result:          a.Result,
	}, nil
}

// InquireRefund returns the refund's state. ref.RefundID is required.
func (c *Client) InquireRefund(ctx context.Context, ref payment.RefundRef) (*payment.Refund, error) {
	if err := payment.ValidateRefundRef(Name, c.caps, ref); err != nil {
		return nil, err
	}
	id := ref.RefundID
	body := wire.InquiryRefundRequest{RefundID: id, RefundRequestID: ref.RefundRequestID}
	a, err := c.call(ctx, payment.OpInquireRefund, id, wire.PathInquiryRefund, body, nil)
	if err != nil {
		return nil, err
	}
	if err := outcome(payment.OpInquireRefund, id, a); err != nil {
		return nil, err
	}
	var st wire.RefundState
	if err := decode(payment.OpInquireRefund, id, a, &st); err != nil {
		return nil, err
	}
	if st.RefundID != id {
		return nil, untrusted(payment.OpInquireRefund, id, a, "refundId %q", st.RefundID)
	}
	r, err := refundFromState(&st)
	if err != nil {
		return nil, untrusted(payment.OpInquireRefund, id, a, "%v", err)
	}
	r.Result = a.Result
	return r, nil
}
