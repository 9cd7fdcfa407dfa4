package antom_test

import (
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/antom"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
	"github.com/paybridge/paybridge/providers/internal/familyconformance"
)

var paths = map[string]string{
	payment.OpPay:           antomtest.PathPay,
	payment.OpInquire:       antomtest.PathInquiry,
	payment.OpCancel:        antomtest.PathCancel,
	payment.OpRefund:        antomtest.PathRefund,
	payment.OpInquireRefund: antomtest.PathInquiryRefund,
}

// TestConformance runs the whole suite against the simulated gateway,
// the adapter on the suite's clock (the simulator keeps the system
// clock, as the other simulators do under the suite).
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T, o conformance.Options) conformance.Harness {
		srv := antomtest.NewServer()
		cr := srv.Credentials()
		h := familyconformance.New(srv, paths, cr.KeyVersion, cr.MerchantPrivateKey, cr.AntomPrivateKey)
		var err error
		h.P, err = antom.New(antom.Config{BaseURL: cr.BaseURL, ClientID: cr.ClientID, KeyVersion: cr.KeyVersion,
			PrivateKey: cr.MerchantPrivateKey, AntomPublicKey: cr.AntomPublicKey, HTTPClient: &http.Client{Transport: h.FT},
			Retry: o.Retry, Clock: o.Clock, Logger: o.Logger})
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
}
