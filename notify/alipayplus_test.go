package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
)

// The same handler code serves an Alipay+ wallet: its notification (shape B
// by default, shape A by option) is verified, delivered once and
// acknowledged, and a delivery that fails is retried by the wallet.
func TestEndToEndAlipayPlus(t *testing.T) {
	for _, shape := range []string{"B", "A"} {
		t.Run("shape "+shape, func(t *testing.T) {
			clk := clock.NewFake(time.Now())
			sim := alipayplustest.NewServer(alipayplustest.WithNotificationShape(shape), alipayplustest.WithClock(clk))
			defer sim.Close()
			cr := sim.Credentials()
			c, err := alipayplus.New(alipayplus.Config{BaseURL: cr.BaseURL, PathPrefix: cr.Prefix, ClientID: cr.ClientID,
				KeyVersion: cr.KeyVersion, PrivateKey: cr.MerchantPrivateKey, WalletPublicKey: cr.WalletPublicKey, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var events []payment.Event
			fail := 1
			site := httptest.NewServer(notify.NewHandler(c, func(_ context.Context, ev payment.Event) error {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, ev)
				if fail > 0 {
					fail--
					return context.DeadlineExceeded // the platform's database is down once
				}
				return nil
			}, notify.WithClock(clk)))
			defer site.Close()

			ctx := context.Background()
			p, err := c.Pay(ctx, &payment.PayRequest{PaymentRequestID: "WALLET-" + shape, Scenario: payment.ScenarioCashier,
				Amount: money.MustParse("150 IQD"), NotifyURL: site.URL + "/notify/wallet"})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Complete(p.PaymentID); err != nil {
				t.Fatal(err)
			}
			wait, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := sim.AwaitDeliveries(wait, 1); err != nil {
				t.Fatal(err)
			}
			if d := sim.Deliveries(); d[0].Acked {
				t.Fatalf("a failed delivery was acknowledged: %+v", d[0])
			}
			// The wallet retries after 2 minutes on its clock.
			clk.BlockUntilWaiters(1)
			clk.Advance(2 * time.Minute)
			if err := sim.AwaitDeliveries(wait, 2); err != nil {
				t.Fatal(err)
			}
			if d := sim.Deliveries(); !d[1].Acked {
				t.Fatalf("the retry was not acknowledged: %+v", d[1])
			}
			if resp := post(t, mustSigned(t, sim, p.PaymentID, site.URL+"/notify/wallet")); resp.StatusCode != 200 {
				t.Fatalf("duplicate answered %d", resp.StatusCode)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(events) != 2 { // the failed attempt, then the one that stuck; the duplicate is not delivered
				t.Fatalf("deliver called %d times", len(events))
			}
			ev := events[1]
			if ev.Payment.Status != payment.StatusSucceeded || ev.Payment.PaymentID != p.PaymentID || !ev.Payment.Amount.Equal(money.MustParse("150 IQD")) {
				t.Fatalf("event %+v", ev.Payment)
			}
		})
	}
}

func mustSigned(t *testing.T, sim *alipayplustest.Server, id, target string) *http.Request {
	t.Helper()
	r, err := sim.SignedNotification(id, target)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
