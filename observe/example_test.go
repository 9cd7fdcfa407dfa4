package observe_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// callCounter counts calls by provider, operation and outcome: an Observer
// of its own, for a metrics system other than OpenTelemetry. Base provides
// the methods it does not need.
type callCounter struct {
	observe.Base
	mu     sync.Mutex
	counts map[string]int
}

func (c *callCounter) CallEnd(_ context.Context, call *observe.Call) {
	outcome := "ok"
	if call.Kind != 0 {
		outcome = call.Kind.String()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[call.Provider+" "+call.Op+" "+outcome]++
}

func Example() {
	counter := &callCounter{counts: map[string]int{}}

	sim := alphapaytest.NewServer() // a simulated AlphaPay
	defer sim.Close()
	cr := sim.Credentials()
	ap, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode,
		PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey, Observer: counter})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	p, err := ap.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("19.99 CAD"), Description: "Green tea x2"})
	if err != nil {
		panic(err)
	}
	_, _ = ap.Inquire(ctx, p.Ref())
	_, err = ap.Inquire(ctx, payment.Ref{PaymentID: "no-such-payment"})
	fmt.Println(payment.KindOf(err).String())

	fmt.Println(counter.counts["alphapay pay ok"], counter.counts["alphapay inquire ok"], counter.counts["alphapay inquire not found"])
	// Output:
	// not found
	// 1 1 1
}
