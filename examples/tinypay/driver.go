package tinypay

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/tinypay/internal/wire"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/signing"
)

// MethodPoints is TinyPay's own method, its loyalty points: a
// provider-defined token, as docs/semantics.md allows.
const MethodPoints payment.Method = "tinypay_points"

// Capabilities says exactly what TinyPay offers; the engine refuses the rest
// before a byte is sent, and the conformance suite skips what it excludes.
func (d *tinyDriver) Capabilities() payment.Capabilities {
	return payment.Capabilities{
		Scenarios:       []payment.Scenario{payment.ScenarioQRCode, payment.ScenarioWeb},
		Methods:         []payment.Method{payment.MethodGCash, MethodPoints},
		ScenarioMethods: map[payment.Scenario][]payment.Method{payment.ScenarioWeb: {payment.MethodGCash}},
		MaxAmountDigits: 12, InquireByRequestID: true, Cancel: true,
		Refund: true, PartialRefund: true, InquireRefundByRequestID: true, InquiryShowsRefunds: true,
		Notifications: true,
	}
}

// The mappings between paybridge's neutral terms and TinyPay's codes.
// Every scenario and method of Capabilities has its code here; one TinyPay
// does not offer is in neither, and the engine refuses it as unsupported
// before anything is sent.
var (
	products = map[payment.Scenario]string{payment.ScenarioQRCode: wire.ProductQR, payment.ScenarioWeb: wire.ProductWeb}
	methods  = map[payment.Method]string{payment.MethodGCash: wire.MethodGCash, MethodPoints: wire.MethodPoints}
	statuses = map[string]payment.Status{
		wire.StatusWaiting: payment.StatusPending, wire.StatusPaid: payment.StatusSucceeded,
		wire.StatusFailed: payment.StatusFailed, wire.StatusClosed: payment.StatusCancelled,
		wire.StatusPartRefunded: payment.StatusPartiallyRefunded, wire.StatusRefunded: payment.StatusRefunded,
	}
	// reasons says what each F code means; any other code is Declined.
	reasons = map[string]driver.Reason{
		wire.CodeDuplicate: driver.Conflict, wire.CodeNotFound: driver.NotFound, wire.CodeBadRequest: driver.Invalid,
		wire.CodeNotAllowed: driver.WrongState, wire.CodeTooMuch: driver.OverRefund, wire.CodeUnsupported: driver.Unsupported,
	}
)

// ErrUnsigned is the cause of an answer or notification without a
// signature or a time: never trusted, whatever it says.
var ErrUnsigned = errors.New("tinypay: not signed")

// envelope signs requests with the merchant's key and verifies answers and
// notifications with TinyPay's keys.
type envelope struct {
	merchant string
	signer   crypto.Signer
	keys     []*rsa.PublicKey
}

func (e *envelope) Sign(h http.Header, uri string, body []byte, now time.Time) error {
	ts := now.UTC().Format(time.RFC3339)
	sig, err := signing.Sign(e.signer, signing.Message(http.MethodPost, uri, body, e.merchant, ts))
	if err != nil {
		return fmt.Errorf("tinypay: signing: %w", err)
	}
	h.Set(wire.HeaderMerchant, e.merchant)
	h.Set(wire.HeaderTime, ts)
	h.Set(wire.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	return nil
}

func (e *envelope) Verify(uri string, h http.Header, body []byte) error {
	ts, sig := h.Get(wire.HeaderTime), h.Get(wire.HeaderSignature)
	if ts == "" || sig == "" {
		return ErrUnsigned
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil {
		return fmt.Errorf("tinypay: %w: signature is not base64", signing.ErrMalformedHeader)
	}
	return signing.VerifyAny(e.keys, signing.Message(http.MethodPost, uri, body, e.merchant, ts), raw)
}

// tinyDriver is the codec: each neutral request encoded once, each trusted
// answer decoded into a neutral value and a verdict. The engine does the
// rest.
type tinyDriver struct{ env *envelope }

func (d *tinyDriver) Name() string                                            { return Name }
func (d *tinyDriver) Envelope() driver.Envelope                               { return d.env }
func (d *tinyDriver) CheckPay(*payment.PayRequest) []payment.FieldError       { return nil }
func (d *tinyDriver) CheckRefund(*payment.RefundRequest) []payment.FieldError { return nil }

func encode(path string, v any) (driver.Request, error) {
	b, err := json.Marshal(v)
	return driver.Request{Path: path, Body: b}, err
}

func wireAmount(a money.Amount) wire.Amount {
	return wire.Amount{Value: a.MinorString(), Currency: a.Currency().Code()}
}

func (d *tinyDriver) EncodePay(r *payment.PayRequest) (driver.Request, error) {
	return encode(wire.PathPay, wire.PayRequest{RequestID: r.PaymentRequestID, Amount: wireAmount(r.Amount),
		Product: products[r.Scenario], Method: methods[r.Method], Description: r.Description,
		NotifyURL: r.NotifyURL, ReturnURL: r.RedirectURL})
}

func (d *tinyDriver) EncodeInquire(ref payment.Ref) (driver.Request, error) {
	return encode(wire.PathInquire, wire.Ref{PaymentID: ref.PaymentID, RequestID: ref.PaymentRequestID})
}

func (d *tinyDriver) EncodeCancel(ref payment.Ref) (driver.Request, error) {
	return encode(wire.PathCancel, wire.Ref{PaymentID: ref.PaymentID, RequestID: ref.PaymentRequestID})
}

func (d *tinyDriver) EncodeRefund(r *payment.RefundRequest) (driver.Request, error) {
	return encode(wire.PathRefund, wire.RefundRequest{RefundRequestID: r.RefundRequestID,
		PaymentID: r.Payment.PaymentID, RequestID: r.Payment.PaymentRequestID, Amount: wireAmount(r.Amount)})
}

func (d *tinyDriver) EncodeInquireRefund(ref payment.RefundRef) (driver.Request, error) {
	return encode(wire.PathInquireRefund, wire.Ref{RefundID: ref.RefundID, RefundRequestID: ref.RefundRequestID})
}

// decode reads an answer's body and classifies its result.
func decode(a *driver.Answer) (*wire.Answer, driver.Verdict, error) {
	var w wire.Answer
	if err := json.Unmarshal(a.Body, &w); err != nil {
		return nil, driver.Verdict{}, fmt.Errorf("tinypay: answer: %w", err)
	}
	if w.Result == nil || w.Result.Status == "" {
		return nil, driver.Verdict{}, errors.New("tinypay: answer without a result")
	}
	r := payment.Result{Status: payment.ResultStatus(w.Result.Status), Code: w.Result.Code, Message: w.Result.Message}
	return &w, driver.Classify(r, reasons), nil
}

// amountOf reads an amount the answer states; the zero Amount if none.
func amountOf(a *wire.Amount) (money.Amount, error) {
	if a == nil {
		return money.Amount{}, nil
	}
	c, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return money.Amount{}, fmt.Errorf("tinypay: amount: %w", err)
	}
	return money.ParseMinor(a.Value, c)
}

// paymentOf reads a payment as the answer or notification states it.
func paymentOf(w *wire.Answer) (*payment.Payment, error) {
	st, ok := statuses[w.Status]
	if !ok {
		return nil, fmt.Errorf("tinypay: unknown payment status %q", w.Status)
	}
	amt, err := amountOf(w.Amount)
	if err != nil {
		return nil, err
	}
	p := &payment.Payment{PaymentID: w.PaymentID, PaymentRequestID: w.RequestID, Status: st, Amount: amt}
	switch {
	case st != payment.StatusPending:
	case w.QRCode != "":
		p.Action = &payment.Action{Kind: payment.ActionShowQR, QRCode: w.QRCode}
	case w.PayURL != "":
		p.Action = &payment.Action{Kind: payment.ActionRedirect, URL: w.PayURL, HTTPMethod: http.MethodGet}
	}
	return p, nil
}

func (d *tinyDriver) decodePayment(a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	w, v, err := decode(a)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	p, err := paymentOf(w)
	return p, v, err
}

func (d *tinyDriver) DecodePay(_ *payment.PayRequest, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	return d.decodePayment(a)
}

func (d *tinyDriver) DecodeInquire(_ payment.Ref, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	return d.decodePayment(a)
}

func (d *tinyDriver) DecodeCancel(_ payment.Ref, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	return d.decodePayment(a)
}

func (d *tinyDriver) decodeRefund(a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	w, v, err := decode(a)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	if w.Status != wire.RefundDone {
		return nil, v, fmt.Errorf("tinypay: unknown refund status %q", w.Status)
	}
	amt, err := amountOf(w.Amount)
	return &payment.Refund{RefundID: w.RefundID, RefundRequestID: w.RefundRequestID, PaymentID: w.PaymentID,
		Status: payment.RefundSucceeded, Amount: amt}, v, err
}

func (d *tinyDriver) DecodeRefund(_ *payment.RefundRequest, a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	return d.decodeRefund(a)
}

func (d *tinyDriver) DecodeInquireRefund(_ payment.RefundRef, a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	return d.decodeRefund(a)
}
