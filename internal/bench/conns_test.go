package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
)

// replayServer answers each distinct request (path and body) once through
// the simulator's handler, and afterwards with that same signed answer,
// without signing again: the client still signs every request and verifies
// and decodes every answer, but the test takes half the time. It counts
// the connections it accepts.
type replayServer struct {
	*httptest.Server
	accepted atomic.Int64

	next  http.Handler
	mu    sync.Mutex
	cache map[string]*httptest.ResponseRecorder
}

func newReplayServer(next http.Handler) *replayServer {
	s := &replayServer{next: next, cache: map[string]*httptest.ResponseRecorder{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.accepted.Add(1)
		}
	}
	s.Start()
	return s
}

func (s *replayServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	key := r.URL.Path + "\x00" + string(body)
	s.mu.Lock()
	rec := s.cache[key]
	s.mu.Unlock()
	if rec == nil {
		rec = httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.next.ServeHTTP(rec, r)
		s.mu.Lock()
		s.cache[key] = rec
		s.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// TestSequentialInquireReusesOneConnection makes 10,000 sequential Inquire
// calls through one adapter with the default pooled transport and checks
// that they all travel over one connection, counted both where the client
// dials and where the server accepts. Under -short and the race detector it
// makes 200 calls.
func TestSequentialInquireReusesOneConnection(t *testing.T) {
	t.Parallel()
	n := 10_000
	if testing.Short() || raceEnabled {
		n = 200
	}
	e := newAPEnv(t, simMode{})
	front := newReplayServer(e.srv.Handler())
	defer front.Close()
	c, hc, dials := e.client(t, func(cfg *alphapay.Config) { cfg.BaseURL = front.URL })
	defer closeIdle(hc)

	ctx := context.Background()
	ref := payment.Ref{PaymentID: e.paid}
	start := time.Now()
	for i := range n {
		p, err := c.Inquire(ctx, ref)
		if err != nil || p.Status != payment.StatusSucceeded {
			t.Fatalf("call %d: %+v, %v", i, p, err)
		}
	}
	t.Logf("%d sequential Inquire calls in %v; %d dialled, %d accepted", n, time.Since(start).Round(time.Millisecond),
		dials.Load(), front.accepted.Load())
	if d, a := dials.Load(), front.accepted.Load(); d != 1 || a != 1 {
		t.Errorf("%d sequential calls dialled %d and the server accepted %d connections; want 1", n, d, a)
	}
}

// TestConcurrentPayStaysWithinPool makes Pay calls from 16 goroutines at
// once through one adapter and checks that it dials no more connections
// than its pool keeps (transport.NewPooledTransport: 32 per host).
func TestConcurrentPayStaysWithinPool(t *testing.T) {
	t.Parallel()
	workers, calls := concurrency, 5
	if testing.Short() || raceEnabled {
		calls = 2
	}
	e := newAPEnv(t, simMode{})
	o := e.paybridge(t, nil)
	defer o.close()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				if err := o.pay(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := o.dials.Load(); n < 1 || n > int64(poolSize) {
		t.Errorf("%d concurrent callers dialled %d connections; the pool keeps %d", workers, n, poolSize)
	}
}
