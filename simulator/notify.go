package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Notification kinds.
const (
	KindPayment = "payment"
	KindRefund  = "refund"
)

// Schedule is when a notification is tried: after each wait of Waits (the
// first usually 0), then, if Every is set, once every Every for as long as
// no more than Until has passed since the first try; it stops at the first
// acknowledgement.
type Schedule struct {
	Waits []time.Duration
	Every time.Duration
	Until time.Duration
}

// wait returns the wait before try n (from 1) and false when there is no
// such try (for tries after Waits, the deadline is checked after it).
func (sc Schedule) wait(n int) (time.Duration, bool) {
	if n <= len(sc.Waits) {
		return sc.Waits[n-1], true
	}
	return sc.Every, sc.Every > 0
}

// Notification is one message to deliver: its body is fixed when the event
// happens; every attempt is signed afresh.
type Notification struct {
	// Kind is KindPayment or KindRefund.
	Kind string
	// ID is the paymentId or refundId, and RequestID the payment's or
	// refund's request ID.
	ID, RequestID string
	// URL is the notify URL.
	URL string
	// Body is the body of every attempt.
	Body []byte
	// Schedule is when it is tried.
	Schedule Schedule
}

// Delivery is one notification POST attempt.
type Delivery struct {
	// Kind is KindPayment or KindRefund.
	Kind string
	// ID is the paymentId or refundId.
	ID string
	// URL is the notify URL.
	URL string
	// Attempt counts from 1 for each notification.
	Attempt int
	// Time is the server clock's time of the attempt.
	Time time.Time
	// StatusCode is the receiver's HTTP status, 0 if there was no answer.
	StatusCode int
	// Acked reports an acknowledgement: a 200 answer whose JSON body has
	// result.resultStatus S.
	Acked bool
	// Duplicate reports an acknowledged notification sent again (the
	// Duplicate fault).
	Duplicate bool
	// Err says why the attempt was not acknowledged ("" if it was).
	Err string
}

const (
	attemptTimeout = 30 * time.Second
	maxAckBody     = 64 << 10
)

// Notify delivers n in a goroutine on its schedule of the server's clock,
// until it is acknowledged, the tries are used up or the server closes.
// After Close it does nothing.
func (s *Server) Notify(n Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	var f Fault
	r := Request{Time: s.clock.Now(), RequestID: n.RequestID, Body: n.Body}
	if u, err := url.Parse(n.URL); err == nil {
		r.Path = u.Path
	}
	for i := range s.notifyFaults {
		if s.notifyFaults[i].aims(&r) {
			f = s.notifyFaults[i]
			s.notifyFaults = append(s.notifyFaults[:i:i], s.notifyFaults[i+1:]...)
			break
		}
	}
	s.wg.Add(1)
	s.sending++
	go s.deliver(n, f)
}

func (s *Server) deliver(n Notification, f Fault) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.sending--
		s.changedLocked()
		s.mu.Unlock()
	}()
	var first time.Time
	for attempt := 1; ; attempt++ {
		wait, ok := n.Schedule.wait(attempt)
		if !ok {
			return
		}
		if wait > 0 {
			select {
			case <-s.clock.After(wait):
			case <-s.done:
				return
			}
		}
		if attempt > len(n.Schedule.Waits) && s.clock.Now().Sub(first) > n.Schedule.Until {
			return
		}
		select {
		case <-s.done:
			return
		default:
		}
		now := s.clock.Now()
		if attempt == 1 {
			first = now
		}
		if s.attempt(n, f, attempt, now, false) {
			if f.Duplicate {
				s.attempt(n, f, attempt+1, s.clock.Now(), true)
			}
			return
		}
	}
}

// attempt POSTs n once, records the attempt and reports whether it was
// acknowledged.
func (s *Server) attempt(n Notification, f Fault, attempt int, now time.Time, dup bool) bool {
	d := Delivery{Kind: n.Kind, ID: n.ID, URL: n.URL, Attempt: attempt, Time: now, Duplicate: dup}
	ctx, cancel := context.WithTimeout(s.ctx, attemptTimeout)
	defer cancel()
	req, err := s.signedPost(ctx, n.URL, n.Body, now, f)
	if err != nil {
		d.Err = err.Error()
	} else if resp, err := s.cfg.NotifyClient.Do(req); err != nil {
		d.Err = err.Error()
	} else {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAckBody))
		_ = resp.Body.Close()
		d.StatusCode = resp.StatusCode
		switch {
		case resp.StatusCode != http.StatusOK:
			d.Err = "HTTP status " + strconv.Itoa(resp.StatusCode)
		case !s.acknowledged(b):
			d.Err = "answer is not an acknowledgement"
		default:
			d.Acked = true
		}
	}
	if s.ctx.Err() != nil {
		// Closed mid-attempt: not an attempt the receiver could answer.
		return false
	}
	s.log.Debug(s.cfg.Name+": notification", "kind", d.Kind, "id", d.ID, "attempt", d.Attempt, "status", d.StatusCode, "acked", d.Acked)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.changedLocked()
	s.mu.Unlock()
	return d.Acked
}

func (s *Server) acknowledged(b []byte) bool {
	if s.cfg.Acknowledged != nil {
		return s.cfg.Acknowledged(b)
	}
	return IsAck(b)
}

// IsAck reports whether a notification's answer body acknowledges it:
// {"result": {"resultStatus": "S", …}}, as merchants answer both AlphaPay
// and the Alipay+ wallets.
func IsAck(b []byte) bool {
	var ack struct {
		Result *struct {
			ResultStatus string `json:"resultStatus"`
		} `json:"result"`
	}
	return json.Unmarshal(b, &ack) == nil && ack.Result != nil && ack.Result.ResultStatus == "S"
}

// SignedPost returns, without sending it, a notification POST of body to
// target signed as the server signs its notifications: over target's
// request URI (its path alone with Config.NotifyPathOnly) at the clock's
// time. Tests use it to build notifications of any body.
func (s *Server) SignedPost(target string, body []byte) (*http.Request, error) {
	return s.signedPost(context.Background(), target, body, s.clock.Now(), Fault{})
}

func (s *Server) signedPost(ctx context.Context, target string, body []byte, now time.Time, f Fault) (*http.Request, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New(s.cfg.Name + ": notify URL is not an absolute http(s) URL")
	}
	uri := u.RequestURI()
	if s.cfg.NotifyPathOnly {
		uri, _, _ = strings.Cut(uri, "?")
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=UTF-8")
	msg := s.proto.NotificationHeaders(h, uri, body, now)
	if s.setSignature(h, msg, f) {
		return nil, errors.New(s.cfg.Name + ": signing the notification failed")
	}
	if f.TamperBody {
		body = Tamper(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New(s.cfg.Name + ": notify URL is invalid")
	}
	req.Header = h
	return req, nil
}

// Deliveries returns every notification attempt so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// await blocks until done, called with the lock held, reports true, or ctx
// ends (then it returns ctx's error).
func (s *Server) await(ctx context.Context, done func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := done(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AwaitDeliveries blocks until at least n notification attempts are
// recorded, or ctx ends (then it returns ctx's error).
func (s *Server) AwaitDeliveries(ctx context.Context, n int) error {
	return s.await(ctx, func() bool { return len(s.deliveries) >= n })
}

// AwaitIdle blocks until no notification is on its way (being sent, or
// waiting for its next try), or ctx ends (then it returns ctx's error).
func (s *Server) AwaitIdle(ctx context.Context) error {
	return s.await(ctx, func() bool { return s.sending == 0 })
}

// lastDeliveryLocked returns the last attempt of a payment's notification.
func (s *Server) lastDelivery(kind, id string) (Delivery, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.deliveries) - 1; i >= 0; i-- {
		if d := s.deliveries[i]; d.Kind == kind && d.ID == id {
			return d, true
		}
	}
	return Delivery{}, false
}
