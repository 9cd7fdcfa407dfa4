package alipayplus_test

import (
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/providers/internal/familyconformance"
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

var paths = map[string]string{
	payment.OpPay:           wire.PathPay,
	payment.OpInquire:       wire.PathInquiry,
	payment.OpCancel:        wire.PathCancel,
	payment.OpRefund:        wire.PathRefund,
	payment.OpInquireRefund: wire.PathInquiryRefund,
}

// harnessMaker returns a maker of harnesses (the family's) whose
// simulated wallet takes opts and whose adapter config mutate adjusts
// (both may be nil).
func harnessMaker(opts []alipayplustest.Option, mutate func(*alipayplus.Config)) conformance.HarnessMaker {
	return func(t *testing.T, o conformance.Options) conformance.Harness {
		srv := alipayplustest.NewServer(opts...)
		creds := srv.Credentials()
		h := familyconformance.New(srv, paths, creds.KeyVersion, creds.MerchantPrivateKey, creds.WalletPrivateKey)
		cfg := alipayplus.Config{
			BaseURL:         creds.BaseURL,
			PathPrefix:      creds.Prefix,
			ClientID:        creds.ClientID,
			KeyVersion:      creds.KeyVersion,
			PrivateKey:      creds.MerchantPrivateKey,
			WalletPublicKey: creds.WalletPublicKey,
			HTTPClient:      &http.Client{Transport: h.FT},
			Retry:           o.Retry,
			Clock:           o.Clock,
			Logger:          o.Logger,
		}
		if mutate != nil {
			mutate(&cfg)
		}
		var err error
		if h.P, err = alipayplus.New(cfg); err != nil {
			t.Fatal(err)
		}
		return h
	}
}
