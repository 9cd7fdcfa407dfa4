package otelpaybridge_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/observe/otelpaybridge"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// An adapter with an OpenTelemetry Observer: the pay's span is a child of
// the caller's, with one child per HTTP attempt. In production tp and mp
// come from your SDK set-up, with the exporters you use.
func ExampleNew() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	obs, err := otelpaybridge.New(otelpaybridge.Options{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		panic(err)
	}

	sim := alphapaytest.NewServer() // a simulated AlphaPay
	defer sim.Close()
	cr := sim.Credentials()
	ap, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode,
		PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey, Observer: obs})
	if err != nil {
		panic(err)
	}

	ctx, checkout := tp.Tracer("shop").Start(context.Background(), "checkout")
	_, err = ap.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("19.99 CAD"), Description: "Green tea x2"})
	checkout.End()
	if err != nil {
		panic(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// paybridge.pay.attempt
	// paybridge.pay
	// checkout
}
