package notify_test

import (
	"context"
	"sync"

	"github.com/paybridge/paybridge/observe"
)

// telemetry is an observe.Observer that keeps a copy of every notification
// and reconciler pass it is told of. The contexts it returns carry a mark,
// so that a test can see which context deliver ran in.
type telemetry struct {
	observe.Base
	mu     sync.Mutex
	notes  []observe.Notification
	passes []observe.Pass
}

type telKey struct{}

// telMark returns the mark a telemetry context carries, or "".
func telMark(ctx context.Context) string {
	m, _ := ctx.Value(telKey{}).(string)
	return m
}

func (t *telemetry) NotificationStart(ctx context.Context, n *observe.Notification) context.Context {
	return context.WithValue(ctx, telKey{}, "notification "+n.Provider)
}

func (t *telemetry) NotificationEnd(ctx context.Context, n *observe.Notification) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.notes = append(t.notes, *n)
}

func (t *telemetry) ReconcileStart(ctx context.Context, p *observe.Pass) context.Context {
	return context.WithValue(ctx, telKey{}, "pass "+p.Provider)
}

func (t *telemetry) ReconcileEnd(ctx context.Context, p *observe.Pass) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.passes = append(t.passes, *p)
}

func (t *telemetry) notifications() []observe.Notification {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]observe.Notification(nil), t.notes...)
}

func (t *telemetry) lastNotification() observe.Notification {
	n := t.notifications()
	if len(n) == 0 {
		return observe.Notification{}
	}
	return n[len(n)-1]
}

func (t *telemetry) lastPass() observe.Pass {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.passes) == 0 {
		return observe.Pass{}
	}
	return t.passes[len(t.passes)-1]
}
