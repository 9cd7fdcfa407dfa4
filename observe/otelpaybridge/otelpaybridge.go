// Package otelpaybridge turns paybridge's observations (package observe)
// into OpenTelemetry spans and metrics: a span per call of a provider and
// per HTTP attempt, per notification and per reconciler pass, each a child
// of the span in the caller's context; and counters and histograms of
// calls, attempts, outcomes by kind, unknown outcomes, notifications by
// verdict and the reconciler's backlog.
//
//	obs, err := otelpaybridge.New(otelpaybridge.Options{TracerProvider: tp, MeterProvider: mp})
//	ap, err := alphapay.New(alphapay.Config{ /* … */ Observer: obs})
//	h := notify.NewHandler(ap, deliver, notify.WithTelemetry(obs))
//	rec := &notify.Reconciler{Provider: ap, /* … */ Observer: obs}
//
// Attributes carry IDs, codes, statuses and counts, never a key, a
// signature, a body, card data, a payment code or a card token: they are
// taken from the observe records, which hold nothing else. The attribute
// and metric names are the Attr* and Metric* constants; docs/observability.md
// lists them with their meaning.
//
// Only this package imports OpenTelemetry: a program that does not use it
// does not link it, and paybridge without an Observer observes nothing.
package otelpaybridge

import (
	"context"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/paybridge/paybridge/internal/version"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/paybridge/paybridge/observe/otelpaybridge"

// The attribute keys. Calls and attempts carry AttrProvider, AttrOperation
// and AttrRequestID; notifications and passes AttrProvider.
const (
	AttrProvider          = attribute.Key("paybridge.provider")             // "alphapay", "alipayplus"…
	AttrWallet            = attribute.Key("paybridge.wallet")               // for Observer.With: the wallet, where several share a provider
	AttrOperation         = attribute.Key("paybridge.operation")            // "pay", "inquire", "cancel", "refund", "inquire-refund", or an adapter's own
	AttrRequestID         = attribute.Key("paybridge.request_id")           // the PaymentRequestID, RefundRequestID or reference the call is about
	AttrScenario          = attribute.Key("paybridge.scenario")             // a pay's scenario
	AttrKind              = attribute.Key("paybridge.kind")                 // "ok", or the error kind: "unknown_outcome", "failed"…
	AttrStatus            = attribute.Key("paybridge.status")               // the payment's or refund's status: "pending", "succeeded"…
	AttrAttempts          = attribute.Key("paybridge.attempts")             // HTTP attempts of a call
	AttrMayHaveBeenSent   = attribute.Key("paybridge.may_have_been_sent")   // an attempt may have reached the provider
	AttrResultStatus      = attribute.Key("paybridge.result.status")        // the provider's result status: S, F, U, A
	AttrResultCode        = attribute.Key("paybridge.result.code")          // the provider's result code
	AttrHTTPStatus        = attribute.Key("paybridge.http.status_code")     // the HTTP status of an answer
	AttrProviderRequestID = attribute.Key("paybridge.provider_request_id")  // the provider's ID of its answer
	AttrAttempt           = attribute.Key("paybridge.attempt")              // 1 for a call's first attempt
	AttrAttemptOutcome    = attribute.Key("paybridge.attempt.outcome")      // "done", "pending", "refused", "http_error", "network_error"…
	AttrRetryReason       = attribute.Key("paybridge.retry.reason")         // why another attempt follows: "pending", "http_503"…
	AttrRetryBackoff      = attribute.Key("paybridge.retry.backoff")        // the wait before it, in seconds
	AttrVerdict           = attribute.Key("paybridge.notification.verdict") // "delivered", "duplicate", "rejected"…
	AttrReason            = attribute.Key("paybridge.notification.reason")  // why a notification was rejected: "bad_signature", "stale"…
	AttrAcked             = attribute.Key("paybridge.notification.acked")   // the provider's acknowledgement was sent
	AttrEventKind         = attribute.Key("paybridge.event.kind")           // "payment", "refund"
	AttrEventKey          = attribute.Key("paybridge.event.key")            // the event's de-duplication key
	AttrReconcilePending  = attribute.Key("paybridge.reconcile.pending")    // pending payments listed
	AttrReconcileJournal  = attribute.Key("paybridge.reconcile.journal")    // open journal entries listed
	AttrReconcileSettled  = attribute.Key("paybridge.reconcile.settled")    // items settled
	AttrReconcileBacklog  = attribute.Key("paybridge.reconcile.backlog")    // items left unsettled
	AttrReconcileErrors   = attribute.Key("paybridge.reconcile.errors")     // errors of the pass
	AttrReconcileComplete = attribute.Key("paybridge.reconcile.complete")   // every source answered
	AttrReconcileSource   = attribute.Key("paybridge.reconcile.source")     // on metrics: "pending" or "journal"
)

// The metric names.
const (
	MetricCalls                = "paybridge.calls"                 // counter: calls, by provider, operation and kind
	MetricCallDuration         = "paybridge.call.duration"         // histogram, s: calls, by provider, operation and kind
	MetricUnknownOutcomes      = "paybridge.unknown_outcomes"      // counter: calls whose outcome is unknown, by provider and operation
	MetricAttempts             = "paybridge.attempts"              // counter: attempts, by provider, operation, outcome and retry reason
	MetricAttemptDuration      = "paybridge.attempt.duration"      // histogram, s: attempts, by provider, operation and outcome
	MetricNotifications        = "paybridge.notifications"         // counter: notifications, by provider, verdict and reason
	MetricNotificationDuration = "paybridge.notification.duration" // histogram, s: by provider and verdict
	MetricReconcilePasses      = "paybridge.reconcile.passes"      // counter: passes, by provider and whether complete
	MetricReconcileSettled     = "paybridge.reconcile.settled"     // counter: items settled, by provider and source
	MetricReconcileBacklog     = "paybridge.reconcile.backlog"     // gauge: items left after the last pass, by provider and source
	MetricReconcileDuration    = "paybridge.reconcile.duration"    // histogram, s: passes, by provider
)

// durationBounds are the histograms' buckets, in seconds: from a quick
// answer to a call that retried for a minute.
var durationBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Options configures an Observer.
type Options struct {
	// TracerProvider makes the tracer; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the meter; nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
}

// Observer is an observe.Observer that records OpenTelemetry spans and
// metrics. It is safe for concurrent use; make one and share it between
// adapters, handlers and reconcilers.
type Observer struct {
	tracer trace.Tracer

	calls, unknown, attempts, notifications, passes, settled metric.Int64Counter
	callDur, attemptDur, notificationDur, passDur            metric.Float64Histogram
	backlog                                                  metric.Int64Gauge

	// extra are With's attributes, on every span and measurement.
	extra []attribute.KeyValue
	sets  *sets
}

var _ observe.Observer = (*Observer)(nil)

// New returns an Observer that records with the providers opts names.
func New(opts Options) (*Observer, error) {
	tp, mp := opts.TracerProvider, opts.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	o := &Observer{tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(version.Version)), sets: &sets{}}
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(version.Version))
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBounds...))
		errs = append(errs, err)
		return h
	}
	o.calls = counter(MetricCalls, "{call}", "Calls of a payment provider, by kind (ok or the error's kind).")
	o.callDur = histogram(MetricCallDuration, "Duration of provider calls, retries and waits included.")
	o.unknown = counter(MetricUnknownOutcomes, "{call}", "Calls whose outcome is unknown: settle them (payment.Resolve, notify.Reconciler).")
	o.attempts = counter(MetricAttempts, "{attempt}", "HTTP attempts of provider calls, by outcome and retry reason.")
	o.attemptDur = histogram(MetricAttemptDuration, "Duration of HTTP attempts.")
	o.notifications = counter(MetricNotifications, "{notification}", "Provider notifications, by verdict.")
	o.notificationDur = histogram(MetricNotificationDuration, "Duration of notification handling, delivery included.")
	o.passes = counter(MetricReconcilePasses, "{pass}", "Reconciler passes.")
	o.settled = counter(MetricReconcileSettled, "{item}", "Items the reconciler settled, by source.")
	o.passDur = histogram(MetricReconcileDuration, "Duration of reconciler passes.")
	var err error
	o.backlog, err = m.Int64Gauge(MetricReconcileBacklog, metric.WithUnit("{item}"),
		metric.WithDescription("Items the reconciler's last pass left unsettled, by source; journal: calls whose outcome is still unknown."))
	errs = append(errs, err)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// With returns an Observer that records as o does, on the same tracer and
// instruments, with attrs added to every span and measurement: the wallet,
// say, where several wallets of one provider (Alipay+ wallets) share a
// process and their calls would otherwise count as one:
//
//	gcash, err := alipayplus.New(alipayplus.Config{ /* … */ Observer: obs.With(otelpaybridge.AttrWallet.String("gcash"))})
//
// Keep the values few: each is a series of every metric.
func (o *Observer) With(attrs ...attribute.KeyValue) *Observer {
	c := *o
	c.extra = append(append([]attribute.KeyValue(nil), o.extra...), attrs...)
	c.sets = &sets{}
	return &c
}

// withExtra appends With's attributes to kv.
func (o *Observer) withExtra(kv []attribute.KeyValue) []attribute.KeyValue {
	return append(kv, o.extra...)
}

// CallStart starts the call's span.
func (o *Observer) CallStart(ctx context.Context, c *observe.Call) context.Context {
	attrs := make([]attribute.KeyValue, 0, 4+len(o.extra))
	attrs = append(attrs, AttrProvider.String(c.Provider), AttrOperation.String(c.Op), AttrRequestID.String(c.RequestID))
	if c.Scenario != "" {
		attrs = append(attrs, AttrScenario.String(string(c.Scenario)))
	}
	ctx, _ = o.tracer.Start(ctx, spanName(c.Op, false), trace.WithAttributes(o.withExtra(attrs)...))
	return ctx
}

// CallEnd ends the call's span and records the call's metrics.
func (o *Observer) CallEnd(ctx context.Context, c *observe.Call) {
	kind := kindName(c.Kind)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 9)
		attrs = append(attrs, AttrKind.String(kind), AttrAttempts.Int(c.Attempts), AttrMayHaveBeenSent.Bool(c.MayHaveBeenSent))
		attrs = appendString(attrs, AttrStatus, c.Status)
		attrs = appendString(attrs, AttrResultStatus, string(c.ResultStatus))
		attrs = appendString(attrs, AttrResultCode, c.ResultCode)
		attrs = appendString(attrs, AttrProviderRequestID, c.ProviderRequestID)
		if c.HTTPStatus != 0 {
			attrs = append(attrs, AttrHTTPStatus.Int(c.HTTPStatus))
		}
		span.SetAttributes(attrs...)
		if c.Kind != 0 {
			span.SetStatus(codes.Error, kind)
		}
		span.End()
	}
	m := o.sets.get(setKey{kind: setCall, a: c.Provider, b: c.Op, c: kind}, func() []attribute.KeyValue {
		return o.withExtra([]attribute.KeyValue{AttrProvider.String(c.Provider), AttrOperation.String(c.Op), AttrKind.String(kind)})
	})
	o.calls.Add(ctx, 1, m.add...)
	o.callDur.Record(ctx, c.Duration.Seconds(), m.record...)
	if c.Kind == payment.KindUnknownOutcome {
		u := o.sets.get(setKey{kind: setUnknown, a: c.Provider, b: c.Op}, func() []attribute.KeyValue {
			return o.withExtra([]attribute.KeyValue{AttrProvider.String(c.Provider), AttrOperation.String(c.Op)})
		})
		o.unknown.Add(ctx, 1, u.add...)
	}
}

// AttemptStart starts the attempt's span, a child of the call's.
func (o *Observer) AttemptStart(ctx context.Context, c *observe.Call, a *observe.Attempt) context.Context {
	attrs := make([]attribute.KeyValue, 0, 4+len(o.extra))
	attrs = append(attrs, AttrProvider.String(c.Provider), AttrOperation.String(c.Op), AttrRequestID.String(c.RequestID), AttrAttempt.Int(a.Number))
	ctx, _ = o.tracer.Start(ctx, spanName(c.Op, true), trace.WithAttributes(o.withExtra(attrs)...))
	return ctx
}

// AttemptEnd ends the attempt's span and records the attempt's metrics.
func (o *Observer) AttemptEnd(ctx context.Context, c *observe.Call, a *observe.Attempt) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 8)
		attrs = append(attrs, AttrAttemptOutcome.String(string(a.Outcome)), AttrMayHaveBeenSent.Bool(a.MayHaveBeenSent))
		if a.HTTPStatus != 0 {
			attrs = append(attrs, AttrHTTPStatus.Int(a.HTTPStatus))
		}
		attrs = appendString(attrs, AttrResultStatus, string(a.ResultStatus))
		attrs = appendString(attrs, AttrResultCode, a.ResultCode)
		attrs = appendString(attrs, AttrProviderRequestID, a.ProviderRequestID)
		if a.RetryReason != "" {
			attrs = append(attrs, AttrRetryReason.String(a.RetryReason), AttrRetryBackoff.Float64(a.Backoff.Seconds()))
		}
		span.SetAttributes(attrs...)
		if failedAttempt(a.Outcome) {
			span.SetStatus(codes.Error, string(a.Outcome))
		}
		span.End()
	}
	m := o.sets.get(setKey{kind: setAttempt, a: c.Provider, b: c.Op, c: string(a.Outcome), d: a.RetryReason}, func() []attribute.KeyValue {
		kv := []attribute.KeyValue{AttrProvider.String(c.Provider), AttrOperation.String(c.Op), AttrAttemptOutcome.String(string(a.Outcome))}
		if a.RetryReason != "" {
			kv = append(kv, AttrRetryReason.String(a.RetryReason))
		}
		return o.withExtra(kv)
	})
	o.attempts.Add(ctx, 1, m.add...)
	d := o.sets.get(setKey{kind: setAttemptDuration, a: c.Provider, b: c.Op, c: string(a.Outcome)}, func() []attribute.KeyValue {
		return o.withExtra([]attribute.KeyValue{AttrProvider.String(c.Provider), AttrOperation.String(c.Op), AttrAttemptOutcome.String(string(a.Outcome))})
	})
	o.attemptDur.Record(ctx, a.Duration.Seconds(), d.record...)
}

// failedAttempt reports the outcomes that give an attempt's span the error
// status: no usable answer. A pending or refused answer is the provider's
// word, not a failure of the attempt.
func failedAttempt(o observe.AttemptOutcome) bool {
	switch o {
	case observe.AttemptDone, observe.AttemptPending, observe.AttemptRefused:
		return false
	}
	return true
}

// NotificationStart starts the notification's span.
func (o *Observer) NotificationStart(ctx context.Context, n *observe.Notification) context.Context {
	ctx, _ = o.tracer.Start(ctx, "paybridge.notification", trace.WithAttributes(o.withExtra([]attribute.KeyValue{AttrProvider.String(n.Provider)})...))
	return ctx
}

// NotificationEnd ends the notification's span and records its metrics.
func (o *Observer) NotificationEnd(ctx context.Context, n *observe.Notification) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 7)
		attrs = append(attrs, AttrVerdict.String(string(n.Verdict)), AttrHTTPStatus.Int(n.HTTPStatus), AttrAcked.Bool(n.Acked))
		attrs = appendString(attrs, AttrReason, n.Reason)
		attrs = appendString(attrs, AttrEventKind, string(n.EventKind))
		attrs = appendString(attrs, AttrEventKey, n.EventKey)
		attrs = appendString(attrs, AttrStatus, n.Status)
		span.SetAttributes(attrs...)
		switch n.Verdict {
		case observe.VerdictRejected, observe.VerdictDeliverFailed, observe.VerdictStoreFailed:
			span.SetStatus(codes.Error, string(n.Verdict))
		}
		span.End()
	}
	m := o.sets.get(setKey{kind: setNotification, a: n.Provider, b: string(n.Verdict), c: n.Reason}, func() []attribute.KeyValue {
		kv := []attribute.KeyValue{AttrProvider.String(n.Provider), AttrVerdict.String(string(n.Verdict))}
		if n.Reason != "" {
			kv = append(kv, AttrReason.String(n.Reason))
		}
		return o.withExtra(kv)
	})
	o.notifications.Add(ctx, 1, m.add...)
	d := o.sets.get(setKey{kind: setNotificationDuration, a: n.Provider, b: string(n.Verdict)}, func() []attribute.KeyValue {
		return o.withExtra([]attribute.KeyValue{AttrProvider.String(n.Provider), AttrVerdict.String(string(n.Verdict))})
	})
	o.notificationDur.Record(ctx, n.Duration.Seconds(), d.record...)
}

// ReconcileStart starts the pass's span.
func (o *Observer) ReconcileStart(ctx context.Context, p *observe.Pass) context.Context {
	ctx, _ = o.tracer.Start(ctx, "paybridge.reconcile", trace.WithAttributes(o.withExtra([]attribute.KeyValue{AttrProvider.String(p.Provider)})...))
	return ctx
}

// ReconcileEnd ends the pass's span and records its metrics: the backlog
// gauge per source, the items settled and the pass's duration.
func (o *Observer) ReconcileEnd(ctx context.Context, p *observe.Pass) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(AttrReconcilePending.Int(p.Pending), AttrReconcileJournal.Int(p.Journal), AttrReconcileSettled.Int(p.Settled),
			AttrReconcileBacklog.Int(p.Backlog()), AttrReconcileErrors.Int(p.Errors), AttrReconcileComplete.Bool(p.Complete))
		if p.Errors > 0 {
			span.SetStatus(codes.Error, "reconcile errors")
		}
		span.End()
	}
	set := func(kv ...attribute.KeyValue) attribute.Set { return attribute.NewSet(o.withExtra(kv)...) }
	pass := set(AttrProvider.String(p.Provider), AttrReconcileComplete.Bool(p.Complete))
	o.passes.Add(ctx, 1, metric.WithAttributeSet(pass))
	o.passDur.Record(ctx, p.Duration.Seconds(), metric.WithAttributeSet(set(AttrProvider.String(p.Provider))))
	pending := set(AttrProvider.String(p.Provider), AttrReconcileSource.String("pending"))
	journal := set(AttrProvider.String(p.Provider), AttrReconcileSource.String("journal"))
	if n := p.Settled - p.SettledJournal; n > 0 {
		o.settled.Add(ctx, int64(n), metric.WithAttributeSet(pending))
	}
	if p.SettledJournal > 0 {
		o.settled.Add(ctx, int64(p.SettledJournal), metric.WithAttributeSet(journal))
	}
	if p.Complete {
		// An incomplete pass did not see every item: its counts are no
		// backlog.
		o.backlog.Record(ctx, int64(p.Backlog()-p.OpenJournal()), metric.WithAttributeSet(pending))
		o.backlog.Record(ctx, int64(p.OpenJournal()), metric.WithAttributeSet(journal))
	}
}

func appendString(attrs []attribute.KeyValue, k attribute.Key, v string) []attribute.KeyValue {
	if v == "" {
		return attrs
	}
	return append(attrs, k.String(v))
}

// kindNames are the kinds as attribute values: "ok" for success, else the
// kind's name in snake case ("unknown_outcome").
var kindNames = func() []string {
	names := []string{"ok"}
	for k := payment.Kind(1); k.String() != "invalid kind"; k++ {
		names = append(names, strings.ReplaceAll(k.String(), " ", "_"))
	}
	return names
}()

func kindName(k payment.Kind) string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid_kind"
}

// spanNames are the span names of the neutral operations, made once:
// "paybridge.pay" and "paybridge.pay.attempt".
var spanNames = func() map[string][2]string {
	m := map[string][2]string{}
	for _, op := range []string{payment.OpPay, payment.OpInquire, payment.OpCancel, payment.OpRefund, payment.OpInquireRefund} {
		m[op] = [2]string{"paybridge." + op, "paybridge." + op + ".attempt"}
	}
	return m
}()

func spanName(op string, attempt bool) string {
	i := 0
	if attempt {
		i = 1
	}
	if n, ok := spanNames[op]; ok {
		return n[i]
	}
	if attempt {
		return "paybridge." + op + ".attempt"
	}
	return "paybridge." + op
}

// sets caches the attribute sets of the metrics by their values, so that a
// recording does not build a set (and allocate) each time. The values are
// few — providers, operations, kinds, outcomes, verdicts — but an
// adapter's own operation names come from code paybridge does not see: the
// cache stops growing at maxSets and builds the rest each time.
type sets struct {
	mu sync.RWMutex
	m  map[setKey]*measure
}

const maxSets = 1024

type setKind uint8

const (
	setCall setKind = iota
	setUnknown
	setAttempt
	setAttemptDuration
	setNotification
	setNotificationDuration
)

type setKey struct {
	kind       setKind
	a, b, c, d string
}

// measure is one attribute set as the options of Add and Record.
type measure struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

func newMeasure(kv []attribute.KeyValue) *measure {
	opt := metric.WithAttributeSet(attribute.NewSet(kv...))
	return &measure{add: []metric.AddOption{opt}, record: []metric.RecordOption{opt}}
}

func (s *sets) get(k setKey, attrs func() []attribute.KeyValue) *measure {
	s.mu.RLock()
	m, ok := s.m[k]
	s.mu.RUnlock()
	if ok {
		return m
	}
	m = newMeasure(attrs())
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[k]; ok {
		return old
	}
	if s.m == nil {
		s.m = map[setKey]*measure{}
	}
	if len(s.m) < maxSets {
		s.m[k] = m
	}
	return m
}
