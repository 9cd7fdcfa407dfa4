package tinypay_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"example.com/tinypay"
	"example.com/tinypay/internal/wire"
	"example.com/tinypay/tinypaytest"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// TestConformance runs paybridge's conformance suite against the adapter
// and a fresh simulated TinyPay per check.
func TestConformance(t *testing.T) { conformance.Run(t, newHarness) }

// harness wires the adapter to the simulator through a FaultTransport,
// which makes the transport faults and records every request.
type harness struct {
	srv   *tinypaytest.Server
	ft    *conformance.FaultTransport
	p     *tinypay.Client
	creds tinypaytest.Credentials
}

var paths = map[string]string{
	payment.OpPay: wire.PathPay, payment.OpInquire: wire.PathInquire, payment.OpCancel: wire.PathCancel,
	payment.OpRefund: wire.PathRefund, payment.OpInquireRefund: wire.PathInquireRefund,
}

func newHarness(t *testing.T, o conformance.Options) conformance.Harness {
	// The suite's clock, shared by the adapter and the simulator. It moves
	// on every wait, so the simulator tries each notification only once.
	h := &harness{srv: tinypaytest.NewServer(tinypaytest.Options{Clock: o.Clock, NotifyOnce: true})}
	h.creds = h.srv.Credentials()
	h.ft = conformance.NewFaultTransport(h.srv.Client().Transport, paths, h.simulate)
	p, err := tinypay.New(tinypay.Config{
		BaseURL: h.creds.BaseURL, MerchantID: h.creds.MerchantID,
		PrivateKey: h.creds.MerchantPrivateKey, TinyPayPublicKeys: []string{h.creds.TinyPayPublicKey},
		HTTPClient: &http.Client{Transport: h.ft},
		Retry:      o.Retry, Clock: o.Clock, Logger: o.Logger, // the suite's, always
	})
	if err != nil {
		h.srv.Close()
		t.Fatal(err)
	}
	h.p = p
	return h
}

// simulate scripts, on the simulator, the faults that need TinyPay itself.
func (h *harness) simulate(op string, f conformance.Fault) error {
	var sf simulator.Fault
	switch f.Kind {
	case conformance.FaultResult: // an empty code is TinyPay's ordinary one for the status
		code := map[payment.ResultStatus]string{payment.ResultUnknown: wire.CodeBusy, payment.ResultFailed: wire.CodeDeclined}[f.Status]
		if f.Code != "" {
			code = f.Code
		}
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
func (h *harness) Charges(requestID string) int                   { return h.srv.Charges(requestID) }
func (h *harness) Close()                                         { h.srv.Close() }

// PaymentStatus and RefundCount are conformance.Ledger: the simulator's
// books, for the model-based check and the settling of unknown outcomes.
func (h *harness) PaymentStatus(requestID string) (payment.Status, bool) {
	return h.srv.PaymentStatus(requestID)
}
func (h *harness) RefundCount(refundRequestID string) int { return h.srv.RefundCount(refundRequestID) }

// Secrets is conformance.SecretLister: no line of these keys may reach a
// log or an error.
func (h *harness) Secrets() []string {
	return conformance.PEMSecrets(h.creds.MerchantPrivateKey, h.creds.TinyPayPrivateKey)
}

// Notification is conformance.Notifier: TinyPay's signed notification, or
// one re-signed with a key the adapter does not trust.
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
	msg := signing.Message(http.MethodPost, req.URL.RequestURI(), body, req.Header.Get(wire.HeaderMerchant), req.Header.Get(wire.HeaderTime))
	sig, err := signing.Sign(conformance.UntrustedKey(), msg)
	if err != nil {
		return nil, err
	}
	req.Header.Set(wire.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	return req, nil
}
