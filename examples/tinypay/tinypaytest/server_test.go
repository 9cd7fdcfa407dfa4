package tinypaytest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"example.com/tinypay/internal/wire"
	"example.com/tinypay/tinypaytest"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/signing"
)

// TestVerify: the simulator refuses, signed, every request the real TinyPay
// would, and processes none of them.
func TestVerify(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	key, err := signing.ParsePrivateKey(srv.Credentials().MerchantPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := []byte(`{"requestId":"R-1","amount":{"value":"100","currency":"USD"},"product":"QR"}`)
	now := time.Now().UTC()
	for _, tc := range []struct {
		name     string
		merchant string
		at       time.Time
		sign     func(msg []byte) []byte
	}{
		{"another merchant", "TINY-M2", now, nil},
		{"a stale time", tinypaytest.MerchantID, now.Add(-10 * time.Minute), nil},
		{"no signature", tinypaytest.MerchantID, now, func([]byte) []byte { return nil }},
		{"another key", tinypaytest.MerchantID, now, func(msg []byte) []byte {
			sig, _ := signing.Sign(conformance.UntrustedKey(), msg)
			return sig
		}},
	} {
		ts := tc.at.Format(time.RFC3339)
		msg := signing.Message(http.MethodPost, wire.PathPay, body, tc.merchant, ts)
		sig, _ := signing.Sign(key, msg)
		if tc.sign != nil {
			sig = tc.sign(msg)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+wire.PathPay, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(wire.HeaderMerchant, tc.merchant)
		req.Header.Set(wire.HeaderTime, ts)
		req.Header.Set(wire.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var a wire.Answer
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil || a.Result == nil || a.Result.Status != "F" || a.Result.Code != wire.CodeBadRequest || resp.Header.Get(wire.HeaderSignature) == "" {
			t.Errorf("%s: %+v (%v), want a signed F %s", tc.name, a.Result, err, wire.CodeBadRequest)
		}
	}
	if n := srv.Orders("R-1"); n != 0 {
		t.Errorf("%d payments made", n)
	}
}
