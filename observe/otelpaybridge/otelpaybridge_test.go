package otelpaybridge_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/observe/otelpaybridge"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// telemetry is an in-memory OpenTelemetry pipeline: every ended span, and
// the metrics on demand.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	obs    *otelpaybridge.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	obs, err := otelpaybridge.New(otelpaybridge.Options{TracerProvider: tel.tp, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	tel.obs = obs
	return tel
}

func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelpaybridge.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// spansNamed returns the ended spans with name, in the order they ended.
func (tel *telemetry) spansNamed(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func wantAttrs(t *testing.T, what string, got []attribute.KeyValue, want map[attribute.Key]any) {
	t.Helper()
	m := attrs(got)
	for k, v := range want {
		gv, ok := m[k]
		if !ok {
			t.Errorf("%s: no %s", what, k)
			continue
		}
		if fmt.Sprint(gv.AsInterface()) != fmt.Sprint(v) {
			t.Errorf("%s: %s = %v, want %v", what, k, gv.AsInterface(), v)
		}
	}
}

// sumOf returns the value of the counter's data point whose attributes
// include match, or -1.
func sumOf(t *testing.T, data metricdata.Aggregation, match map[attribute.Key]string) int64 {
	t.Helper()
	sum, ok := data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%T is not an int64 sum", data)
	}
	for _, dp := range sum.DataPoints {
		if pointMatches(dp.Attributes, match) {
			return dp.Value
		}
	}
	return -1
}

func pointMatches(set attribute.Set, match map[attribute.Key]string) bool {
	for k, v := range match {
		if got, ok := set.Value(k); !ok || got.Emit() != v {
			return false
		}
	}
	return true
}

// secretWatch records the secrets that went over the wire — every
// Signature and Nonce header value, in both directions — so that the test
// can look for them where they must never be.
type secretWatch struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (s *secretWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	s.add(r.Header.Get("Signature"))
	resp, err := s.next.RoundTrip(r)
	if resp != nil {
		s.add(resp.Header.Get("Signature"))
	}
	return resp, err
}

func (s *secretWatch) add(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, v)
	// The signature alone, as it may appear without its header's fields.
	if _, sig, ok := strings.Cut(v, "signature="); ok {
		s.seen = append(s.seen, sig)
	}
}

// pemLines returns a PEM block's base64 lines: any of them in an attribute
// would be a piece of the key.
func pemLines(pem string) []string {
	var out []string
	for _, l := range strings.Split(pem, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

const (
	cardNumber  = "4111111111111111"
	cardCVV     = "7373"
	paymentCode = "134567890123456789"
)

// The done-when of issue 14: through the AlphaPay adapter and its
// simulator, a card pay answered U and then paid on its retry, a pay with
// the saved card's token and an in-store pay with the customer's payment
// code; a notification through notify.Handler; a reconcile pass. The
// in-memory exporter holds a span per call and per attempt, children of
// the caller's span, one per notification and per pass, the metrics of
// each — and no secret in any attribute, event or status of any of them.
func TestSpansAndMetricsOfAPayWithARetryANotificationAndAReconcilePass(t *testing.T) {
	tel := newTelemetry(t)
	srv := alphapaytest.NewServer()
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	watch := &secretWatch{next: http.DefaultTransport}
	hc := &http.Client{Transport: watch}
	t.Cleanup(hc.CloseIdleConnections)
	ap, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey,
		AlphaPayPublicKey: cr.AlphaPayPublicKey, HTTPClient: hc, Observer: tel.obs, Clock: clock.NewAuto(time.Now()),
		Retry: payment.RetryPolicy{MaxAttempts: 3, BaseWait: time.Millisecond, MaxWait: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}

	// The caller's span: paybridge's spans must be its children.
	ctx, checkout := tel.tp.Tracer("shop").Start(context.Background(), "checkout")

	// 1. A card pay: U, then paid on the retry.
	srv.Script(alphapaytest.PathPay, alphapaytest.Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION", Message: "try again"}})
	card := &payment.PayRequest{PaymentRequestID: "ORDER-OTEL-1", Scenario: payment.ScenarioCreditCard, Amount: money.MustParse("19.99 CAD"),
		Description: "Green tea x2", Card: &payment.Card{Number: cardNumber, ExpMonth: 12, ExpYear: 2030, CVV: cardCVV, Holder: "Ada L",
			Remember: true, CustomerID: "C001", Email: "ada@example.com"}}
	paid, err := ap.Pay(ctx, card)
	if err != nil {
		t.Fatal(err)
	}
	if paid.CardToken == "" {
		t.Fatal("no card token to look for")
	}
	// 2. The saved card's token pays again.
	again := &payment.PayRequest{PaymentRequestID: "ORDER-OTEL-2", Scenario: payment.ScenarioCreditCard, Amount: money.MustParse("5.00 CAD"),
		Description: "Refill", Card: &payment.Card{Token: string(paid.CardToken), CustomerID: "C001"}}
	if _, err := ap.Pay(ctx, again); err != nil {
		t.Fatal(err)
	}
	// 3. An in-store pay with the customer's payment code.
	scan := &payment.PayRequest{PaymentRequestID: "ORDER-OTEL-3", Scenario: payment.ScenarioInStoreScan, Amount: money.MustParse("3.50 CAD"),
		Description: "Counter", PaymentCode: paymentCode}
	scanned, err := ap.Pay(ctx, scan)
	if err != nil {
		t.Fatal(err)
	}
	checkout.End()

	// 4. The customer completes the card payment; its notification goes
	// through the handler.
	if paid.Status == payment.StatusPending {
		if err := srv.Complete(paid.PaymentID); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var events []payment.Event
	deliver := func(_ context.Context, e payment.Event) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		return nil
	}
	const target = "https://shop.example/notify/alphapay"
	note, err := srv.SignedNotification(paid.PaymentID, target)
	if err != nil {
		t.Fatal(err)
	}
	watch.add(note.Header.Get("Signature"))
	h := notify.NewHandler(ap, deliver, notify.WithTelemetry(tel.obs))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, note)
	if rec.Code != http.StatusOK {
		t.Fatalf("notification answered %d", rec.Code)
	}

	// 5. A reconcile pass over the in-store payment, which its notification
	// never reached.
	if scanned.Status == payment.StatusPending {
		if err := srv.Complete(scanned.PaymentID); err != nil {
			t.Fatal(err)
		}
	}
	r := &notify.Reconciler{Provider: ap, Deliver: deliver, Observer: tel.obs,
		Pending: notify.PendingFunc(func(context.Context) ([]payment.Ref, error) { return []payment.Ref{scanned.Ref()}, nil })}
	if n, err := r.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}

	// Spans: the card pay and its two attempts, children of checkout.
	pays := tel.spansNamed("paybridge.pay")
	if len(pays) != 3 {
		t.Fatalf("%d pay spans, want 3", len(pays))
	}
	pay := pays[0]
	if pay.Parent().SpanID() != checkout.SpanContext().SpanID() || pay.SpanContext().TraceID() != checkout.SpanContext().TraceID() {
		t.Errorf("the pay span is not the caller's span's child")
	}
	wantAttrs(t, "pay span", pay.Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrProvider: "alphapay", otelpaybridge.AttrOperation: "pay", otelpaybridge.AttrRequestID: "ORDER-OTEL-1",
		otelpaybridge.AttrScenario: "credit_card", otelpaybridge.AttrKind: "ok", otelpaybridge.AttrAttempts: 2,
		otelpaybridge.AttrStatus: string(paid.Status), otelpaybridge.AttrResultStatus: string(paid.Result.Status),
		otelpaybridge.AttrResultCode: paid.Result.Code, otelpaybridge.AttrHTTPStatus: 200,
		otelpaybridge.AttrMayHaveBeenSent: true,
	})
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range tel.spansNamed("paybridge.pay.attempt") {
		if s.Parent().SpanID() == pay.SpanContext().SpanID() {
			attempts = append(attempts, s)
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempt spans under the card pay, want 2", len(attempts))
	}
	wantAttrs(t, "first attempt", attempts[0].Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrAttempt: 1, otelpaybridge.AttrAttemptOutcome: "pending", otelpaybridge.AttrResultStatus: "U",
		otelpaybridge.AttrResultCode: "UNKNOWN_EXCEPTION", otelpaybridge.AttrRetryReason: "pending", otelpaybridge.AttrHTTPStatus: 200,
		otelpaybridge.AttrRequestID: "ORDER-OTEL-1",
	})
	wantAttrs(t, "second attempt", attempts[1].Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrAttempt: 2, otelpaybridge.AttrAttemptOutcome: "done", otelpaybridge.AttrResultCode: paid.Result.Code,
	})
	if _, ok := attrs(attempts[1].Attributes())[otelpaybridge.AttrRetryReason]; ok {
		t.Error("the last attempt has a retry reason")
	}

	notes := tel.spansNamed("paybridge.notification")
	if len(notes) != 1 {
		t.Fatalf("%d notification spans", len(notes))
	}
	wantAttrs(t, "notification span", notes[0].Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrProvider: "alphapay", otelpaybridge.AttrVerdict: "delivered", otelpaybridge.AttrHTTPStatus: 200,
		otelpaybridge.AttrAcked: true, otelpaybridge.AttrEventKind: "payment", otelpaybridge.AttrStatus: "succeeded",
	})
	passes := tel.spansNamed("paybridge.reconcile")
	if len(passes) != 1 {
		t.Fatalf("%d reconcile spans", len(passes))
	}
	wantAttrs(t, "reconcile span", passes[0].Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrProvider: "alphapay", otelpaybridge.AttrReconcilePending: 1, otelpaybridge.AttrReconcileSettled: 1,
		otelpaybridge.AttrReconcileBacklog: 0, otelpaybridge.AttrReconcileComplete: true,
	})
	// The pass's inquiry is its child.
	var inquiry sdktrace.ReadOnlySpan
	for _, s := range tel.spansNamed("paybridge.inquire") {
		if s.Parent().SpanID() == passes[0].SpanContext().SpanID() {
			inquiry = s
		}
	}
	if inquiry == nil {
		t.Error("no inquiry span under the reconcile pass")
	}

	// Metrics.
	m := tel.metrics(t)
	for _, name := range []string{otelpaybridge.MetricCalls, otelpaybridge.MetricCallDuration, otelpaybridge.MetricAttempts,
		otelpaybridge.MetricAttemptDuration, otelpaybridge.MetricNotifications, otelpaybridge.MetricNotificationDuration,
		otelpaybridge.MetricReconcilePasses, otelpaybridge.MetricReconcileSettled, otelpaybridge.MetricReconcileBacklog,
		otelpaybridge.MetricReconcileDuration} {
		if m[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if n := sumOf(t, m[otelpaybridge.MetricCalls], map[attribute.Key]string{otelpaybridge.AttrOperation: "pay", otelpaybridge.AttrKind: "ok"}); n != 3 {
		t.Errorf("%d pay calls ok, want 3", n)
	}
	if n := sumOf(t, m[otelpaybridge.MetricAttempts], map[attribute.Key]string{otelpaybridge.AttrOperation: "pay", otelpaybridge.AttrRetryReason: "pending"}); n != 1 {
		t.Errorf("%d pay attempts retried as pending, want 1", n)
	}
	if n := sumOf(t, m[otelpaybridge.MetricNotifications], map[attribute.Key]string{otelpaybridge.AttrVerdict: "delivered"}); n != 1 {
		t.Errorf("%d notifications delivered, want 1", n)
	}
	if n := sumOf(t, m[otelpaybridge.MetricReconcileSettled], map[attribute.Key]string{otelpaybridge.AttrReconcileSource: "pending"}); n != 1 {
		t.Errorf("%d items settled from pending, want 1", n)
	}
	if g, ok := m[otelpaybridge.MetricReconcileBacklog].(metricdata.Gauge[int64]); !ok || len(g.DataPoints) != 2 {
		t.Errorf("backlog %+v", m[otelpaybridge.MetricReconcileBacklog])
	} else {
		for _, dp := range g.DataPoints {
			if dp.Value != 0 {
				t.Errorf("backlog %v: %d", dp.Attributes.ToSlice(), dp.Value)
			}
		}
	}
	if hist, ok := m[otelpaybridge.MetricCallDuration].(metricdata.Histogram[float64]); !ok || len(hist.DataPoints) == 0 {
		t.Errorf("call durations %+v", m[otelpaybridge.MetricCallDuration])
	}

	// No secret anywhere.
	secrets := []string{cardNumber, paymentCode, string(paid.CardToken), cr.MerchantPrivateKey, cr.AlphaPayPrivateKey}
	secrets = append(secrets, pemLines(cr.MerchantPrivateKey)...)
	secrets = append(secrets, pemLines(cr.AlphaPayPrivateKey)...)
	watch.mu.Lock()
	secrets = append(secrets, watch.seen...)
	watch.mu.Unlock()
	if len(watch.seen) < 8 {
		t.Fatalf("only %d signature values were seen on the wire", len(watch.seen))
	}
	check := func(where, v string) {
		t.Helper()
		for _, s := range secrets {
			if s != "" && strings.Contains(v, s) {
				t.Errorf("%s holds a secret: %q", where, v)
			}
		}
		// Short secrets: as a whole value or a whole word.
		for _, s := range []string{cardCVV, "12/2030", "Ada L", "ada@example.com"} {
			if v == s || slices.Contains(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == ':' }), s) {
				t.Errorf("%s holds card data: %q", where, v)
			}
		}
	}
	checkKVs := func(where string, kvs []attribute.KeyValue) {
		t.Helper()
		for _, kv := range kvs {
			check(where+" "+string(kv.Key), kv.Value.Emit())
		}
	}
	spans := tel.spans.Ended()
	if len(spans) < 10 {
		t.Fatalf("only %d spans", len(spans))
	}
	for _, s := range spans {
		where := "span " + s.Name()
		check(where+" name", s.Name())
		check(where+" status", s.Status().Description)
		checkKVs(where, s.Attributes())
		for _, ev := range s.Events() {
			check(where+" event", ev.Name)
			checkKVs(where+" event "+ev.Name, ev.Attributes)
		}
		for _, l := range s.Links() {
			checkKVs(where+" link", l.Attributes)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			for _, set := range pointSets(mt.Data) {
				checkKVs("metric "+mt.Name, set.ToSlice())
			}
		}
	}
}

// pointSets returns the attribute sets of a metric's data points.
func pointSets(data metricdata.Aggregation) []attribute.Set {
	var out []attribute.Set
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	}
	return out
}

// The Alipay+ adapter passes its Observer to the engine too; With adds
// the wallet to every span and metric.
func TestAlipayPlusCallsAreObserved(t *testing.T) {
	tel := newTelemetry(t)
	srv := alipayplustest.NewServer()
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	// Two wallets of one provider kind, told apart by With.
	pay := func(wallet, id string) {
		t.Helper()
		c, err := alipayplus.New(alipayplus.Config{BaseURL: cr.BaseURL, PathPrefix: cr.Prefix, ClientID: cr.ClientID,
			PrivateKey: cr.MerchantPrivateKey, WalletPublicKey: cr.WalletPublicKey, Observer: tel.obs.With(otelpaybridge.AttrWallet.String(wallet))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Pay(context.Background(), &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioCashier,
			Amount: money.MustParse("1500 IQD"), Description: "Tea", Device: &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp}})
		if err != nil {
			t.Fatal(err)
		}
	}
	pay("gcash", "W-OTEL-1")
	pay("superqi", "W-OTEL-2")
	pay("superqi", "W-OTEL-3")
	pays := tel.spansNamed("paybridge.pay")
	if len(pays) != 3 {
		t.Fatalf("%d pay spans", len(pays))
	}
	wantAttrs(t, "pay span", pays[0].Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrProvider: "alipayplus", otelpaybridge.AttrWallet: "gcash", otelpaybridge.AttrKind: "ok",
		otelpaybridge.AttrAttempts: 1, otelpaybridge.AttrScenario: "cashier",
	})
	attempts := tel.spansNamed("paybridge.pay.attempt")
	if len(attempts) != 3 {
		t.Fatalf("%d attempt spans", len(attempts))
	}
	wantAttrs(t, "attempt span", attempts[2].Attributes(), map[attribute.Key]any{otelpaybridge.AttrWallet: "superqi"})
	m := tel.metrics(t)
	for wallet, want := range map[string]int64{"gcash": 1, "superqi": 2} {
		if n := sumOf(t, m[otelpaybridge.MetricCalls], map[attribute.Key]string{otelpaybridge.AttrWallet: wallet, otelpaybridge.AttrKind: "ok"}); n != want {
			t.Errorf("%s: %d calls, want %d", wallet, n, want)
		}
	}
}

// A failed call's span has the error status and its kind; an unknown
// outcome counts as one.
func TestAnUnknownOutcomeIsAnErrorSpanAndCounted(t *testing.T) {
	tel := newTelemetry(t)
	srv := alphapaytest.NewServer()
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	ap, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey,
		AlphaPayPublicKey: cr.AlphaPayPublicKey, Observer: tel.obs, Retry: payment.RetryPolicy{MaxAttempts: 2, BaseWait: time.Millisecond, MaxWait: time.Millisecond},
		Clock: clock.NewAuto(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	srv.Script(alphapaytest.PathPay, alphapaytest.Fault{HTTPStatus: 503}, alphapaytest.Fault{HTTPStatus: 502})
	_, err = ap.Pay(context.Background(), &payment.PayRequest{PaymentRequestID: "ORDER-OTEL-U", Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("1.00 CAD"), Description: "Tea"})
	if payment.KindOf(err) != payment.KindUnknownOutcome {
		t.Fatalf("Pay = %v", err)
	}
	pay := tel.spansNamed("paybridge.pay")[0]
	if pay.Status().Description != "unknown_outcome" || pay.Status().Code.String() != "Error" {
		t.Errorf("status %+v", pay.Status())
	}
	wantAttrs(t, "pay span", pay.Attributes(), map[attribute.Key]any{otelpaybridge.AttrKind: "unknown_outcome", otelpaybridge.AttrHTTPStatus: 502})
	attempts := tel.spansNamed("paybridge.pay.attempt")
	if len(attempts) != 2 {
		t.Fatalf("%d attempts", len(attempts))
	}
	wantAttrs(t, "first attempt", attempts[0].Attributes(), map[attribute.Key]any{
		otelpaybridge.AttrAttemptOutcome: "http_error", otelpaybridge.AttrRetryReason: "http_503", otelpaybridge.AttrHTTPStatus: 503})
	m := tel.metrics(t)
	if n := sumOf(t, m[otelpaybridge.MetricUnknownOutcomes], map[attribute.Key]string{otelpaybridge.AttrProvider: "alphapay", otelpaybridge.AttrOperation: "pay"}); n != 1 {
		t.Errorf("%d unknown outcomes counted", n)
	}
}

// Spans follow the tracer provider's sampler: with nothing sampled, the
// Observer still records metrics and ends nothing it did not start.
func TestUnsampledCallsStillCount(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	obs, err := otelpaybridge.New(otelpaybridge.Options{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := alphapaytest.NewServer()
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	ap, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey,
		AlphaPayPublicKey: cr.AlphaPayPublicKey, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ap.Inquire(context.Background(), payment.Ref{PaymentID: "nope"}); payment.KindOf(err) != payment.KindNotFound {
		t.Fatalf("Inquire = %v", err)
	}
	tel := &telemetry{reader: reader}
	if n := sumOf(t, tel.metrics(t)[otelpaybridge.MetricCalls], map[attribute.Key]string{otelpaybridge.AttrKind: "not_found"}); n != 1 {
		t.Errorf("%d not-found calls counted", n)
	}
}
