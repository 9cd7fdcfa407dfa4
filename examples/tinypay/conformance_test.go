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
)

// TestConformance runs paybridge's conformance suite against the adapter
// and a fresh simulated TinyPay per check.
func TestConformance(t *testing.T) { conformance.Run(t, newHarness) }

// harness wires the adapter to the simulator through a FaultTransport,
// which makes the transport faults and records every request. Embedding
// both gives it most of conformance.Harness and conformance.Ledger: Script
// and Requests from the FaultTransport (the shallower embedding wins over
// the simulator's own Script and Requests), and Complete, Decline, Expire,
// Charges, Close, PaymentStatus and RefundCount from the simulator.
type harness struct {
	*conformance.FaultTransport
	*tinypaytest.Server
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
	h := &harness{Server: tinypaytest.NewServer(tinypaytest.Options{Clock: o.Clock, NotifyOnce: true})}
	h.creds = h.Credentials()
	h.FaultTransport = conformance.NewFaultTransport(h.Client().Transport, paths, h.simulate)
	p, err := tinypay.New(tinypay.Config{
		BaseURL: h.creds.BaseURL, MerchantID: h.creds.MerchantID,
		PrivateKey: h.creds.MerchantPrivateKey, TinyPayPublicKeys: []string{h.creds.TinyPayPublicKey},
		HTTPClient: &http.Client{Transport: h.FaultTransport},
		Retry:      o.Retry, Clock: o.Clock, Logger: o.Logger, // the suite's, always
	})
	if err != nil {
		h.Close()
		t.Fatal(err)
	}
	h.p = p
	return h
}

// simulate scripts, on the simulator, the faults that need TinyPay itself:
// a scripted result (an empty code is TinyPay's ordinary one for the
// status), a missing or bad signature, a changed amount.
func (h *harness) simulate(op string, f conformance.Fault) error {
	sf, err := conformance.KitFault(f, map[payment.ResultStatus]string{
		payment.ResultUnknown: wire.CodeBusy, payment.ResultFailed: wire.CodeDeclined})
	if err == nil {
		h.Server.Script(paths[op], sf)
	}
	return err
}

var (
	_ conformance.Harness = (*harness)(nil)
	_ conformance.Ledger  = (*harness)(nil)
)

// Provider is the adapter under test.
func (h *harness) Provider() payment.Provider { return h.p }

// Secrets is conformance.SecretLister: no line of these keys may reach a
// log or an error.
func (h *harness) Secrets() []string {
	return conformance.PEMSecrets(h.creds.MerchantPrivateKey, h.creds.TinyPayPrivateKey)
}

// Notification is conformance.Notifier: TinyPay's signed notification, or
// one re-signed with a key the adapter does not trust.
func (h *harness) Notification(paymentID, target string, forged bool) (*http.Request, error) {
	req, err := h.SignedNotification(paymentID, target)
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
