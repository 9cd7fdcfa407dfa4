package providers_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/signing"
)

// countingSigner holds its key as a KMS does and counts its signatures.
type countingSigner struct {
	key   *rsa.PrivateKey
	calls atomic.Int32
	fail  bool
}

func (c *countingSigner) Public() crypto.PublicKey { return &c.key.PublicKey }

func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	if c.fail {
		return nil, errors.New("counting signer: the token is not reachable")
	}
	return c.key.Sign(r, digest, opts)
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

var (
	merchantKeyOnce sync.Once
	merchantKey     *rsa.PrivateKey
)

// newMerchantKey returns an RSA key made once per test binary, unrelated to
// the simulators'.
func newMerchantKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	merchantKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		merchantKey = k
	})
	return merchantKey
}

func pubPEM(k *rsa.PrivateKey) string { return string(signing.PublicKeyPEM(&k.PublicKey)) }

// simulators are both providers with a configuration naming them; their
// merchant key is newMerchantKey, registered under keyVersion 1, so that a
// test can sign with it through any signer.
type simulators struct {
	ap     *alphapaytest.Server
	wallet *alipayplustest.Server
	dir    string
}

func newSimulators(t *testing.T) *simulators {
	t.Helper()
	s := &simulators{ap: alphapaytest.NewServer(), wallet: alipayplustest.NewServer(), dir: t.TempDir()}
	t.Cleanup(s.ap.Close)
	t.Cleanup(s.wallet.Close)
	k := newMerchantKey(t)
	if err := s.ap.AddMerchantKey("1", pubPEM(k)); err != nil {
		t.Fatal(err)
	}
	if err := s.wallet.AddMerchantKey(s.wallet.Credentials().KeyVersion, pubPEM(k)); err != nil {
		t.Fatal(err)
	}
	s.write(t, "merchant.pem", string(signing.PrivateKeyPEM(k)))
	s.write(t, "alphapay.pub", s.ap.Credentials().AlphaPayPublicKey)
	s.write(t, "wallet.pub", s.wallet.Credentials().WalletPublicKey)
	return s
}

func (s *simulators) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// config returns a configuration of both wallets; key is the JSON of the
// members that give the merchant key (such as `"privateKey":"file:merchant.pem"`),
// or "" for none.
func (s *simulators) config(key string) string {
	a, w := s.ap.Credentials(), s.wallet.Credentials()
	if key != "" {
		key += ","
	}
	return fmt.Sprintf(`{"wallets":[
	  {"name":"ap","provider":"alphapay","settings":{%s"baseURL":%q,"merchantCode":%q,"alphaPayPublicKey":"file:alphapay.pub"}},
	  {"name":"wallet","provider":"alipayplus","settings":{%s"baseURL":%q,"pathPrefix":%q,"clientId":%q,"walletPublicKey":"file:wallet.pub"}}
	]}`, key, a.BaseURL, a.MerchantCode, key, w.BaseURL, w.Prefix, w.ClientID)
}

func (s *simulators) load(t *testing.T, r *providers.Registry, cfg string, o providers.Options) (*providers.Wallets, error) {
	t.Helper()
	path := filepath.Join(s.dir, "wallets.json")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return r.LoadFile(context.Background(), path, o)
}

func payEach(t *testing.T, w *providers.Wallets) {
	t.Helper()
	for _, name := range w.Names() {
		p, _ := w.Get(name)
		req := &payment.PayRequest{PaymentRequestID: "ORDER-" + name, Amount: money.MustParse("10.00 CNY"), Description: "Tea"}
		if p.Capabilities().SupportsScenario(payment.ScenarioQRCode) {
			req.Scenario, req.Method = payment.ScenarioQRCode, payment.MethodWeChatPay
		} else {
			req.Scenario = payment.ScenarioCashier
		}
		if _, err := p.Pay(context.Background(), req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// Wallets opened from a file take everything an adapter's New takes from
// the Options: logger, HTTP client or transport, clock, retry policy,
// journal and signer.
func TestOptionsReachEveryWallet(t *testing.T) {
	s := newSimulators(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Three minutes behind: inside the simulators' five-minute window, far
	// enough from their clock to tell the two apart.
	start := time.Now().Add(-3 * time.Minute).Truncate(time.Second)
	fake := clock.NewAuto(start)
	wrap := &countingTransport{}
	journals := map[string]*journal.Memory{}
	signers := map[string]*countingSigner{}
	observers := map[string]*callCounter{}
	o := providers.Options{
		Logger: logger,
		Clock:  fake,
		Retry:  &payment.RetryPolicy{MaxAttempts: 1},
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			wrap.next = rt
			return wrap
		},
		PerWallet: func(name, kind string, o *providers.Options) error {
			journals[name] = journal.NewMemory()
			signers[name] = &countingSigner{key: newMerchantKey(t)}
			observers[name] = &callCounter{}
			o.Journal, o.Signer, o.Observer = journals[name], signers[name], observers[name]
			return nil
		},
	}
	// The file's retry says 3 attempts; Options.Retry says 1.
	w, err := s.load(t, providers.NewRegistry(), strings.ReplaceAll(s.config(""), `"baseURL"`, `"retry":{"maxAttempts":3},"baseURL"`), o)
	if err != nil {
		t.Fatal(err)
	}
	payEach(t, w)
	for _, name := range w.Names() {
		if n := signers[name].calls.Load(); n != 1 {
			t.Errorf("%s: the signer signed %d times, want 1", name, n)
		}
		if n := journals[name].Len(); n != 1 {
			t.Errorf("%s: %d journal entries, want 1", name, n)
		}
		if n := observers[name].pays.Load(); n != 1 {
			t.Errorf("%s: the observer saw %d pays, want 1", name, n)
		}
	}
	if n := wrap.n.Load(); n != 2 {
		t.Errorf("the wrapped transport carried %d requests, want 2", n)
	}
	var times []string
	for _, r := range s.ap.Requests(alphapaytest.PathPay) {
		times = append(times, r.RequestTime)
	}
	for _, r := range s.wallet.Requests(alipayplustest.PathPay) {
		times = append(times, r.RequestTime)
	}
	for _, rt := range times {
		sent, err := time.Parse(time.RFC3339, rt)
		if err != nil || sent.Sub(start).Abs() > time.Minute {
			t.Errorf("Request-Time %q is not the fake clock's %v", rt, start)
		}
	}
	// Options.Retry, one attempt, is the policy, not the file's three.
	s.ap.Script(alphapaytest.PathInquiry, alphapaytest.Fault{HTTPStatus: http.StatusBadGateway}, alphapaytest.Fault{HTTPStatus: http.StatusBadGateway})
	p, _ := w.Get("ap")
	if _, err := p.Inquire(context.Background(), payment.Ref{PaymentID: "x"}); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Errorf("inquiry answered 502: %v", err)
	}
	if n := len(s.ap.Requests(alphapaytest.PathInquiry)); n != 1 {
		t.Errorf("%d attempts under Options.Retry's one", n)
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	for _, name := range w.Names() {
		if !strings.Contains(out, `"wallet":"`+name+`"`) {
			t.Errorf("no log line names wallet %s:\n%s", name, out)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// Options.HTTPClient sends the requests; a wallet with a caFile cannot take
// it.
func TestOptionsHTTPClient(t *testing.T) {
	s := newSimulators(t)
	ct := &countingTransport{next: http.DefaultTransport}
	o := providers.Options{HTTPClient: &http.Client{Transport: ct}}
	w, err := s.load(t, providers.NewRegistry(), s.config(`"privateKey":"file:merchant.pem"`), o)
	if err != nil {
		t.Fatal(err)
	}
	payEach(t, w)
	if n := ct.n.Load(); n != 2 {
		t.Fatalf("the client carried %d requests, want 2", n)
	}
	s.write(t, "ca.pem", "")
	_, err = s.load(t, providers.NewRegistry(), strings.ReplaceAll(s.config(`"privateKey":"file:merchant.pem"`), `"baseURL"`, `"caFile":"ca.pem","baseURL"`), o)
	var ce *providers.ConfigError
	if !errors.As(err, &ce) || ce.Field != "settings.caFile" {
		t.Fatalf("caFile with Options.HTTPClient: %v", err)
	}
}

// The merchant key comes from one place: "privateKey", "signer" (a signer
// kind of the registry) or Options.Signer.
func TestSignerSettings(t *testing.T) {
	s := newSimulators(t)
	reg := providers.NewRegistry()
	var counting []*countingSigner
	var mu sync.Mutex
	err := reg.RegisterSigner("counting", func(ctx context.Context, raw json.RawMessage, env providers.Env) (crypto.Signer, error) {
		var st struct {
			Key  string `json:"key"`
			Fail bool   `json:"fail"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, err
		}
		pem, err := env.Secret(st.Key)
		if err != nil {
			return nil, &providers.ConfigError{Field: "key", Err: err}
		}
		k, err := signing.ParsePrivateKey(pem)
		if err != nil {
			return nil, &providers.ConfigError{Field: "key", Err: err}
		}
		c := &countingSigner{key: k, fail: st.Fail}
		mu.Lock()
		counting = append(counting, c)
		mu.Unlock()
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.RegisterSigner("pem", nil); err == nil {
		t.Fatal("RegisterSigner replaced the built-in pem kind")
	}
	if err := reg.RegisterSigner("counting", func(context.Context, json.RawMessage, providers.Env) (crypto.Signer, error) { return nil, nil }); !errors.Is(err, providers.ErrDuplicate) {
		t.Fatalf("a second counting kind: %v", err)
	}
	if got := strings.Join(reg.SignerKinds(), ","); got != "counting,pem" {
		t.Fatalf("signer kinds %s", got)
	}

	t.Run("pem", func(t *testing.T) {
		w, err := s.load(t, reg, s.config(`"signer":{"kind":"pem","key":"file:merchant.pem"}`), providers.Options{})
		if err != nil {
			t.Fatal(err)
		}
		payEach(t, w)
	})
	t.Run("a registered kind", func(t *testing.T) {
		w, err := s.load(t, reg, s.config(`"signer":{"kind":"counting","key":"file:merchant.pem"}`), providers.Options{})
		if err != nil {
			t.Fatal(err)
		}
		payEach(t, w)
		mu.Lock()
		defer mu.Unlock()
		if len(counting) != 2 || counting[0].calls.Load() != 1 || counting[1].calls.Load() != 1 {
			t.Fatalf("%d signers", len(counting))
		}
	})
	t.Run("a registered kind that fails", func(t *testing.T) {
		w, err := s.load(t, reg, s.config(`"signer":{"kind":"counting","key":"file:merchant.pem","fail":true}`), providers.Options{})
		if err != nil {
			t.Fatal(err)
		}
		before := s.ap.RequestCount() + s.wallet.RequestCount()
		for _, name := range w.Names() {
			p, _ := w.Get(name)
			_, err := p.Inquire(context.Background(), payment.Ref{PaymentID: "P1", PaymentRequestID: "R1"})
			if !errors.Is(err, payment.ErrUnavailable) || !errors.Is(err, signing.ErrSigner) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if after := s.ap.RequestCount() + s.wallet.RequestCount(); after != before {
			t.Fatalf("%d requests sent unsigned", after-before)
		}
	})

	for _, tc := range []struct {
		name, key   string
		o           providers.Options
		field, says string
	}{
		{"no key", "", providers.Options{}, "settings.privateKey", "is required"},
		{"a key and a signer", `"privateKey":"file:merchant.pem","signer":{"kind":"pem","key":"file:merchant.pem"}`, providers.Options{}, "settings.signer", "give the key once"},
		{"a key and Options.Signer", `"privateKey":"file:merchant.pem"`, providers.Options{Signer: newMerchantKey(t)}, "Options.Signer", "give the key once"},
		{"an unknown signer kind", `"signer":{"kind":"pkcs11"}`, providers.Options{}, "settings.signer.kind", `unknown signer kind: "pkcs11" (known: counting, pem)`},
		{"a signer without a kind", `"signer":{"key":"file:merchant.pem"}`, providers.Options{}, "settings", "signer.kind is required"},
		{"an unknown pem setting", `"signer":{"kind":"pem","key":"file:merchant.pem","pin":"1234"}`, providers.Options{}, "settings.signer", `unknown field "pin"`},
		{"a pem signer without its key", `"signer":{"kind":"pem"}`, providers.Options{}, "settings.signer.key", "is required"},
		{"a pem signer with a public key", `"signer":{"kind":"pem","key":"file:alphapay.pub"}`, providers.Options{}, "settings.signer.key", "private key is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.load(t, reg, s.config(tc.key), tc.o)
			var ce *providers.ConfigError
			if !errors.As(err, &ce) || ce.Wallet != "ap" || ce.Field != tc.field || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v; want wallet ap, field %s, saying %q", err, tc.field, tc.says)
			}
			if strings.Contains(err.Error(), "MIIE") {
				t.Fatalf("the error shows key material: %v", err)
			}
		})
	}
	t.Run("PerWallet fails", func(t *testing.T) {
		_, err := s.load(t, reg, s.config(`"privateKey":"file:merchant.pem"`), providers.Options{
			PerWallet: func(name, kind string, o *providers.Options) error {
				if name == "wallet" {
					return errors.New("no KMS key for wallet")
				}
				return nil
			}})
		var ce *providers.ConfigError
		if !errors.As(err, &ce) || ce.Wallet != "wallet" || !strings.Contains(err.Error(), "no KMS key") {
			t.Fatalf("err = %v", err)
		}
	})
}

// A configuration trusts several provider public keys: while the provider
// changes its key, answers and notifications signed by the old and by the
// new key verify, and a key the configuration does not list fails.
func TestKeyRotationSettings(t *testing.T) {
	s := newSimulators(t)
	newKeys := [2]*rsa.PrivateKey{}
	for i := range newKeys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		newKeys[i] = k
	}
	s.write(t, "alphapay-2.pub", pubPEM(newKeys[0]))
	s.write(t, "wallet-2.pub", pubPEM(newKeys[0]))
	cfg := strings.NewReplacer(
		`"alphaPayPublicKey":"file:alphapay.pub"`, `"alphaPayPublicKeys":["file:alphapay.pub","file:alphapay-2.pub"]`,
		`"walletPublicKey":"file:wallet.pub"`, `"walletPublicKey":"file:wallet.pub","walletPublicKeys":["file:wallet-2.pub"]`,
	).Replace(s.config(`"privateKey":"file:merchant.pem","keyVersion":"1"`))
	w, err := s.load(t, providers.NewRegistry(), cfg, providers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	apPay := func() *payment.PayRequest {
		return &payment.PayRequest{PaymentRequestID: "ORDER-ROT", Scenario: payment.ScenarioQRCode, Method: payment.MethodWeChatPay,
			Amount: money.MustParse("1.00 CAD"), Description: "Tea"}
	}
	ap, _ := w.Get("ap")
	pay, err := ap.Pay(ctx, apPay())
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string, want error) {
		t.Helper()
		_, err := ap.Inquire(ctx, payment.Ref{PaymentID: pay.PaymentID})
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Fatalf("%s: an answer: %v", when, err)
		}
		src, err := w.Source("ap")
		if err != nil {
			t.Fatal(err)
		}
		req, err := s.ap.SignedNotification(pay.PaymentID, "https://shop.example/notify")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(req.Body)
		_, err = src.VerifyNotification(req.Header, req.URL.RequestURI(), body)
		if (want == nil) != (err == nil) {
			t.Fatalf("%s: a notification: %v", when, err)
		}
	}
	check("signed by the old key", nil)
	if err := s.ap.SetSigner(newKeys[0]); err != nil {
		t.Fatal(err)
	}
	check("signed by the new key", nil)
	if err := s.ap.SetSigner(newKeys[1]); err != nil {
		t.Fatal(err)
	}
	check("signed by an unknown key", payment.ErrUnknownOutcome)

	_, err = s.load(t, providers.NewRegistry(), strings.Replace(cfg, `"file:alphapay-2.pub"`, `"file:merchant.pem"`, 1), providers.Options{})
	var ce *providers.ConfigError
	if !errors.As(err, &ce) || ce.Field != "settings.alphaPayPublicKeys[1]" {
		t.Fatalf("a private key among the public keys: %v", err)
	}
	_, err = s.load(t, providers.NewRegistry(), strings.Replace(cfg, `"alphaPayPublicKeys":["file:alphapay.pub","file:alphapay-2.pub"]`, `"alphaPayPublicKeys":[]`, 1), providers.Options{})
	if !errors.As(err, &ce) || ce.Field != "settings.alphaPayPublicKey" {
		t.Fatalf("no public key: %v", err)
	}
}

// Source gives a wallet's notification handler source without a type
// assertion; a provider without notifications says so.
func TestSource(t *testing.T) {
	s := newSimulators(t)
	reg := providers.NewRegistry()
	if err := reg.Register("memory", func(context.Context, json.RawMessage, providers.Options) (payment.Provider, error) {
		return paymenttest.New(), nil
	}); err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(s.config(`"privateKey":"file:merchant.pem"`), `]}`, `,{"name":"mem","provider":"memory","settings":{}}]}`, 1)
	w, err := s.load(t, reg, cfg, providers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ap", "wallet"} {
		src, err := w.Source(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var _ http.Handler = notify.NewHandler(src, func(context.Context, payment.Event) error { return nil })
	}
	if _, err := w.Source("mem"); !errors.Is(err, providers.ErrNoNotifications) {
		t.Fatalf("a provider without notifications: %v", err)
	}
	if _, err := w.Source("nope"); !errors.Is(err, providers.ErrNoWallet) {
		t.Fatalf("an unknown wallet: %v", err)
	}
}

// callCounter is an observe.Observer that counts pay calls.
type callCounter struct {
	observe.Base
	pays atomic.Int32
}

func (c *callCounter) CallEnd(_ context.Context, call *observe.Call) {
	if call.Op == payment.OpPay {
		c.pays.Add(1)
	}
}

// One journal given to two wallets of one kind is refused: its entries name
// the kind, so a reconciler could not tell which wallet to ask. Wallets of
// different kinds may share one.
func TestLoadRefusesAJournalSharedWithinAKind(t *testing.T) {
	s := newSimulators(t)
	shared := journal.NewMemory()
	cfg := s.config(`"privateKey":"file:merchant.pem"`)
	i := strings.Index(cfg, `{"name":"wallet"`)
	entry := cfg[i : i+strings.Index(cfg[i:], "}}")+2]
	two := strings.Replace(cfg, entry, entry+",\n"+strings.Replace(entry, `"name":"wallet"`, `"name":"wallet2"`, 1), 1)
	_, err := s.load(t, providers.NewRegistry(), two, providers.Options{Journal: shared})
	var ce *providers.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Options.Journal" || !strings.Contains(err.Error(), "PerWallet") {
		t.Fatalf("Load = %v, want a ConfigError on Options.Journal", err)
	}
	if _, err := s.load(t, providers.NewRegistry(), cfg, providers.Options{Journal: shared}); err != nil {
		t.Fatalf("wallets of different kinds sharing a journal: %v", err)
	}
	perWallet := providers.Options{PerWallet: func(name, kind string, o *providers.Options) error {
		o.Journal = journal.NewMemory()
		return nil
	}}
	if _, err := s.load(t, providers.NewRegistry(), two, perWallet); err != nil {
		t.Fatalf("a journal per wallet: %v", err)
	}
}
