package alipayplus_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
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

// Config.TimeLayout TimeUnixMilli and TimeUnixNano send Request-Time as
// Alipay's official Java and Go SDKs do; the simulator accepts them by
// default and refuses them with WithStrictRequestTime, the reading of the
// wallets' documentation alone (F REQUEST_TIME_INVALID: nothing happened).
func TestUnixRequestTime(t *testing.T) {
	now := time.Date(2026, 11, 22, 18, 15, 30, 123456789, time.FixedZone("PHT", 8*3600))
	for layout, want := range map[string]string{
		alipayplus.TimeUnixMilli: strconv.FormatInt(now.UnixMilli(), 10),
		alipayplus.TimeUnixNano:  strconv.FormatInt(now.UnixNano(), 10),
	} {
		t.Run(layout, func(t *testing.T) {
			clk := clock.NewFake(now)
			srv := alipayplustest.NewServer(alipayplustest.WithClock(clk))
			defer srv.Close()
			c := newClient(t, srv, func(cfg *alipayplus.Config) { cfg.TimeLayout = layout; cfg.Clock = clk })
			p, err := c.Pay(context.Background(), request("UNIX-1", "150 IQD"))
			if err != nil || p.Status != payment.StatusPending {
				t.Fatalf("pay: %+v, %v", p, err)
			}
			if got := srv.Requests(alipayplustest.PathPay)[0].RequestTime; got != want {
				t.Errorf("Request-Time %q, want %q", got, want)
			}

			strict := alipayplustest.NewServer(alipayplustest.WithClock(clk), alipayplustest.WithStrictRequestTime(true))
			defer strict.Close()
			c = newClient(t, strict, func(cfg *alipayplus.Config) { cfg.TimeLayout = layout; cfg.Clock = clk })
			_, err = c.Pay(context.Background(), request("UNIX-2", "150 IQD"))
			var pe *payment.Error
			if !errors.As(err, &pe) || pe.Kind != payment.KindFailed || pe.Result.Code != "REQUEST_TIME_INVALID" {
				t.Fatalf("strict server: %v; want failed REQUEST_TIME_INVALID", err)
			}
			if n := strict.Orders("UNIX-2"); n != 0 {
				t.Errorf("%d orders", n)
			}
		})
	}
}
