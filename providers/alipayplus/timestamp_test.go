package alipayplus_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/signing"
)

// Alipay's official Go code sends Request-Time as Unix time digits; the
// signature covers the header as sent, so that form verifies as well as
// ISO 8601, and a signed time nobody can read is ErrBadTimestamp, not a bad
// signature (issue 12 item 6).
func TestNotificationRequestTimeForms(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	cr := srv.Credentials()
	key, err := signing.ParsePrivateKey(cr.WalletPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	const uri = "/notify/wallet"
	body := []byte(`{"paymentId":"P1","paymentRequestId":"R1","paymentStatus":"SUCCESS"}`)
	signed := func(ts string) http.Header {
		sig, err := signing.Sign(key, signing.Message(http.MethodPost, uri, body, cr.ClientID, ts))
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set("Client-Id", cr.ClientID)
		h.Set("Request-Time", ts)
		h.Set("Signature", signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true))
		return h
	}
	now := time.Date(2026, 11, 22, 10, 15, 30, 123e6, time.UTC)
	for _, ts := range []string{now.Format("2006-01-02T15:04:05.000-07:00"), strconv.FormatInt(now.UnixMilli(), 10), strconv.FormatInt(now.UnixNano(), 10)} {
		got, err := c.VerifyNotification(signed(ts), uri, body)
		if err != nil || !got.Equal(now) {
			t.Errorf("Request-Time %s: %v, %v; want %v", ts, got, err, now)
		}
	}
	if _, err := c.VerifyNotification(signed("yesterday"), uri, body); !errors.Is(err, notify.ErrBadTimestamp) {
		t.Errorf("unreadable time: %v; want ErrBadTimestamp", err)
	}
}
