package cli

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// savedNotification writes a notification as a support engineer would get
// it: the raw body, and the headers with a leading request or status line.
type savedNotification struct {
	body      []byte
	header    http.Header
	signature string // the Signature header's value, which must never be printed
}

func (n savedNotification) write(t *testing.T, dir, firstLine string, drop ...string) (bodyFile, headersFile string) {
	t.Helper()
	var b strings.Builder
	if firstLine != "" {
		b.WriteString(firstLine + "\r\n")
	}
	for name, values := range n.header {
		if contains(drop, name) {
			continue
		}
		for _, v := range values {
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	b.WriteString("\r\n")
	bodyFile, headersFile = filepath.Join(dir, "body.json"), filepath.Join(dir, "headers.txt")
	if err := os.WriteFile(bodyFile, n.body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(headersFile, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return bodyFile, headersFile
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestVerifyNotification(t *testing.T) {
	e := newCLIEnv(t)
	paid := e.jsonOp(t, exitOK, "pay", "--id", "CLI-NOTIFY", "--amount", "20.00 CAD", "--method", "alipay")
	pid := str(paid, "paymentId")
	if err := e.sim.Complete(pid); err != nil {
		t.Fatal(err)
	}
	const uri = "/notify/alphapay?shop=1"
	req, err := e.sim.SignedNotification(pid, "https://shop.example"+uri)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	sig := req.Header.Get("Signature")
	_, sigValue, _ := strings.Cut(sig, "signature=")
	n := savedNotification{body: body, header: req.Header, signature: sigValue}
	sentAt, err := time.Parse(time.RFC3339, req.Header.Get("Request-Time"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) string { return sentAt.Add(d).Format(time.RFC3339) }

	verify := func(t *testing.T, n savedNotification, firstLine string, drop []string, args ...string) result {
		t.Helper()
		bodyFile, headersFile := n.write(t, t.TempDir(), firstLine, drop...)
		r := runCLI(append([]string{"verify-notification", "--config", e.config, "--wallet", testWallet,
			"--body", bodyFile, "--headers", headersFile}, args...)...)
		if strings.Contains(r.stdout+r.stderr, n.signature) || strings.Contains(r.stdout+r.stderr, sig) {
			t.Fatalf("the signature value was printed:\n%s", r)
		}
		return r
	}
	expect := func(t *testing.T, r result, code int, wants ...string) {
		t.Helper()
		if r.code != code {
			t.Errorf("want exit %d, got %s", code, r)
		}
		for _, w := range wants {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("output lacks %q:\n%s", w, r.stdout)
			}
		}
	}

	t.Run("valid, status line skipped", func(t *testing.T) {
		r := verify(t, n, "HTTP/1.1 200 OK", nil, "--uri", uri, "--at", at(30*time.Second))
		expect(t, r, exitOK, "Merchant-Code, Request-Time, Nonce, Signature present", "signature: verifies over POST "+uri,
			"30s before --at", ": fresh", "event:     payment", pid, "CLI-NOTIFY", "succeeded", "20.00 CAD", "VALID")
	})
	t.Run("valid, URI from the request line, checked against now", func(t *testing.T) {
		r := verify(t, n, "POST "+uri+" HTTP/1.1", nil)
		expect(t, r, exitOK, "from the headers file's request line", "before now", "VALID")
	})
	t.Run("tampered body", func(t *testing.T) {
		tampered := n
		tampered.body = []byte(strings.Replace(string(body), "CLI-NOTIFY", "CLI-NOTIFX", 1))
		r := verify(t, tampered, "", nil, "--uri", uri)
		expect(t, r, exitFailed, "DOES NOT VERIFY", "exact bytes", "not parsed", "INVALID")
	})
	t.Run("an editor's newline", func(t *testing.T) {
		nl := n
		nl.body = append(append([]byte(nil), body...), '\n')
		r := verify(t, nl, "", nil, "--uri", uri)
		expect(t, r, exitFailed, "DOES NOT VERIFY", "ends with a newline")
	})
	t.Run("path rewritten by a proxy", func(t *testing.T) {
		r := verify(t, n, "POST /internal/hooks HTTP/1.1", nil)
		expect(t, r, exitFailed, "DOES NOT VERIFY", "the signature covers POST /internal/hooks",
			"if a proxy rewrote the path, pass the public path", "--uri", "INVALID")
	})
	t.Run("stale", func(t *testing.T) {
		r := verify(t, n, "", nil, "--uri", uri, "--at", at(6*time.Minute))
		expect(t, r, exitFailed, "signature: verifies", "6m0s before --at (window ±5m0s): STALE", "INVALID")
	})
	t.Run("from the future", func(t *testing.T) {
		r := verify(t, n, "", nil, "--uri", uri, "--at", at(-6*time.Minute))
		expect(t, r, exitFailed, "6m0s after --at", "IN THE FUTURE")
	})
	t.Run("missing header", func(t *testing.T) {
		r := verify(t, n, "", []string{"Nonce"}, "--uri", uri)
		expect(t, r, exitFailed, "MISSING Nonce", "INVALID")
	})
	t.Run("missing merchant code", func(t *testing.T) {
		r := verify(t, n, "", []string{"Merchant-Code"}, "--uri", uri)
		expect(t, r, exitFailed, "MISSING Merchant-Code", "listed as missing")
	})
	t.Run("usage errors", func(t *testing.T) {
		bodyFile, headersFile := n.write(t, t.TempDir(), "")
		for _, args := range [][]string{
			{"--body", bodyFile, "--headers", headersFile}, // no --uri, no request line
			{"--body", bodyFile, "--headers", headersFile, "--uri", uri, "--at", "yesterday"},
			{"--body", filepath.Join(t.TempDir(), "none"), "--headers", headersFile, "--uri", uri},
			{"--headers", headersFile, "--uri", uri},
			{"--body", bodyFile, "--headers", headersFile, "--uri", uri, "--wallet", "nope"},
		} {
			r := runCLI(append([]string{"verify-notification", "--config", e.config}, args...)...)
			if r.code != exitUsage {
				t.Errorf("%q: want exit %d, got %s", args, exitUsage, r)
			}
		}
	})
}

func TestParseHeaderFile(t *testing.T) {
	h, target, err := parseHeaderFile([]byte("> POST https://shop.example/n?a=1 HTTP/1.1\n> Nonce: abc\n> Request-Time:  2025-01-01T00:00:00Z \n>\nbody"))
	if err != nil || target != "/n?a=1" || h.Get("Nonce") != "abc" || h.Get("Request-Time") != "2025-01-01T00:00:00Z" || len(h) != 2 {
		t.Errorf("curl -v form: %v %q %v", h, target, err)
	}
	if _, _, err := parseHeaderFile([]byte("Nonce abc\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a line that is not a header: %v", err)
	}
	if _, _, err := parseHeaderFile([]byte("HTTP/1.1 200 OK\r\n\r\n")); err == nil {
		t.Error("no headers: no error")
	}
}
