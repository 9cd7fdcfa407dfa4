package alipayplus_test

import (
	"bytes"
	"cmp"
	"io"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

func TestConformance(t *testing.T) { conformance.Run(t, newHarness) }

var _ conformance.Ledger = (*harness)(nil)

// harness wires the adapter to a fresh simulated wallet through a
// FaultTransport.
type harness struct {
	srv   *alipayplustest.Server
	ft    *conformance.FaultTransport
	p     *alipayplus.Client
	creds alipayplustest.Credentials
}

var paths = map[string]string{
	payment.OpPay:           wire.PathPay,
	payment.OpInquire:       wire.PathInquiry,
	payment.OpCancel:        wire.PathCancel,
	payment.OpRefund:        wire.PathRefund,
	payment.OpInquireRefund: wire.PathInquiryRefund,
}

func newHarness(t *testing.T, o conformance.Options) conformance.Harness {
	h := &harness{srv: alipayplustest.NewServer()}
	h.creds = h.srv.Credentials()
	h.ft = conformance.NewFaultTransport(h.srv.Client().Transport, paths, h.simulate)
	// The wallet's refund answer names no amount, so a changed amount has
	// nothing to change there.
	h.ft.Unsupported(payment.OpRefund, conformance.FaultChangeAmount)
	var err error
	h.p, err = alipayplus.New(alipayplus.Config{
		BaseURL:         h.creds.BaseURL,
		PathPrefix:      h.creds.Prefix,
		ClientID:        h.creds.ClientID,
		KeyVersion:      h.creds.KeyVersion,
		PrivateKey:      h.creds.MerchantPrivateKey,
		WalletPublicKey: h.creds.WalletPublicKey,
		HTTPClient:      &http.Client{Transport: h.ft},
		Retry:           o.Retry,
		Clock:           o.Clock,
		Logger:          o.Logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// simulate scripts the faults that need the wallet itself.
func (h *harness) simulate(op string, f conformance.Fault) error {
	var sf alipayplustest.Fault
	switch f.Kind {
	case conformance.FaultResult:
		code := cmp.Or(f.Code, map[payment.ResultStatus]string{payment.ResultUnknown: wire.CodeUnknownException, payment.ResultFailed: wire.CodeProcessFail}[f.Status])
		sf.Result = &payment.Result{Status: f.Status, Code: code, Message: "scripted"}
	case conformance.FaultNoSignature:
		sf.NoSignature = true
	case conformance.FaultBadSignature:
		sf.BadSignature = true
	case conformance.FaultChangeAmount:
		sf.ChangeAmount = true
	default:
		return conformance.ErrFaultUnsupported
	}
	h.srv.Script(paths[op], sf)
	return nil
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
	return conformance.PEMSecrets(h.creds.MerchantPrivateKey, h.creds.WalletPrivateKey)
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
	sig, err := signing.Sign(conformance.UntrustedKey(), signing.Message("POST", req.URL.RequestURI(), body,
		req.Header.Get(wire.HeaderClientID), req.Header.Get(wire.HeaderRequestTime)))
	if err != nil {
		return nil, err
	}
	req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: h.creds.KeyVersion, Signature: sig}.Format(true))
	return req, nil
}
