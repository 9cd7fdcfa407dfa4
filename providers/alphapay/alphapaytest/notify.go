package alphapaytest

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

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// The notification schedule: a payment notification is tried
// paymentTries times at once, then every retryInterval until acknowledged
// or retryWindow after the first try; a refund notification once.
const (
	paymentTries   = 3
	retryInterval  = 30 * time.Minute
	retryWindow    = 24 * time.Hour
	attemptTimeout = 30 * time.Second
	maxAckBody     = 64 << 10
)

// Delivery kinds.
const (
	KindPayment = "payment"
	KindRefund  = "refund"
)

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
	// Acked reports a 200 answer whose JSON body has result.resultStatus S.
	Acked bool
	// Err says why the attempt was not acknowledged ("" if it was).
	Err string
}

// notification is one message to deliver: its body is fixed when the event
// happens; every attempt is signed afresh.
type notification struct {
	kind, id, url string
	body          []byte
}

func (s *Server) paymentNotificationLocked(o *order) notification {
	body, _ := json.Marshal(paymentStateLocked(o))
	return notification{kind: KindPayment, id: o.id, url: o.notifyURL, body: body}
}

func (s *Server) refundNotificationLocked(r *refund) notification {
	body, _ := json.Marshal(refundState(r))
	return notification{kind: KindRefund, id: r.id, url: r.notifyURL, body: body}
}

// startDeliveryLocked delivers n in a goroutine: tries attempts at once,
// then, for payment notifications, one every retryInterval.
func (s *Server) startDeliveryLocked(n notification, tries int) {
	if s.closed {
		return
	}
	s.wg.Add(1)
	go s.deliver(n, tries)
}

func (s *Server) deliver(n notification, tries int) {
	defer s.wg.Done()
	var first time.Time
	for attempt := 1; ; attempt++ {
		if attempt > tries {
			if n.kind != KindPayment {
				return
			}
			select {
			case <-s.clock.After(retryInterval):
			case <-s.done:
				return
			}
			if s.clock.Now().Sub(first) > retryWindow {
				return
			}
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
		if s.attempt(n, attempt, now) {
			return
		}
	}
}

// attempt POSTs n once and records the attempt.
func (s *Server) attempt(n notification, attempt int, now time.Time) bool {
	d := Delivery{Kind: n.kind, ID: n.id, URL: n.url, Attempt: attempt, Time: now}
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
	s.log.Debug("alphapaytest: notification", "kind", d.Kind, "id", d.ID, "attempt", d.Attempt, "status", d.StatusCode, "acked", d.Acked)
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

// signedPost builds a notification POST signed by AlphaPay's key over the
// target's request URI, or its path alone with WithNotifyPathOnly (spec
// §7).
func (s *Server) signedPost(ctx context.Context, target string, body []byte, now time.Time) (*http.Request, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("alphapaytest: notify URL is not an absolute http(s) URL")
	}
	uri := u.RequestURI()
	if s.cfg.notifyPath {
		uri, _, _ = strings.Cut(uri, "?")
	}
	reqTime := now.Format(wire.TimeLayout)
	nonce := newNonce()
	sig, err := signing.Sign(s.keys.Load().signer, signing.Message(http.MethodPost, uri, body, s.cfg.merchantCode, reqTime, nonce))
	if err != nil {
		return nil, errors.New("alphapaytest: signing the notification failed")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("alphapaytest: notify URL is invalid")
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set(wire.HeaderMerchantCode, s.cfg.merchantCode)
	req.Header.Set(wire.HeaderRequestTime, reqTime)
	req.Header.Set(wire.HeaderNonce, nonce)
	req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: "1", Signature: sig}.Format(true))
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
// payment notification POST to targetURL for the payment's current state.
// The signature covers POST and targetURL's request URI (its path alone
// with WithNotifyPathOnly).
func (s *Server) SignedNotification(paymentID, targetURL string) (*http.Request, error) {
	s.mu.Lock()
	o := s.orderLocked(paymentID)
	if o == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: signed notification: payment %s", ErrNotFound, paymentID)
	}
	body, _ := json.Marshal(paymentStateLocked(o))
	s.mu.Unlock()
	return s.signedPost(context.Background(), targetURL, body, s.clock.Now())
}

// SignedRefundNotification is SignedNotification for a refund.
func (s *Server) SignedRefundNotification(refundID, targetURL string) (*http.Request, error) {
	s.mu.Lock()
	r := s.refunds[refundID]
	if r == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: signed notification: refund %s", ErrNotFound, refundID)
	}
	body, _ := json.Marshal(refundState(r))
	s.mu.Unlock()
	return s.signedPost(context.Background(), targetURL, body, s.clock.Now())
}
