package simulator_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

var ack = []byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`)

// newReceiver is a merchant's notification endpoint that verifies every
// notification's signature.
func newReceiver(t *testing.T, srv *toyServer) *simtest.Receiver {
	pub, err := signing.ParsePublicKey(srv.KeyPEMs().ProviderPublic)
	if err != nil {
		t.Fatal(err)
	}
	return simtest.NewReceiver(t, func(r *http.Request, body []byte) string {
		h, err := signing.ParseHeader(r.Header.Get("Signature"))
		if err != nil {
			return "signature header: " + err.Error()
		}
		if signing.Verify(pub, signing.Message("POST", r.URL.RequestURI(), body, toyClientID, r.Header.Get("Request-Time")), h.Signature) != nil {
			return "signature does not verify"
		}
		return ""
	})
}

// notified pays a payment with a notify URL on the receiver.
func notified(t *testing.T, c *toyClient, rc *simtest.Receiver, id string) string {
	t.Helper()
	req := payReq(id, "1999")
	req.NotifyURL = rc.Server.URL + "/hooks?shop=1"
	r := c.post(pathPay, req)
	if err := c.srv.Complete(r.Result.PaymentID); err != nil {
		t.Fatal(err)
	}
	return r.Result.PaymentID
}

func awaitIdle(t *testing.T, srv *toyServer) {
	t.Helper()
	if err := srv.AwaitIdle(simtest.Context(t)); err != nil {
		t.Fatal("a notification delivery is still running")
	}
}

// The toy's schedule: two tries at once, then every 30 minutes until two
// hours after the first try.
func TestNotificationSchedule(t *testing.T) {
	srv, c, clk := toyFixture(t, nil)
	rc := newReceiver(t, srv)
	id := notified(t, c, rc, "N-1")
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, 2); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntilWaiters(1)
	ds := srv.Deliveries()
	if len(ds) != 2 {
		t.Fatalf("%d deliveries before the first wait, want 2", len(ds))
	}
	for i, d := range ds {
		if d.Kind != simulator.KindPayment || d.ID != id || d.URL != rc.Server.URL+"/hooks?shop=1" || d.Attempt != i+1 ||
			!d.Time.Equal(t0) || d.StatusCode != 500 || d.Acked || d.Err != "HTTP status 500" || d.Duplicate {
			t.Errorf("delivery %d: %+v", i, d)
		}
	}
	clk.Advance(29 * time.Minute)
	if n := len(srv.Deliveries()); n != 2 {
		t.Fatalf("%d deliveries after 29 minutes", n)
	}
	clk.Advance(time.Minute)
	for i := 1; i <= 4; i++ {
		if i > 1 {
			clk.BlockUntilWaiters(1)
			clk.Advance(30 * time.Minute)
		}
		if err := srv.AwaitDeliveries(ctx, 2+i); err != nil {
			t.Fatal(err)
		}
		if d := srv.Deliveries()[1+i]; d.Attempt != 2+i || !d.Time.Equal(t0.Add(time.Duration(i)*30*time.Minute)) {
			t.Errorf("delivery %d: %+v", 2+i, d)
		}
	}
	clk.BlockUntilWaiters(1)
	clk.Advance(30 * time.Minute) // 2h30m after the first try: give up
	awaitIdle(t, srv)
	if n := len(srv.Deliveries()); n != 6 || clk.Waiters() != 0 {
		t.Fatalf("%d deliveries, %d waiters", n, clk.Waiters())
	}
	rc.Check(t)
	for i, b := range rc.Bodies() {
		if !bytes.Equal(b, rc.Bodies()[0]) {
			t.Errorf("notification %d: body %s", i, b)
		}
	}
}

// A finite schedule ends after its last try; an acknowledgement ends it
// earlier.
func TestNotificationFiniteSchedule(t *testing.T) {
	srv, c, clk := newToyWithSchedule(t, simulator.Schedule{Waits: []time.Duration{0, 2 * time.Minute, time.Hour}})
	rc := newReceiver(t, srv)
	notified(t, c, rc, "N-F")
	ctx := simtest.Context(t)
	for i, wait := range []time.Duration{0, 2 * time.Minute, time.Hour} {
		if i > 0 {
			clk.BlockUntilWaiters(1)
			clk.Advance(wait - time.Millisecond)
			if len(srv.Deliveries()) != i {
				t.Fatalf("try %d came before its time", i+1)
			}
			clk.Advance(time.Millisecond)
		}
		if err := srv.AwaitDeliveries(ctx, i+1); err != nil {
			t.Fatal(err)
		}
	}
	awaitIdle(t, srv)
	if n := len(srv.Deliveries()); n != 3 || clk.Waiters() != 0 {
		t.Errorf("%d deliveries, %d waiters after the last try", n, clk.Waiters())
	}

	// An acknowledgement stops the retries.
	notified(t, c, rc, "N-F2")
	if err := srv.AwaitDeliveries(ctx, 4); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntilWaiters(1)
	clk.Advance(2 * time.Minute)
	if err := srv.AwaitDeliveries(ctx, 5); err != nil {
		t.Fatal(err)
	}
	rc.Ack(ack)
	clk.BlockUntilWaiters(1)
	clk.Advance(time.Hour)
	if err := srv.AwaitDeliveries(ctx, 6); err != nil {
		t.Fatal(err)
	}
	awaitIdle(t, srv)
	ds := srv.Deliveries()
	if len(ds) != 6 || !ds[5].Acked || ds[5].Err != "" || ds[5].StatusCode != 200 || ds[5].Attempt != 3 || clk.Waiters() != 0 {
		t.Errorf("deliveries %+v", ds)
	}
}

func newToyWithSchedule(t *testing.T, sc simulator.Schedule) (*toyServer, *toyClient, *clock.Fake) {
	srv, c, clk := toyFixture(t, nil)
	srv.sched = sc
	return srv, c, clk
}

func TestNotificationAckRules(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"200 without body": func(w http.ResponseWriter) {},
		"200 F": func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"result":{"resultCode":"X","resultStatus":"F"}}`)
		},
		"200 U":              func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"result":{"resultStatus":"U"}}`) },
		"200 not JSON":       func(w http.ResponseWriter) { _, _ = io.WriteString(w, "success") },
		"201 with ack body":  func(w http.ResponseWriter) { w.WriteHeader(201); _, _ = w.Write(ack) },
		"500 with ack body":  func(w http.ResponseWriter) { w.WriteHeader(500); _, _ = w.Write(ack) },
		"200 S without code": func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"result":{"resultStatus":"S"}}`) },
		"200 ack":            func(w http.ResponseWriter) { _, _ = w.Write(ack) },
	} {
		t.Run(name, func(t *testing.T) {
			srv, c, _ := toyFixture(t, nil)
			rc := newReceiver(t, srv)
			rc.Respond(answer)
			notified(t, c, rc, "N-A")
			if err := srv.AwaitDeliveries(simtest.Context(t), 1); err != nil {
				t.Fatal(err)
			}
			wantAck := name == "200 S without code" || name == "200 ack"
			if d := srv.Deliveries()[0]; d.Acked != wantAck || (d.Err == "") != wantAck {
				t.Errorf("Acked = %v (%+v)", d.Acked, d)
			}
		})
	}
}

// A provider whose acknowledgement is another body says so in
// Config.Acknowledged; the default reading no longer applies.
func TestNotificationOwnAcknowledgement(t *testing.T) {
	for body, wantAck := range map[string]bool{"OK": true, string(ack): false} {
		srv, c, _ := toyFixture(t, func(cfg *simulator.Config) {
			cfg.Acknowledged = func(b []byte) bool { return string(b) == "OK" }
		})
		rc := newReceiver(t, srv)
		rc.Respond(func(w http.ResponseWriter) { _, _ = io.WriteString(w, body) })
		notified(t, c, rc, "N-OWN")
		if err := srv.AwaitDeliveries(simtest.Context(t), 1); err != nil {
			t.Fatal(err)
		}
		if d := srv.Deliveries()[0]; d.Acked != wantAck {
			t.Errorf("answer %q: Acked = %v, want %v (%+v)", body, d.Acked, wantAck, d)
		}
	}
}

func TestNotificationUnreachable(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	rc := newReceiver(t, srv)
	rc.Server.Close() // nobody listens there any more
	notified(t, c, rc, "N-U")
	if err := srv.AwaitDeliveries(simtest.Context(t), 1); err != nil {
		t.Fatal(err)
	}
	if d := srv.Deliveries()[0]; d.Acked || d.StatusCode != 0 || d.Err == "" {
		t.Errorf("delivery %+v", d)
	}
}

func TestCloseStopsDeliveries(t *testing.T) {
	srv, c, clk := toyFixture(t, nil)
	rc := newReceiver(t, srv)
	id := notified(t, c, rc, "N-C")
	if err := srv.AwaitDeliveries(simtest.Context(t), 2); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntilWaiters(1) // waiting on a clock that will never move
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs with a delivery waiting on a frozen clock")
	}
	// After Close nothing new starts.
	clk.Advance(time.Hour)
	srv.Notify(simulator.Notification{Kind: simulator.KindPayment, ID: id, URL: rc.Server.URL, Body: []byte("{}"), Schedule: srv.sched})
	awaitIdle(t, srv)
	if n := len(srv.Deliveries()); n != 2 {
		t.Errorf("%d deliveries", n)
	}
}

// The Duplicate fault delivers an acknowledged notification again; the
// signature faults apply to every attempt of the notification they are
// aimed at.
func TestNotificationFaults(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	rc := newReceiver(t, srv)
	rc.Ack(ack)
	srv.ScriptNotifications(
		simulator.Fault{RequestID: "NF-2", BadSignature: true},
		simulator.Fault{Duplicate: true},
		simulator.Fault{NoSignature: true},
		simulator.Fault{TamperBody: true},
	)
	ctx := simtest.Context(t)
	id1 := notified(t, c, rc, "NF-1") // takes the Duplicate
	if err := srv.AwaitDeliveries(ctx, 2); err != nil {
		t.Fatal(err)
	}
	awaitIdle(t, srv)
	ds := srv.Deliveries()
	if len(ds) != 2 || ds[0].ID != id1 || !ds[0].Acked || ds[0].Duplicate || ds[1].ID != id1 || ds[1].Attempt != 2 || !ds[1].Duplicate || !ds[1].Acked {
		t.Fatalf("deliveries %+v", ds)
	}
	rc.Check(t)
	if bodies := rc.Bodies(); !bytes.Equal(bodies[0], bodies[1]) {
		t.Errorf("a duplicate differs from the first: %s / %s", bodies[0], bodies[1])
	}
	rc.Fail() // refused notifications are tried again, each time faulty
	notified(t, c, rc, "NF-2")
	notified(t, c, rc, "NF-3")
	notified(t, c, rc, "NF-4")
	if err := srv.AwaitDeliveries(ctx, 2+3*2); err != nil {
		t.Fatal(err)
	}
	if n, bad := len(rc.Bodies()), len(rc.Problems()); bad != n-2 {
		t.Errorf("%d of %d faulty notifications are validly signed", n-2-bad, n-2)
	}
}

// SignedPost signs over the target's path and query, or its path alone
// with NotifyPathOnly.
func TestSignedPost(t *testing.T) {
	for _, pathOnly := range []bool{false, true} {
		srv, _, _ := toyFixture(t, func(cfg *simulator.Config) { cfg.NotifyPathOnly = pathOnly })
		req, err := srv.SignedPost("https://shop.example/webhook?a=b", []byte(`{"x":1}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(req.Body)
		h, err := signing.ParseHeader(req.Header.Get("Signature"))
		if err != nil || string(body) != `{"x":1}` || req.Header.Get("Request-Time") != t0.Format(time.RFC3339) {
			t.Fatalf("%v %s %v", err, body, req.Header)
		}
		pub := &simulator.DefaultKeys("toy").Provider.PublicKey
		verifies := func(uri string) bool {
			return signing.Verify(pub, signing.Message("POST", uri, body, toyClientID, req.Header.Get("Request-Time")), h.Signature) == nil
		}
		if verifies("/webhook?a=b") == pathOnly || verifies("/webhook") != pathOnly {
			t.Errorf("path only %v: verifies over path and query %v, over the path %v", pathOnly, verifies("/webhook?a=b"), verifies("/webhook"))
		}
		if len(srv.Deliveries()) != 0 {
			t.Errorf("SignedPost sent something itself")
		}
		for _, bad := range []string{"/relative", "ftp://x/y", "http://"} {
			if _, err := srv.SignedPost(bad, nil); err == nil {
				t.Errorf("SignedPost(%q) accepted", bad)
			}
		}
	}
}
