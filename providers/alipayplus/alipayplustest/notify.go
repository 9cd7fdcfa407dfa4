package alipayplustest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// retrySchedule is the wait before each try of a payment notification
// (Antom's; the wallets document none): at most 8 tries, stopping at the
// first acknowledgement.
var retrySchedule = []time.Duration{
	0, 2 * time.Minute, 10 * time.Minute, 10 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour,
}

const (
	attemptTimeout = 30 * time.Second
	maxAckBody     = 64 << 10
)

// KindPayment is the Kind of a payment notification delivery, the only
// notification an Alipay+ wallet sends.
const KindPayment = "payment"

// Delivery is one notification POST attempt.
type Delivery struct {
	// Kind is KindPayment.
	Kind string
	// ID is the paymentId.
	ID string
	// URL is the notify URL.
	URL string
	// Attempt counts from 1 for each notification.
	Attempt int
	// Time is the server clock's time of the attempt.
	Time time.Time
	// StatusCode is the receiver's HTTP status, 0 if there was no answer.
	StatusCode int
	// Acked reports a 200 answer whose JSON body has result.resultStatus S.
	Acked bool
	// Err says why the attempt was not acknowledged ("" if it was).
	Err string
}

// notification is one message to deliver: its body is fixed when the event
// happens; every attempt is signed afresh.
type notification struct {
	id, url string
	body    []byte
}

// notificationBodyLocked returns the notifyPayment body of a payment in
// the configured shape: SUCCESS once paid, FAIL once declined.
// It reports false for a payment that never reached either.
func (s *Server) notificationBodyLocked(p *order) ([]byte, bool) {
	n := wire.Notification{
		PaymentID:        p.id,
		PaymentRequestID: p.requestID,
		PaymentAmount:    wireAmount(p.amount),
		PaymentTime:      formatTime(p.paid),
	}
	var succeeded bool
	switch {
	case !p.paid.IsZero():
		succeeded = true
	case p.status == wire.PaymentFail:
	default:
		return nil, false
	}
	if s.cfg.notificationShape == ShapeA {
		n.PaymentStatus = wire.PaymentFail
		n.PaymentFailReason = p.failReason
		if succeeded {
			n.PaymentStatus, n.PaymentFailReason = wire.PaymentSuccess, ""
		}
	} else {
		n.PaymentCreateTime = formatTime(p.created)
		res := fail(wire.CodeProcessFail, p.failReason)
		if succeeded {
			res = ok(wire.CodeSuccess, "success")
		}
		if s.cfg.notificationShape == ShapeC {
			n.NotifyType, n.Result = wire.NotifyPaymentResult, &res
		} else {
			n.PaymentResult = &res
		}
	}
	body, err := json.Marshal(n)
	return body, err == nil
}

// notifyLocked starts delivering the payment's notification if it has a
// notify URL.
func (s *Server) notifyLocked(p *order) {
	if p.notifyURL == "" || s.closed {
		return
	}
	body, ok := s.notificationBodyLocked(p)
	if !ok {
		return
	}
	s.wg.Add(1)
	go s.deliver(notification{id: p.id, url: p.notifyURL, body: body})
}

// deliver tries n on the retry schedule, waiting on the server clock, until
// it is acknowledged, the tries are used up or the server closes.
func (s *Server) deliver(n notification) {
	defer s.wg.Done()
	for i, wait := range retrySchedule {
		if wait > 0 {
			select {
			case <-s.clock.After(wait):
			case <-s.done:
				return
			}
		}
		select {
		case <-s.done:
			return
		default:
		}
		if s.attempt(n, i+1, s.clock.Now()) {
			return
		}
	}
}

// attempt POSTs n once and records the attempt.
func (s *Server) attempt(n notification, attempt int, now time.Time) bool {
	d := Delivery{Kind: KindPayment, ID: n.id, URL: n.url, Attempt: attempt, Time: now}
	ctx, cancel := context.WithTimeout(s.ctx, attemptTimeout)
	defer cancel()
	req, err := s.signedPost(ctx, n.url, n.body, now)
	if err != nil {
		d.Err = err.Error()
	} else if resp, err := s.cfg.notifyClient.Do(req); err != nil {
		d.Err = err.Error()
	} else {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAckBody))
		_ = resp.Body.Close()
		d.StatusCode = resp.StatusCode
		switch {
		case resp.StatusCode != http.StatusOK:
			d.Err = "HTTP status " + strconv.Itoa(resp.StatusCode)
		case !isAck(b):
			d.Err = "answer is not an acknowledgement"
		default:
			d.Acked = true
		}
	}
	if s.ctx.Err() != nil {
		// Closed mid-attempt: not an attempt the receiver could answer.
		return false
	}
	s.log.Debug("alipayplustest: notification", "id", d.ID, "attempt", d.Attempt, "status", d.StatusCode, "acked", d.Acked)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	close(s.deliveryCh)
	s.deliveryCh = make(chan struct{})
	s.mu.Unlock()
	return d.Acked
}

func isAck(b []byte) bool {
	var ack struct {
		Result *struct {
			ResultStatus string `json:"resultStatus"`
		} `json:"result"`
	}
	return json.Unmarshal(b, &ack) == nil && ack.Result != nil && ack.Result.ResultStatus == wire.StatusS
}

// signedPost builds a notification POST signed by the wallet's key over the
// target's request URI, like a request, or over its path alone with
// WithNotifyPathOnly.
func (s *Server) signedPost(ctx context.Context, target string, body []byte, now time.Time) (*http.Request, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("alipayplustest: notify URL is not an absolute http(s) URL")
	}
	uri := u.RequestURI()
	if s.cfg.notifyPathOnly {
		uri, _, _ = strings.Cut(uri, "?")
	}
	reqTime := now.Format(wire.TimeLayout)
	sig, ok := s.signatureHeader(signing.Message(http.MethodPost, uri, body, s.cfg.clientID, reqTime), false)
	if !ok {
		return nil, errors.New("alipayplustest: signing the notification failed")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("alipayplustest: notify URL is invalid")
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set(wire.HeaderClientID, s.cfg.clientID)
	req.Header.Set(wire.HeaderRequestTime, reqTime)
	req.Header.Set(wire.HeaderSignature, sig)
	return req, nil
}

// Deliveries returns every notification attempt so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// AwaitDeliveries blocks until at least n notification attempts are
// recorded, or ctx ends (then it returns ctx's error).
func (s *Server) AwaitDeliveries(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.deliveries), s.deliveryCh
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// SignedNotification returns, without sending it, a correctly signed
// notifyPayment POST to targetURL for a payment that succeeded (even if
// since cancelled) or failed, in the configured shape. The signature
// covers POST and targetURL's request URI (its path alone with
// WithNotifyPathOnly). It returns an error wrapping
// ErrNotFound for an unknown payment and ErrNoNotification for one that
// never reached SUCCESS or FAIL.
func (s *Server) SignedNotification(paymentID, targetURL string) (*http.Request, error) {
	s.mu.Lock()
	p := s.lookupLocked(paymentID, "")
	if p == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: signed notification: payment %s", ErrNotFound, paymentID)
	}
	body, ok := s.notificationBodyLocked(p)
	status := p.status
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: signed notification: payment %s is %s", ErrNoNotification, paymentID, status)
	}
	return s.signedPost(context.Background(), targetURL, body, s.clock.Now())
}
