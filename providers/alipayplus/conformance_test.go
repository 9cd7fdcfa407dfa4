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

// TestConformance runs the suite against the wallet as documented: cashier
// pays answered S with the form's redirectionUrl, no amount in pay and
// refund answers, notifications in shape B signed over the notify URL's
// path and query, signatures URL-encoded, Request-Time in ISO 8601.
func TestConformance(t *testing.T) { conformance.Run(t, harnessMaker(nil, nil)) }

// TestConformanceOtherReadings runs the suite again against a wallet that
// takes the other reading of every point the wallets' documentation and
// Alipay's official SDKs leave open, with the adapter configured the other
// way where it has a choice: cashier pays answered A ACCEPT with Super
// Qi's redirectUrl, paymentAmount and refundAmount in the answers (as the
// SDK's models have them), notifications in shape A signed over the path
// alone, raw base64 signatures both ways, and Request-Time in Unix
// milliseconds (as the official Java SDK sends it).
//
// One reading is left out on purpose: unsigned F and U answers
// (alipayplustest.WithUnsignedFailures). The adapter trusts no unsigned
// answer, so against such a wallet every refusal is an unknown outcome
// and U is not retried; the suite's rules for F and U cannot hold there,
// and the adapter's own tests check that behaviour instead.
func TestConformanceOtherReadings(t *testing.T) {
	conformance.Run(t, harnessMaker(
		[]alipayplustest.Option{
			alipayplustest.WithAcceptStatus(wire.StatusA),
			alipayplustest.WithRedirectField(alipayplustest.RedirectURL),
			alipayplustest.WithAnswerAmounts(true),
			alipayplustest.WithNotificationShape(alipayplustest.ShapeA),
			alipayplustest.WithNotifyPathOnly(true),
			alipayplustest.WithRawSignature(true),
		},
		func(c *alipayplus.Config) {
			c.RawSignature = true
			c.TimeLayout = alipayplus.TimeUnixMilli
		}))
}

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

// harnessMaker returns a maker of harnesses whose simulated wallet takes
// opts and whose adapter config mutate adjusts (both may be nil).
func harnessMaker(opts []alipayplustest.Option, mutate func(*alipayplus.Config)) conformance.HarnessMaker {
	return func(t *testing.T, o conformance.Options) conformance.Harness {
		h := &harness{srv: alipayplustest.NewServer(opts...)}
		h.creds = h.srv.Credentials()
		// A changed amount is produced on every operation: on pay and
		// refund answers, which name no amount by default, the simulator
		// then states a wrong one.
		h.ft = conformance.NewFaultTransport(h.srv.Client().Transport, paths, h.simulate)
		cfg := alipayplus.Config{
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
		}
		if mutate != nil {
			mutate(&cfg)
		}
		var err error
		if h.p, err = alipayplus.New(cfg); err != nil {
			t.Fatal(err)
		}
		return h
	}
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
