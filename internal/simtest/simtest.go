// Package simtest holds what the tests of the simulator kit and of the
// simulators built on it share: a merchant's notification endpoint, the
// cashier page's requests and a bounded context. It is for paybridge's own
// tests.
package simtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Receiver is a merchant's notification endpoint: it checks every
// notification with the function it was made with, keeps its body and
// answers as told (HTTP 500 until Ack or Respond).
type Receiver struct {
	// Server serves the endpoint; its URL is where notifications go.
	Server *httptest.Server

	t      testing.TB
	check  func(r *http.Request, body []byte) string
	answer atomic.Value // func(http.ResponseWriter)

	mu       sync.Mutex
	bodies   [][]byte
	problems []string
}

// NewReceiver starts a receiver, closed when t ends. check returns what is
// wrong with a notification (its method, headers or signature), "" if
// nothing.
func NewReceiver(t testing.TB, check func(r *http.Request, body []byte) (problem string)) *Receiver {
	rc := &Receiver{t: t, check: check}
	rc.Fail()
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Server.Close)
	return rc
}

// Fail makes the receiver answer HTTP 500.
func (rc *Receiver) Fail() {
	rc.Respond(func(w http.ResponseWriter) { http.Error(w, "down", http.StatusInternalServerError) })
}

// Ack makes the receiver acknowledge with body.
func (rc *Receiver) Ack(body []byte) {
	rc.Respond(func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// Respond makes the receiver answer with answer.
func (rc *Receiver) Respond(answer func(http.ResponseWriter)) { rc.answer.Store(answer) }

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	problem := ""
	if r.Method != http.MethodPost {
		problem = "method " + r.Method
	} else if r.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		problem = "content type"
	} else {
		problem = rc.check(r, body)
	}
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, body)
	if problem != "" {
		rc.problems = append(rc.problems, problem)
	}
	rc.mu.Unlock()
	rc.answer.Load().(func(http.ResponseWriter))(w)
}

// Deliver sends the receiver a notification built elsewhere, such as by a
// simulator's SignedNotification (whose error err is: it fails the test).
func (rc *Receiver) Deliver(req *http.Request, err error) {
	rc.t.Helper()
	if err != nil {
		rc.t.Fatal(err)
	}
	resp, err := rc.Server.Client().Do(req)
	if err != nil {
		rc.t.Fatal(err)
	}
	resp.Body.Close()
}

// Bodies returns the bodies received so far.
func (rc *Receiver) Bodies() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...)
}

// Check fails t for every notification received with a problem.
func (rc *Receiver) Check(t testing.TB) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, p := range rc.problems {
		t.Errorf("bad notification: %s", p)
	}
}

// Problems returns what was wrong with the notifications received, one
// entry per bad notification.
func (rc *Receiver) Problems() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.problems...)
}

// GetPage gets a page and returns its status and body.
func GetPage(t testing.TB, client *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// PostForm posts an empty form, following redirects, and returns the final
// page's status, body and URL.
func PostForm(t testing.TB, client *http.Client, u string) (int, string, *url.URL) {
	t.Helper()
	resp, err := client.PostForm(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL
}

// Context returns a context that ends after 10 seconds, or with t: every
// wait of a test is bounded.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// WantNotFound fails t unless every request, a method and a path under
// baseURL, is answered 404.
func WantNotFound(t testing.TB, client *http.Client, baseURL string, requests [][2]string) {
	t.Helper()
	for _, mp := range requests {
		req, err := http.NewRequest(mp[0], baseURL+mp[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", mp[0], mp[1], resp.StatusCode)
		}
	}
}

// WantContains fails t for each of wants that page, a body or a page
// named what, lacks.
func WantContains(t testing.TB, what, page string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(page, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, page)
		}
	}
}
