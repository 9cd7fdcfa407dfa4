// Package familyconformance is the conformance harness of the Alipay
// family's adapters (alipayplus, antom): one adapter wired to one
// family simulator through a conformance.FaultTransport. The simulators
// share their envelope and fault kit, so their harnesses differ only in
// the simulator, the paths and the adapter's config; each adapter's
// conformance test builds one with New.
package familyconformance

import (
	"bytes"
	"io"
	"net/http"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// Simulator is what the harness uses of a family simulator.
type Simulator interface {
	Client() *http.Client
	Script(path string, faults ...simulator.Fault)
	Complete(paymentID string) error
	Decline(paymentID string) error
	Expire(paymentID string) error
	Charges(paymentRequestID string) int
	PaymentStatus(paymentRequestID string) (payment.Status, bool)
	RefundCount(refundRequestID string) int
	SignedNotification(paymentID, targetURL string) (*http.Request, error)
	Close()
}

// Harness implements conformance.Harness, Ledger, SecretLister and
// Notifier.
type Harness struct {
	// P is the adapter; the test sets it, with FT as its transport.
	P payment.Provider
	// FT is the fault transport between the adapter and the simulator.
	FT *conformance.FaultTransport

	sim        Simulator
	paths      map[string]string
	keyVersion string
	secrets    []string
}

var (
	_ conformance.Harness  = (*Harness)(nil)
	_ conformance.Ledger   = (*Harness)(nil)
	_ conformance.Notifier = (*Harness)(nil)
)

// New returns a harness over sim, whose endpoint path of each operation
// is paths[op]; keyVersion is the server's, and secretPEMs the private
// keys that must never be logged.
func New(sim Simulator, paths map[string]string, keyVersion string, secretPEMs ...string) *Harness {
	h := &Harness{sim: sim, paths: paths, keyVersion: keyVersion, secrets: conformance.PEMSecrets(secretPEMs...)}
	// A changed amount is produced on every operation: on answers that
	// name no amount by default, the simulator then states a wrong one.
	h.FT = conformance.NewFaultTransport(sim.Client().Transport, paths, h.simulate)
	return h
}

// ordinary are the family's codes for a scripted U and F.
var ordinary = map[payment.ResultStatus]string{
	payment.ResultUnknown: alipayfamily.CodeUnknownException,
	payment.ResultFailed:  alipayfamily.CodeProcessFail,
}

// simulate scripts the faults that need the simulator itself, as the
// kit makes them (conformance.KitFault).
func (h *Harness) simulate(op string, f conformance.Fault) error {
	sf, err := conformance.KitFault(f, ordinary)
	if err == nil {
		h.sim.Script(h.paths[op], sf)
	}
	return err
}

func (h *Harness) Provider() payment.Provider                     { return h.P }
func (h *Harness) Script(op string, f ...conformance.Fault) error { return h.FT.Script(op, f...) }
func (h *Harness) Requests(op string) []conformance.Request       { return h.FT.Requests(op) }
func (h *Harness) Complete(id string) error                       { return h.sim.Complete(id) }
func (h *Harness) Decline(id string) error                        { return h.sim.Decline(id) }
func (h *Harness) Expire(id string) error                         { return h.sim.Expire(id) }
func (h *Harness) Charges(paymentRequestID string) int            { return h.sim.Charges(paymentRequestID) }
func (h *Harness) Close()                                         { h.sim.Close() }
func (h *Harness) Secrets() []string                              { return h.secrets }

// PaymentStatus implements conformance.Ledger with the simulator's books.
func (h *Harness) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	return h.sim.PaymentStatus(paymentRequestID)
}

// RefundCount implements conformance.Ledger with the simulator's books.
func (h *Harness) RefundCount(refundRequestID string) int { return h.sim.RefundCount(refundRequestID) }

// Notification implements conformance.Notifier: the simulator's signed
// notification, or, forged, the same signed by a key nobody trusts.
func (h *Harness) Notification(paymentID, target string, forged bool) (*http.Request, error) {
	req, err := h.sim.SignedNotification(paymentID, target)
	if err != nil || !forged {
		return req, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	sig, err := signing.Sign(conformance.UntrustedKey(), signing.Message(http.MethodPost, req.URL.RequestURI(), body,
		req.Header.Get(alipayfamily.HeaderClientID), req.Header.Get(alipayfamily.HeaderRequestTime)))
	if err != nil {
		return nil, err
	}
	req.Header.Set(alipayfamily.HeaderSignature, signing.Header{Algorithm: alipayfamily.Algorithm, KeyVersion: h.keyVersion, Signature: sig}.Format(true))
	return req, nil
}
