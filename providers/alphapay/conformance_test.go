package alphapay_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/signing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

func TestConformance(t *testing.T) { conformance.Run(t, newHarness) }

// TestConformanceOtherReadings runs the suite again where AlphaPay's
// documentation is ambiguous, under the other reading: a repeat of a paid
// order answered U PAYMENT_IN_PROCESS, and notifications signed over the
// notify URL's path alone.
func TestConformanceOtherReadings(t *testing.T) {
	conformance.Run(t, func(t *testing.T, o conformance.Options) conformance.Harness {
		return harnessWith(t, o, alphapaytest.WithStrictReplay(true), alphapaytest.WithNotifyPathOnly(true))
	})
}

var _ conformance.Ledger = (*harness)(nil)

// harness wires the adapter to a fresh simulator through a FaultTransport.
type harness struct {
	srv   *alphapaytest.Server
	ft    *conformance.FaultTransport
	p     *alphapay.Client
	creds alphapaytest.Credentials
}

var paths = map[string]string{
	payment.OpPay:           wire.PathPay,
	payment.OpInquire:       wire.PathInquiry,
	payment.OpCancel:        wire.PathCancel,
	payment.OpRefund:        wire.PathRefund,
	payment.OpInquireRefund: wire.PathInquiryRefund,
}

func newHarness(t *testing.T, o conformance.Options) conformance.Harness { return harnessWith(t, o) }

func harnessWith(t *testing.T, o conformance.Options, opts ...alphapaytest.Option) *harness {
	h := &harness{srv: alphapaytest.NewServer(opts...)}
	h.creds = h.srv.Credentials()
	h.ft = conformance.NewFaultTransport(h.srv.Client().Transport, paths, h.simulate)
	p, err := alphapay.New(alphapay.Config{
		BaseURL:           h.creds.BaseURL,
		MerchantCode:      h.creds.MerchantCode,
		PrivateKey:        h.creds.MerchantPrivateKey,
		AlphaPayPublicKey: h.creds.AlphaPayPublicKey,
		HTTPClient:        &http.Client{Transport: h.ft},
		Retry:             o.Retry,
		Clock:             o.Clock,
		Logger:            o.Logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.p = p
	return h
}

// simulate scripts the faults that need the provider itself.
func (h *harness) simulate(op string, f conformance.Fault) error {
	sf, err := conformance.KitFault(f, map[payment.ResultStatus]string{
		payment.ResultUnknown: wire.CodeUnknownException, payment.ResultFailed: wire.CodeSystemError})
	if err == nil {
		h.srv.Script(paths[op], sf)
	}
	return err
}

func (h *harness) Provider() payment.Provider                     { return h.p }
func (h *harness) Script(op string, f ...conformance.Fault) error { return h.ft.Script(op, f...) }
func (h *harness) Requests(op string) []conformance.Request       { return h.ft.Requests(op) }
func (h *harness) Complete(id string) error                       { return h.srv.Complete(id) }
func (h *harness) Decline(id string) error                        { return h.srv.Decline(id) }
func (h *harness) Expire(id string) error                         { return h.srv.Expire(id) }
func (h *harness) Charges(paymentRequestID string) int            { return h.srv.Charges(paymentRequestID) }
func (h *harness) Close()                                         { h.srv.Close() }

// PaymentStatus implements conformance.Ledger with the simulator's books.
func (h *harness) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	return h.srv.PaymentStatus(paymentRequestID)
}

// RefundCount implements conformance.Ledger with the simulator's books.
func (h *harness) RefundCount(refundRequestID string) int { return h.srv.RefundCount(refundRequestID) }

func (h *harness) Secrets() []string {
	return conformance.PEMSecrets(h.creds.MerchantPrivateKey, h.creds.AlphaPayPrivateKey)
}

// Notification implements conformance.Notifier.
func (h *harness) Notification(paymentID, target string, forged bool) (*http.Request, error) {
	req, err := h.srv.SignedNotification(paymentID, target)
	if err != nil || !forged {
		return req, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	msg := signing.Message("POST", req.URL.RequestURI(), body, req.Header.Get("Merchant-Code"), req.Header.Get("Request-Time"), req.Header.Get("Nonce"))
	sig, err := signing.Sign(conformance.UntrustedKey(), msg)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Signature", signing.Header{Algorithm: wire.Algorithm, KeyVersion: "1", Signature: sig}.Format(true))
	return req, nil
}
