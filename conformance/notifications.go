package conformance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

// Notifier is implemented by a Harness whose simulator sends notifications.
// The suite then checks the adapter's notify.Source methods through a
// notify.Handler.
type Notifier interface {
	// Notification returns the notification the provider would post to
	// target for the payment's current state: signed with the provider's
	// key, or — forged — with a key the adapter does not trust.
	Notification(paymentID, target string, forged bool) (*http.Request, error)
}

const notifyTarget = "https://merchant.example/paybridge/notify"

func checkNotifications(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	if !caps.Notifications {
		t.Skip("provider sends no notifications")
	}
	e := newEnv(t, maker)
	var src notify.Source
	if !payment.As(e.p, &src) {
		t.Fatalf("RULE BROKEN — a provider whose Capabilities say Notifications must be a notify.Source, itself or through its As method (payment.As)")
	}
	n, ok := e.h.(Notifier)
	if !ok {
		t.Skip("harness cannot produce notifications (implement conformance.Notifier)")
	}
	_, p := e.paid(1234)
	build := func(t *testing.T, forged bool) (*http.Request, []byte) {
		t.Helper()
		req, err := n.Notification(p.PaymentID, notifyTarget, forged)
		if err != nil {
			t.Fatalf("Notification: %v", err)
		}
		body, _ := io.ReadAll(req.Body)
		return req, body
	}
	// serve runs one notification through a handler whose clock is shifted
	// by skew, and returns what happened and what was delivered.
	serveAt := func(req *http.Request, body []byte, skew time.Duration) (notify.Outcome, []payment.Event) {
		var (
			mu     sync.Mutex
			events []payment.Event
			out    notify.Outcome
		)
		h := notify.NewHandler(src, func(_ context.Context, ev payment.Event) error {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, ev)
			return nil
		}, notify.WithClock(clock.NewFake(time.Now().Add(skew))),
			notify.WithObserver(func(_ *http.Request, o notify.Outcome) { out = o }))
		u, _ := url.Parse(notifyTarget)
		r := httptest.NewRequest(http.MethodPost, u.RequestURI(), bytes.NewReader(body))
		r.Header = req.Header.Clone()
		h.ServeHTTP(httptest.NewRecorder(), r)
		return out, events
	}

	serve := func(req *http.Request, body []byte) (notify.Outcome, []payment.Event) { return serveAt(req, body, 0) }

	t.Run("a valid notification is delivered as the expected event", func(t *testing.T) {
		out, events := serve(build(t, false))
		if !out.Acked || len(events) != 1 {
			t.Fatalf("outcome %+v, %d events", out, len(events))
		}
		ev := events[0]
		if ev.Kind != payment.EventPayment || ev.Payment == nil || ev.Payment.PaymentID != p.PaymentID ||
			ev.Payment.Status != payment.StatusSucceeded || ev.Key == "" || ev.Provider != e.p.Name() {
			t.Errorf("event %+v", ev)
		} else if !ev.Payment.Amount.Currency().IsZero() && !ev.Payment.Amount.Equal(p.Amount) {
			t.Errorf("event amount %s, want %s", ev.Payment.Amount, p.Amount)
		}
		_, more := serve(build(t, false))
		if len(more) != 1 || more[0].Key != ev.Key {
			t.Errorf("RULE BROKEN — the same notification must carry the same event key: %q then %v", ev.Key, more)
		}
	})
	for _, tc := range []struct {
		name   string
		forged bool
		tamper bool
		skew   time.Duration
		want   error
	}{
		{"a tampered body is rejected", false, true, 0, notify.ErrBadSignature},
		{"a notification signed with another key is rejected", true, false, 0, notify.ErrBadSignature},
		{"a stale notification is rejected", false, false, notify.DefaultTolerance + time.Minute, notify.ErrStale},
		{"a notification from the future is rejected", false, false, -notify.DefaultTolerance - time.Minute, notify.ErrFuture},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, body := build(t, tc.forged)
			if tc.tamper {
				body = simulator.Tamper(body)
			}
			out, events := serveAt(req, body, tc.skew)
			if !errors.Is(out.Err, tc.want) || out.Acked || len(events) != 0 {
				t.Errorf("RULE BROKEN — want %v, no delivery, no acknowledgement; got %+v and %d events", tc.want, out, len(events))
			}
		})
	}
}
