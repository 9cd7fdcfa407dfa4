// Package tinypaytest is a simulated TinyPay, built on paybridge's simulator
// kit (package simulator): the kit serves HTTP, signs answers, applies
// faults, keeps the books and delivers notifications; this package is only
// TinyPay's wire format (a simulator.Protocol). It imports the wire types,
// never the adapter, so that a bug in the adapter cannot be mirrored here.
package tinypaytest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/tinypay/internal/wire"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// MerchantID is the merchant account the server serves.
const MerchantID = "TINY-M1"

// ErrNotFound is returned for an unknown payment ID.
var ErrNotFound = errors.New("tinypaytest: no such payment")

// Server is a running simulated TinyPay. The embedded kit server gives it
// URL, Client, Close, Script, Requests, Complete, Decline, Expire, Charges,
// PaymentStatus, RefundCount, Deliveries and SignedPost.
type Server struct {
	*simulator.Server
	ledger  *simulator.Ledger
	cashier *simulator.Cashier
	clock   payment.Clock
}

// Credentials are what a merchant's client needs, and TinyPay's private key
// for tests that check it never leaks.
type Credentials struct {
	BaseURL, MerchantID                                     string
	MerchantPrivateKey, TinyPayPublicKey, TinyPayPrivateKey string
}

// Credentials returns the server's credentials.
func (s *Server) Credentials() Credentials {
	k := s.KeyPEMs()
	return Credentials{s.URL, MerchantID, k.MerchantPrivate, k.ProviderPublic, k.ProviderPrivate}
}

var schedule = simulator.Schedule{Waits: []time.Duration{0, time.Minute}, Every: 10 * time.Minute, Until: 2 * time.Hour}

// wireStatus is the simulator's own mapping of the books' neutral statuses.
var wireStatus = map[payment.Status]string{
	payment.StatusPending: wire.StatusWaiting, payment.StatusSucceeded: wire.StatusPaid,
	payment.StatusFailed: wire.StatusFailed, payment.StatusCancelled: wire.StatusClosed,
	payment.StatusPartiallyRefunded: wire.StatusPartRefunded, payment.StatusRefunded: wire.StatusRefunded,
}

// Options configure a Server; the zero value is TinyPay on the system clock.
type Options struct {
	// Clock drives the books, expiry, signatures and notifications.
	Clock payment.Clock
	// NotifyOnce tries each notification once instead of on TinyPay's
	// retry schedule. Use it with a clock that advances itself on every
	// wait (the conformance suite's), which retries would move hours on.
	NotifyOnce bool
}

// NewServer starts a simulated TinyPay on a loopback port. Close it when
// done.
func NewServer(o Options) *Server {
	clk := payment.OrSystem(o.Clock)
	sched := schedule
	if o.NotifyOnce {
		sched = simulator.Schedule{Waits: []time.Duration{0}}
	}
	s := &Server{clock: clk}
	s.cashier = &simulator.Cashier{Title: "TinyPay sandbox", StatusLabel: "TinyPay status", Who: "TinyPay",
		Pages: []string{"/pay/"}, MaxURL: 2048, Schedule: sched,
		WireStatus: func(p *simulator.Payment) string { return wireStatus[p.Status] }}
	s.ledger = simulator.NewLedger(simulator.LedgerConfig{Name: "tinypaytest", Clock: clk, DeclineReason: wire.CodeDeclined,
		Settled: func(p *simulator.Payment) {
			if p.NotifyURL != "" {
				s.Notify(simulator.Notification{Kind: simulator.KindPayment, ID: p.ID, RequestID: p.RequestID,
					URL: p.NotifyURL, Body: notification(p), Schedule: sched})
			}
		}})
	s.Server = simulator.NewServer(simulator.Config{Name: "tinypaytest", Protocol: (*protocol)(s), Ledger: s.ledger,
		Cashier: s.cashier, Clock: clk, RequestTimeHeader: wire.HeaderTime, SignatureHeader: wire.HeaderSignature})
	return s
}

// SignedNotification returns, unsent, the signed notification TinyPay would
// post to target for the payment's current state.
func (s *Server) SignedNotification(paymentID, target string) (*http.Request, error) {
	s.ledger.Lock()
	p := s.ledger.PaymentLocked(paymentID)
	var body []byte
	if p != nil {
		body = notification(p)
	}
	s.ledger.Unlock()
	if p == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, paymentID)
	}
	return s.SignedPost(target, body)
}

func amountOf(a money.Amount) *wire.Amount {
	return &wire.Amount{Value: a.MinorString(), Currency: a.Currency().Code()}
}

func notification(p *simulator.Payment) []byte {
	b, _ := json.Marshal(wire.Answer{PaymentID: p.ID, RequestID: p.RequestID, Status: wireStatus[p.Status], Amount: amountOf(p.Amount)})
	return b
}

// protocol is TinyPay's wire format, served by the kit.
type protocol Server

// order is what the books keep of a pay request besides the neutral payment.
type order struct{ product, method string }

var schema = simulator.NewSchema(wire.PayRequest{}, wire.Ref{}, wire.RefundRequest{})

func (p *protocol) Route(r *http.Request) (string, bool) {
	switch r.URL.Path {
	case wire.PathPay, wire.PathInquire, wire.PathCancel, wire.PathRefund, wire.PathInquireRefund:
		return r.URL.Path, r.Method == http.MethodPost
	}
	return "", false
}

func (p *protocol) RequestID(_ string, body []byte) string {
	return simulator.JSONField(body, "refundRequestId", "requestId")
}

func (p *protocol) Redact(_ string, body []byte) []byte { return body } // no card data

func refused(code, msg string) payment.Result {
	return payment.Result{Status: payment.ResultFailed, Code: code, Message: msg}
}

func (p *protocol) Verify(in *simulator.Incoming) *payment.Result {
	h := in.Request.Header
	bad := func(msg string) *payment.Result { r := refused(wire.CodeBadRequest, msg); return &r }
	ts, _ := simulator.SingleHeader(h, wire.HeaderTime)
	t, err := time.Parse(time.RFC3339, ts)
	switch {
	case in.TooLarge:
		return bad("body too large")
	case h.Get(wire.HeaderMerchant) != MerchantID:
		return bad("unknown merchant")
	case err != nil || t.Sub(p.clock.Now()).Abs() > 5*time.Minute:
		return bad("Tiny-Time is missing or outside 5 minutes")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(h.Get(wire.HeaderSignature))
	pub, _ := (*Server)(p).MerchantKey("1")
	if err != nil || signing.Verify(pub, signing.Message(http.MethodPost, in.Request.URL.RequestURI(), in.Body, MerchantID, ts), sig) != nil {
		return bad("signature does not verify")
	}
	if !simulator.CheckContentType(h) {
		return bad("Content-Type must be JSON")
	}
	return nil
}

var ok = payment.Result{Status: payment.ResultSucceeded, Code: wire.CodeOK}

func (p *protocol) answer(pay *simulator.Payment) (any, payment.Result) {
	a := &wire.Answer{Result: &wire.Result{Status: "S", Code: wire.CodeOK}, PaymentID: pay.ID, RequestID: pay.RequestID,
		Status: wireStatus[pay.Status], Amount: amountOf(pay.Amount)}
	if pay.Status == payment.StatusPending {
		if pay.Ext.(order).product == wire.ProductQR {
			a.QRCode = "tinypay://pay/" + pay.ID
		} else {
			a.PayURL = p.cashier.URL(pay)
		}
	}
	return a, ok
}

func refundAnswer(r *simulator.Refund) (any, payment.Result) {
	return &wire.Answer{Result: &wire.Result{Status: "S", Code: wire.CodeOK}, PaymentID: r.PaymentID, RefundID: r.ID,
		RefundRequestID: r.RequestID, Status: wire.RefundDone, Amount: amountOf(r.Amount)}, ok
}

func (p *protocol) Process(in *simulator.Incoming) (any, payment.Result) {
	if err := schema.CheckJSON(in.Body); err != nil {
		return nil, refused(wire.CodeBadRequest, err.Error())
	}
	l := p.ledger
	l.Lock()
	defer l.Unlock()
	switch in.Path {
	case wire.PathPay:
		return p.pay(in)
	case wire.PathInquire, wire.PathCancel:
		var r wire.Ref
		err := json.Unmarshal(in.Body, &r)
		pay := l.FindLocked(r.PaymentID, r.RequestID)
		switch {
		case err != nil:
			return nil, refused(wire.CodeBadRequest, "body does not fit")
		case pay == nil:
			return nil, refused(wire.CodeNotFound, "no such payment")
		case in.Path == wire.PathInquire:
		case pay.Status == payment.StatusPending:
			l.CancelLocked(pay)
		case pay.Status != payment.StatusCancelled:
			return nil, refused(wire.CodeNotAllowed, "only an unpaid payment can be closed")
		}
		return p.answer(pay)
	case wire.PathRefund:
		return p.refund(in)
	default: // inquire-refund
		var r wire.Ref
		if err := json.Unmarshal(in.Body, &r); err != nil {
			return nil, refused(wire.CodeBadRequest, "body does not fit")
		}
		rf := l.RefundByIDLocked(r.RefundID)
		if rf == nil && r.RefundID == "" {
			rf = l.RefundByRequestIDLocked(r.RefundRequestID)
		}
		if rf == nil {
			return nil, refused(wire.CodeNotFound, "no such refund")
		}
		return refundAnswer(rf)
	}
}

func (p *protocol) pay(in *simulator.Incoming) (any, payment.Result) {
	var r wire.PayRequest
	if err := json.Unmarshal(in.Body, &r); err != nil || r.RequestID == "" {
		return nil, refused(wire.CodeBadRequest, "requestId is required")
	}
	amt, bad := simulator.CheckAmount(r.Amount.Value, r.Amount.Currency, "amount", 12, func(string) bool { return true })
	switch {
	case bad != nil && bad.Currency:
		return nil, refused(wire.CodeUnsupported, bad.Msg)
	case bad != nil:
		return nil, refused(wire.CodeBadRequest, bad.Msg)
	case r.Product != wire.ProductQR && r.Product != wire.ProductWeb:
		return nil, refused(wire.CodeBadRequest, "unknown product")
	case r.Method != "" && r.Method != wire.MethodGCash && (r.Method != wire.MethodPoints || r.Product != wire.ProductQR):
		return nil, refused(wire.CodeUnsupported, "method not offered for this product")
	}
	o := order{r.Product, r.Method}
	if pay := p.ledger.ByRequestIDLocked(r.RequestID); pay != nil {
		if !pay.Amount.Equal(amt) || pay.Ext.(order) != o || pay.Description != r.Description {
			return nil, refused(wire.CodeDuplicate, "requestId used with other content")
		}
		return p.answer(pay)
	}
	now := p.clock.Now()
	pay := &simulator.Payment{RequestID: r.RequestID, Amount: amt, Description: r.Description, NotifyURL: r.NotifyURL,
		RedirectURL: r.ReturnURL, Base: in.BaseURL, Created: now, Expires: now.Add(15 * time.Minute), Ext: o}
	p.ledger.AddLocked(pay)
	return p.answer(pay)
}

func (p *protocol) refund(in *simulator.Incoming) (any, payment.Result) {
	var r wire.RefundRequest
	if err := json.Unmarshal(in.Body, &r); err != nil || r.RefundRequestID == "" {
		return nil, refused(wire.CodeBadRequest, "refundRequestId is required")
	}
	pay := p.ledger.FindLocked(r.PaymentID, r.RequestID)
	if pay == nil {
		return nil, refused(wire.CodeNotFound, "no such payment")
	}
	amt, bad := simulator.CheckAmount(r.Amount.Value, r.Amount.Currency, "amount", 12,
		func(c string) bool { return c == pay.Amount.Currency().Code() })
	if bad != nil {
		return nil, refused(wire.CodeBadRequest, bad.Msg)
	}
	if rf := p.ledger.RefundByRequestIDLocked(r.RefundRequestID); rf != nil {
		if rf.PaymentID != pay.ID || !rf.Amount.Equal(amt) {
			return nil, refused(wire.CodeDuplicate, "refundRequestId used with other content")
		}
		return refundAnswer(rf)
	}
	if !pay.IsPaid() {
		return nil, refused(wire.CodeNotAllowed, "the payment is not paid")
	}
	rf := &simulator.Refund{RequestID: r.RefundRequestID, PaymentID: pay.ID, Amount: amt}
	if p.ledger.AddRefundLocked(pay, rf) != nil {
		return nil, refused(wire.CodeTooMuch, "the refunds would exceed the payment")
	}
	return refundAnswer(rf)
}

func (p *protocol) ResultOnly(r payment.Result) any {
	return &wire.Answer{Result: &wire.Result{Status: string(r.Status), Code: r.Code, Message: r.Message}}
}

func (p *protocol) Alter(answer any, f simulator.Fault) {
	if a, ok := answer.(*wire.Answer); ok && f.ChangeAmount && a.Amount != nil {
		a.Amount = &wire.Amount{Value: simulator.BumpMinor(a.Amount.Value), Currency: a.Amount.Currency}
	}
}

func (p *protocol) AnswerHeaders(h http.Header, in *simulator.Incoming, payload []byte, _ payment.Result) ([]byte, bool) {
	ts := p.clock.Now().UTC().Format(time.RFC3339)
	h.Set(wire.HeaderTime, ts)
	return signing.Message(http.MethodPost, in.Request.URL.RequestURI(), payload, MerchantID, ts), true
}

func (p *protocol) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	ts := now.UTC().Format(time.RFC3339)
	h.Set(wire.HeaderMerchant, MerchantID)
	h.Set(wire.HeaderTime, ts)
	return signing.Message(http.MethodPost, uri, body, MerchantID, ts)
}

func (p *protocol) FormatSignature(sig []byte) string { return base64.StdEncoding.EncodeToString(sig) }
