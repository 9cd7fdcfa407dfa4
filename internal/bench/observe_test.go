package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/observe/otelpaybridge"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alphapay"
)

// The cost of observability (issue 14). BenchmarkObserve runs the same
// calls with each of these Observers:
//
//   - off: none (Config.Observer nil), what every benchmark above runs;
//   - noop: observe.Base, an Observer that does nothing — the cost of the
//     hooks themselves;
//   - otel-api: otelpaybridge on OpenTelemetry's no-op providers — the API
//     wired in, no SDK installed;
//   - otel-sdk: otelpaybridge on the OpenTelemetry SDK, every span sampled
//     and handed to a synchronous exporter that drops it, every metric
//     aggregated by a reader nobody collects — the whole cost of recording,
//     without the export's I/O (done on another goroutine in production).

// observerCase is one of the Observers BenchmarkObserve compares.
type observerCase struct {
	name string
	obs  observe.Observer
}

func observerCases(tb testing.TB) []observerCase {
	tb.Helper()
	api, err := otelpaybridge.New(otelpaybridge.Options{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})
	if err != nil {
		tb.Fatal(err)
	}
	return []observerCase{{"off", nil}, {"noop", observe.Base{}}, {"otel-api", api}, {"otel-sdk", sdkObserver(tb)}}
}

// sdkObserver is otelpaybridge on the SDK: spans always sampled and
// exported synchronously to nowhere, metrics aggregated in memory.
func sdkObserver(tb testing.TB) observe.Observer {
	tb.Helper()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tb.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	o, err := otelpaybridge.New(otelpaybridge.Options{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// memDriver is the smallest driver: JSON bodies, an envelope that signs
// and checks nothing. With memTransport it measures the engine alone — no
// network, no RSA — where an Observer's cost is the largest share of a
// call it can be.
type memDriver struct{}

type memAnswer struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	State  string `json:"state"`
	URL    string `json:"url"`
}

type memEnvelope struct{}

func (memEnvelope) Sign(http.Header, string, []byte, time.Time) error { return nil }
func (memEnvelope) Verify(string, http.Header, []byte) error          { return nil }

func (memDriver) Name() string { return "memory" }
func (memDriver) Capabilities() payment.Capabilities {
	return payment.Capabilities{Scenarios: []payment.Scenario{payment.ScenarioQRCode}, Methods: []payment.Method{payment.MethodAlipay},
		Cancel: true, Refund: true}
}
func (memDriver) Envelope() driver.Envelope                               { return memEnvelope{} }
func (memDriver) CheckPay(*payment.PayRequest) []payment.FieldError       { return nil }
func (memDriver) CheckRefund(*payment.RefundRequest) []payment.FieldError { return nil }
func (memDriver) EncodePay(req *payment.PayRequest) (driver.Request, error) {
	return driver.Request{Path: "/pay", Body: []byte(`{"id":"` + req.PaymentRequestID + `"}`)}, nil
}
func (memDriver) DecodePay(_ *payment.PayRequest, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var m memAnswer
	if err := json.Unmarshal(a.Body, &m); err != nil {
		return nil, driver.Verdict{}, err
	}
	p := &payment.Payment{PaymentID: m.ID, Status: payment.Status(m.State), Action: &payment.Action{Kind: payment.ActionShowQR, QRCode: m.URL}}
	return p, driver.Classify(payment.Result{Status: payment.ResultStatus(m.Status)}, nil), nil
}
func (memDriver) EncodeInquire(payment.Ref) (driver.Request, error) {
	return driver.Request{}, errUnused
}
func (memDriver) DecodeInquire(payment.Ref, *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	return nil, driver.Verdict{}, errUnused
}
func (memDriver) EncodeCancel(payment.Ref) (driver.Request, error) {
	return driver.Request{}, errUnused
}
func (memDriver) DecodeCancel(payment.Ref, *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	return nil, driver.Verdict{}, errUnused
}
func (memDriver) EncodeRefund(*payment.RefundRequest) (driver.Request, error) {
	return driver.Request{}, errUnused
}
func (memDriver) DecodeRefund(*payment.RefundRequest, *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	return nil, driver.Verdict{}, errUnused
}
func (memDriver) EncodeInquireRefund(payment.RefundRef) (driver.Request, error) {
	return driver.Request{}, errUnused
}
func (memDriver) DecodeInquireRefund(payment.RefundRef, *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	return nil, driver.Verdict{}, errUnused
}

var errUnused = fmt.Errorf("bench: not benchmarked")

// memTransport answers every request with the same pending payment, in
// memory.
type memTransport struct{ body []byte }

func (t memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r}, nil
}

var memPayRequest = &payment.PayRequest{PaymentRequestID: "MEM-1", Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
	Amount: money.MustParse("10.00 USD")}

// memPay returns a Pay through the engine alone with o as its Observer.
func memPay(tb testing.TB, o observe.Observer) func(context.Context) error {
	tb.Helper()
	hc := &http.Client{Transport: memTransport{[]byte(`{"status":"S","id":"P1","state":"pending","url":"https://qr.example/1"}`)}}
	p, err := engine.New(memDriver{}, engine.Config{BaseURL: "http://127.0.0.1:1", HTTPClient: hc, Observer: o})
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context) error {
		got, err := p.Pay(ctx, memPayRequest)
		if err == nil && got.Status != payment.StatusPending {
			return fmt.Errorf("pay: %+v", got)
		}
		return err
	}
}

// apObservedPay returns a Pay through the AlphaPay adapter to e's
// simulator with o as its Observer.
func apObservedPay(tb testing.TB, e *apEnv, o observe.Observer) ops {
	c, hc, dials := e.client(tb, func(cfg *alphapay.Config) { cfg.Observer = o })
	return ops{
		pay: func(ctx context.Context) error {
			_, err := c.Pay(ctx, apRequest(nextRequestID("AP-OBS-")))
			return err
		},
		dials: dials,
		close: hc.CloseIdleConnections,
	}
}

// BenchmarkObserve measures what observability costs, off and on:
//
//   - Engine/<observer>: a Pay through the engine alone (memDriver,
//     memTransport), with its allocations; EngineInterleaved: the four
//     alternated, timed each (pay-off-ns, pay-noop-ns, pay-otel-api-ns,
//     pay-otel-sdk-ns);
//   - AlphaPay/off and AlphaPay/otel-sdk: a Pay through the AlphaPay
//     adapter to its simulator in this process (both ends' allocations);
//     AlphaPayInterleaved: the two alternated (pay-off-ns, pay-otel-sdk-ns);
//   - Notify/off and Notify/otel-sdk: the AlphaPay notification handler
//     (a new event each time, as BenchmarkNotifyAlphaPay/Handler);
//     NotifyInterleaved: the two alternated (handler-off-ns,
//     handler-otel-sdk-ns).
//
// benchratio prints each against off.
func BenchmarkObserve(b *testing.B) {
	ctx := context.Background()
	cases := observerCases(b)
	loop := func(b *testing.B, f func(context.Context) error) {
		b.ReportAllocs()
		for b.Loop() {
			if err := f(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	interleave := func(b *testing.B, units []string, calls []func(context.Context) error) {
		t := newTimings(len(calls), false)
		for b.Loop() {
			t.round(func(k int) {
				if err := calls[k](ctx); err != nil {
					b.Fatal(err)
				}
			})
		}
		for k, u := range units {
			b.ReportMetric(t.median(k), u)
		}
	}

	for _, c := range cases {
		b.Run("Engine/"+c.name, func(b *testing.B) { loop(b, memPay(b, c.obs)) })
	}
	b.Run("EngineInterleaved", func(b *testing.B) {
		var units []string
		var calls []func(context.Context) error
		for _, c := range cases {
			units = append(units, "pay-"+c.name+"-ns")
			calls = append(calls, memPay(b, c.obs))
		}
		interleave(b, units, calls)
	})

	e := newAPEnv(b, simMode{})
	for _, c := range []observerCase{cases[0], cases[3]} {
		b.Run("AlphaPay/"+c.name, func(b *testing.B) {
			o := apObservedPay(b, e, c.obs)
			defer o.close()
			loop(b, o.pay)
		})
	}
	b.Run("AlphaPayInterleaved", func(b *testing.B) {
		off, on := apObservedPay(b, e, nil), apObservedPay(b, e, cases[3].obs)
		defer off.close()
		defer on.close()
		interleave(b, []string{"pay-off-ns", "pay-otel-sdk-ns"}, []func(context.Context) error{off.pay, on.pay})
	})

	ns := e.notifySet(b)
	rp := newReplayable(b, ns.req)
	handler := func(o observe.Observer) func(context.Context) error {
		store := notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: &leapingClock{}})
		opts := []notify.Option{notify.WithStore(store), notify.WithClock(fixedClock{sentAt(b, ns.req)})}
		if o != nil {
			opts = append(opts, notify.WithTelemetry(o))
		}
		h := notify.NewHandler(ns.src, func(context.Context, payment.Event) error { return nil }, opts...)
		w := &discardWriter{h: http.Header{}}
		return func(context.Context) error {
			w.reset()
			h.ServeHTTP(w, rp.next())
			if w.status != http.StatusOK {
				return fmt.Errorf("status %d", w.status)
			}
			return nil
		}
	}
	for _, c := range []observerCase{cases[0], cases[3]} {
		b.Run("Notify/"+c.name, func(b *testing.B) { loop(b, handler(c.obs)) })
	}
	b.Run("NotifyInterleaved", func(b *testing.B) {
		interleave(b, []string{"handler-off-ns", "handler-otel-sdk-ns"},
			[]func(context.Context) error{handler(nil), handler(cases[3].obs)})
	})
}

// TestObserveSmoke makes every call BenchmarkObserve measures once, and
// checks that without an Observer the engine allocates nothing for
// observation: a no-op Observer costs exactly the call's record.
func TestObserveSmoke(t *testing.T) {
	ctx := context.Background()
	allocs := map[string]float64{}
	for _, c := range observerCases(t) {
		pay := memPay(t, c.obs)
		if err := pay(ctx); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		allocs[c.name] = testing.AllocsPerRun(100, func() { _ = pay(ctx) })
	}
	t.Logf("allocations of an engine Pay: %v", allocs)
	// Under the race detector sync.Pool drops items at random: net/http's
	// allocations per call vary.
	if d := allocs["noop"] - allocs["off"]; d != 1 && !raceEnabled {
		t.Errorf("a no-op Observer costs %v allocations; want 1", d)
	}
	e := newAPEnv(t, simMode{})
	o := apObservedPay(t, e, sdkObserver(t))
	defer o.close()
	if err := o.pay(ctx); err != nil {
		t.Fatal(err)
	}
}
