package notify_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// The customer paid but the notification never came. The Reconciler
// inquires the platform's pending payments and delivers the same event the
// handler would have, once: it shares the handler's Store, so whichever
// path sees the payment first delivers it and the other drops it.
func ExampleReconciler() {
	p := paymenttest.New()
	ctx := context.Background()
	pay, err := p.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-9", Scenario: payment.ScenarioQRCode, Amount: money.MustParse("12.00 CAD")})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = p.Complete(pay.PaymentID) // the customer pays; the notification is lost

	// The platform's orders table, reduced to its pending payments.
	var mu sync.Mutex
	pending := map[string]payment.Ref{"ORDER-9": pay.Ref()}
	listPending := notify.PendingFunc(func(context.Context) ([]payment.Ref, error) {
		mu.Lock()
		defer mu.Unlock()
		var refs []payment.Ref
		for _, ref := range pending {
			refs = append(refs, ref)
		}
		return refs, nil
	})
	deliver := func(_ context.Context, ev payment.Event) error {
		mu.Lock()
		defer mu.Unlock()
		fmt.Println("deliver", ev.Payment.PaymentRequestID, ev.Payment.Status)
		delete(pending, ev.Payment.PaymentRequestID) // recorded final: no longer pending
		return nil
	}

	// The notify handler gets the same store and deliver function:
	// notify.NewHandler(source, deliver, notify.WithStore(store)). With
	// several instances the store is Redis or PostgreSQL.
	store := notify.NewMemoryStore(notify.MemoryStoreOptions{})
	r := &notify.Reconciler{Provider: p, Pending: listPending, Deliver: deliver, Store: store}

	// In production: go r.Run(ctx), which passes every BaseInterval.
	for range 2 {
		n, err := r.RunOnce(ctx)
		fmt.Println("settled", n, err)
	}
	// Output:
	// deliver ORDER-9 succeeded
	// settled 1 <nil>
	// settled 0 <nil>
}
