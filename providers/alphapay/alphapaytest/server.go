package alphapaytest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
)

// DefaultMerchantCode is the merchant code of a server created without
// WithMerchantCode.
const DefaultMerchantCode = "PFA9QX"

// Defaults of the options.
const (
	defaultDomain  = "CAD"
	defaultCNYRate = "0.19"
	defaultExpiry  = 5 * time.Minute
)

// Server is a running simulated AlphaPay: the six v2 endpoints, the cashier
// page and the notification sender, over one in-memory merchant account.
// All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the started server, e.g.
	// http://127.0.0.1:12345, with no trailing slash. It is empty until
	// Start or StartTLS.
	URL string

	cfg         config
	clock       payment.Clock
	log         *slog.Logger
	merchantKey *rsa.PrivateKey
	keys        atomic.Pointer[serverKeys]
	cnyRate     *big.Rat
	ts          *httptest.Server
	handler     http.Handler

	// ctx is cancelled and done closed by Close: they end notification
	// POSTs, retry waits and scripted hangs, so Close never waits on a
	// clock that does not move or a client that does not give up.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup // delivery goroutines

	mu                 sync.Mutex
	closed             bool
	payments           map[string]*order  // by paymentId
	byRequestID        map[string]*order  // by paymentRequestId
	orderCount         map[string]int     // by paymentRequestId
	charges            map[string]int     // by paymentRequestId
	refunds            map[string]*refund // by refundId
	refundsByRequestID map[string]*refund // by refundRequestId
	cards              map[string]string  // remembered cards: cardId → card.customerId
	nonces             map[string]time.Time
	nonceInserts       int
	requests           map[string][]RecordedRequest
	requestCount       int
	scripts            map[string][]Fault
	deliveries         []Delivery
	deliveryCh         chan struct{} // closed and replaced on every new delivery
}

// Credentials is what a merchant's client needs to talk to the server, and
// the keys of the other side for tests that forge messages.
type Credentials struct {
	// BaseURL is the server's URL.
	BaseURL string
	// MerchantCode is the merchant code the server accepts.
	MerchantCode string
	// MerchantPrivateKey is the PKCS#8 PEM key the merchant signs requests
	// with.
	MerchantPrivateKey string
	// MerchantPublicKey is the PEM public key the server verifies requests
	// with (what a merchant uploads to the AlphaPay dashboard).
	MerchantPublicKey string
	// AlphaPayPublicKey is the PEM public key the merchant verifies answers
	// and notifications with.
	AlphaPayPublicKey string
	// AlphaPayPrivateKey is the PKCS#8 PEM key the server signs answers and
	// notifications with, for tests that forge them.
	AlphaPayPrivateKey string
}

// An Option configures a Server.
type Option func(*config)

type config struct {
	clock        payment.Clock
	merchantCode string
	merchantPEM  string
	alphaPayPEM  string
	keysSet      bool
	domain       string
	cnyRate      string
	expiry       time.Duration
	notifyClient *http.Client
	logger       *slog.Logger
	addr         string
	autoComplete bool
	strictReplay bool
	notifyPath   bool

	// Test hooks: called after an API request is recorded and when its
	// handler returns.
	onRecorded, onAPIDone func(path string)
}

// WithStrictReplay sets how a repeat of a paid order's pay request is
// answered. AlphaPay documents that a repeat returns "the existing order"
// but not the result it carries: by default (false) the simulator answers S
// SUCCESS; with true it answers U PAYMENT_IN_PROCESS with the order's
// payment info, as a strict reading of the code's documented meaning has
// it. A client must be correct under both; payment.Resolve is, because it
// takes the status from an inquiry.
func WithStrictReplay(on bool) Option { return func(cfg *config) { cfg.strictReplay = on } }

// WithNotifyPathOnly sets which URI notifications are signed over. AlphaPay
// documents "the path of the notify URL", while the signing description
// both providers share speaks of the path "plus query string": by default
// (false) the simulator signs the notify URL's path and query, with true its
// path alone. The two differ only for a notify URL with a query; a receiver
// must accept both (package notify does).
func WithNotifyPathOnly(on bool) Option { return func(cfg *config) { cfg.notifyPath = on } }

// WithClock sets the clock for order expiry, the Request-Time window,
// every timestamp and the notification retry schedule. The default is the
// system clock. Scripted Delay faults always wait in real time.
func WithClock(c payment.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithMerchantCode sets the merchant code the server accepts
// (DefaultMerchantCode otherwise).
func WithMerchantCode(code string) Option { return func(cfg *config) { cfg.merchantCode = code } }

// WithKeys sets the merchant's and AlphaPay's private keys, as PEM (PKCS#8
// or PKCS#1) or bare base64 DER. The keys are parsed by the constructor,
// which panics if one is invalid, as httptest panics when it cannot listen.
// By default every server uses one pair of RSA-2048 keys generated once
// per process.
func WithKeys(merchantPrivatePEM, alphaPayPrivatePEM string) Option {
	return func(cfg *config) {
		cfg.merchantPEM, cfg.alphaPayPEM, cfg.keysSet = merchantPrivatePEM, alphaPayPrivatePEM, true
	}
}

// WithDomain sets the merchant's domain currency, "CAD" (the default) or
// "USD": orders may be in that currency or in CNY. The constructor panics
// on any other value.
func WithDomain(currency string) Option { return func(cfg *config) { cfg.domain = currency } }

// WithCNYRate sets how many CAD one CNY is worth, as a decimal string
// (default "0.19"). A CNY order worth 0.01 CAD or less is created, but its
// payment fails when the customer completes it. The constructor
// panics if the rate is not a positive decimal.
func WithCNYRate(cadPerCNY string) Option { return func(cfg *config) { cfg.cnyRate = cadPerCNY } }

// WithExpiry sets how long an unpaid order lives before it is CLOSED
// (default 5 minutes). A value <= 0 means the default.
func WithExpiry(d time.Duration) Option { return func(cfg *config) { cfg.expiry = d } }

// WithNotifyClient sets the client notifications are POSTed with (default:
// a plain client with a 30 s timeout).
func WithNotifyClient(c *http.Client) Option { return func(cfg *config) { cfg.notifyClient = c } }

// WithLogger sets a logger for one Debug line per request and per
// notification attempt. Nothing secret is logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithAddr sets the address Start and StartTLS listen on, such as
// "127.0.0.1:8081", instead of a free loopback port. Start panics if it
// cannot listen there.
func WithAddr(addr string) Option { return func(cfg *config) { cfg.addr = addr } }

// WithAutoComplete makes the customer pay every new order at once, right
// after the pay answer (which still says PAYMENT_IN_PROCESS) is built: a
// convenience for sandboxes without a person at the cashier page. Off by
// default.
func WithAutoComplete(on bool) Option { return func(cfg *config) { cfg.autoComplete = on } }

type keyPair struct{ merchant, alphaPay *rsa.PrivateKey }

// defaultKeys are generated once per process: RSA key generation takes tens
// of milliseconds, and the keys are immutable, so every server may share
// them.
var defaultKeys = sync.OnceValue(func() keyPair {
	var kp keyPair
	var wg sync.WaitGroup
	gen := func(dst **rsa.PrivateKey) {
		defer wg.Done()
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("alphapaytest: generating an RSA key: " + err.Error())
		}
		*dst = k
	}
	wg.Add(2)
	go gen(&kp.merchant)
	go gen(&kp.alphaPay)
	wg.Wait()
	return kp
})

// NewServer returns a started server on a loopback port with plain HTTP.
// The caller should Close it when finished.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewTLSServer returns a started server with TLS, using httptest's
// self-signed certificate; Client trusts it.
func NewTLSServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.StartTLS()
	return s
}

// NewUnstartedServer returns a server that is not listening yet: call
// Start or StartTLS, or serve Handler elsewhere. It panics if an option's
// value is invalid (a bad key, domain or rate).
func NewUnstartedServer(opts ...Option) *Server {
	cfg := config{
		merchantCode: DefaultMerchantCode,
		domain:       defaultDomain,
		cnyRate:      defaultCNYRate,
		expiry:       defaultExpiry,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.merchantCode == "" {
		cfg.merchantCode = DefaultMerchantCode
	}
	if cfg.expiry <= 0 {
		cfg.expiry = defaultExpiry
	}
	if cfg.domain != "CAD" && cfg.domain != "USD" {
		panic(`alphapaytest: WithDomain: want "CAD" or "USD"`)
	}
	rate, ok := parseRate(cfg.cnyRate)
	if !ok {
		panic("alphapaytest: WithCNYRate: want a positive decimal such as 0.19")
	}
	if cfg.notifyClient == nil {
		cfg.notifyClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var kp keyPair
	if cfg.keysSet {
		var err error
		if kp.merchant, err = signing.ParsePrivateKey(cfg.merchantPEM); err != nil {
			// signing's errors never contain key material.
			panic("alphapaytest: WithKeys: merchant key: " + err.Error())
		}
		if kp.alphaPay, err = signing.ParsePrivateKey(cfg.alphaPayPEM); err != nil {
			panic("alphapaytest: WithKeys: AlphaPay key: " + err.Error())
		}
	} else {
		kp = defaultKeys()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:                cfg,
		clock:              payment.OrSystem(cfg.clock),
		log:                cfg.logger,
		merchantKey:        kp.merchant,
		cnyRate:            rate,
		ctx:                ctx,
		cancel:             cancel,
		done:               make(chan struct{}),
		payments:           map[string]*order{},
		byRequestID:        map[string]*order{},
		orderCount:         map[string]int{},
		charges:            map[string]int{},
		refunds:            map[string]*refund{},
		refundsByRequestID: map[string]*refund{},
		cards:              map[string]string{},
		nonces:             map[string]time.Time{},
		requests:           map[string][]RecordedRequest{},
		scripts:            map[string][]Fault{},
		deliveryCh:         make(chan struct{}),
	}
	s.keys.Store(&serverKeys{signer: kp.alphaPay, merchant: map[string]*rsa.PublicKey{defaultKeyVersion: &kp.merchant.PublicKey}})
	s.handler = s.newHandler()
	s.ts = httptest.NewUnstartedServer(s.handler)
	return s
}

// parseRate accepts digits with an optional fraction, greater than zero.
func parseRate(s string) (*big.Rat, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (strings.Contains(s, ".") && (frac == "" || !allDigits(frac))) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return nil, false
	}
	return r, true
}

func (s *Server) listen() {
	if s.cfg.addr == "" {
		return
	}
	l, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		panic("alphapaytest: failed to listen on " + s.cfg.addr + ": " + err.Error())
	}
	s.ts.Listener.Close()
	s.ts.Listener = l
}

// Start starts the server with plain HTTP and sets URL. It panics if the
// server was already started.
func (s *Server) Start() {
	s.listen()
	s.ts.Start()
	s.URL = s.ts.URL
}

// StartTLS starts the server with TLS and sets URL. It panics if the server
// was already started.
func (s *Server) StartTLS() {
	s.listen()
	s.ts.StartTLS()
	s.URL = s.ts.URL
}

// Close stops the server: it ends scripted hangs and delays, stops every
// notification delivery (also ones waiting on a clock that never moves) and
// waits for in-flight requests and delivery goroutines to finish. Close
// may be called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	first := !s.closed
	s.closed = true
	s.mu.Unlock()
	if first {
		close(s.done)
		s.cancel()
	}
	s.ts.Close()
	s.wg.Wait()
}

// Client returns an HTTP client configured for the server: for a TLS
// server it trusts the certificate. It is nil before Start or StartTLS.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Certificate returns the TLS server's certificate, or nil for a plain
// HTTP server: write it out for clients in other processes to trust.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// Handler returns the server's handler, to serve it elsewhere (mounted at
// the root of the host: signatures cover the request path). Payment and
// cashier URLs then use the request's host unless URL is set.
func (s *Server) Handler() http.Handler { return s.handler }

// Credentials returns the merchant's configuration for this server: the
// merchant's key of keyVersion "1", and AlphaPay's current public key (and
// private key, unless it is a signer set with SetSigner that keeps it).
func (s *Server) Credentials() Credentials {
	k := s.keys.Load()
	apPriv, _ := k.signer.(*rsa.PrivateKey)
	apPub, _ := signing.SignerPublicKey(k.signer)
	return Credentials{
		BaseURL:            s.URL,
		MerchantCode:       s.cfg.merchantCode,
		MerchantPrivateKey: string(signing.PrivateKeyPEM(s.merchantKey)),
		MerchantPublicKey:  string(signing.PublicKeyPEM(&s.merchantKey.PublicKey)),
		AlphaPayPublicKey:  string(signing.PublicKeyPEM(apPub)),
		AlphaPayPrivateKey: string(signing.PrivateKeyPEM(apPriv)),
	}
}

// defaultKeyVersion is the keyVersion of the merchant key the server is
// made with.
const defaultKeyVersion = "1"

// serverKeys are the keys in use; SetSigner and AddMerchantKey replace
// them as a whole, so a request sees one consistent set.
type serverKeys struct {
	signer   crypto.Signer             // AlphaPay's: answers and notifications
	merchant map[string]*rsa.PublicKey // the merchant's, by keyVersion
}

// SetSigner makes the server sign its answers and notifications with
// signer from now on, as AlphaPay does once it has changed its key
// (docs/key-rotation.md): a merchant that trusts only the old public key
// then refuses them, one that trusts both accepts them. signer is any
// crypto.Signer with an RSA key of 2048 bits or more, such as an
// *rsa.PrivateKey or a test's counting signer. Credentials shows its public
// key from then on.
func (s *Server) SetSigner(signer crypto.Signer) error {
	if _, err := signing.SignerPublicKey(signer); err != nil {
		return fmt.Errorf("alphapaytest: SetSigner: %w", err)
	}
	for {
		old := s.keys.Load()
		k := &serverKeys{signer: signer, merchant: old.merchant}
		if s.keys.CompareAndSwap(old, k) {
			return nil
		}
	}
}

// AddMerchantKey registers another public key of the merchant under
// keyVersion, as a merchant uploads a new key to the AlphaPay dashboard
// (docs/key-rotation.md): requests whose Signature header carries that
// keyVersion are verified with it. The merchant key the server was made
// with has keyVersion "1"; replacing a version's key is allowed, as a
// dashboard allows it. A request with a keyVersion the server does not
// know is answered INVALID_SIGN.
func (s *Server) AddMerchantKey(keyVersion, publicKeyPEM string) error {
	if keyVersion == "" || strings.ContainsAny(keyVersion, ", =") {
		return errors.New("alphapaytest: AddMerchantKey: keyVersion must be a non-empty token")
	}
	pub, err := signing.ParsePublicKey(publicKeyPEM)
	if err != nil {
		return fmt.Errorf("alphapaytest: AddMerchantKey: %w", err)
	}
	for {
		old := s.keys.Load()
		k := &serverKeys{signer: old.signer, merchant: maps.Clone(old.merchant)}
		k.merchant[keyVersion] = pub
		if s.keys.CompareAndSwap(old, k) {
			return nil
		}
	}
}

// RecordedRequest is one request the server received on an API endpoint.
type RecordedRequest struct {
	// Time is the server clock's time on arrival.
	Time time.Time
	// Nonce and RequestTime are the request's header values.
	Nonce, RequestTime string
	// Header is a copy of the request's headers.
	Header http.Header
	// Body is the request body as received (at most 256 KiB).
	Body []byte
	// Result is the result the server answered with; it is zero if the
	// answer was a scripted HTTP fault, hang or dropped connection, or if
	// the client went away first.
	Result payment.Result
}

// Requests returns every request received on an endpoint path (wire.PathPay
// and the others), in arrival order, including rejected ones.
func (s *Server) Requests(path string) []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedRequest, len(s.requests[path]))
	for i, r := range s.requests[path] {
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// RequestCount returns how many requests the API endpoints received.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requestCount
}

// Fault is a scripted misbehaviour for one request of an endpoint; see
// Script. Fields combine where it makes sense: Delay happens first; then
// Hang, DropBefore, HTTPStatus and Result replace processing (in that order
// of precedence); the other fields alter a normally processed answer.
type Fault struct {
	// Result answers with this result (status, code, message) instead of
	// processing the request (no state change), signed. The request is
	// still verified first: a badly signed request gets INVALID_SIGN.
	Result *payment.Result
	// HTTPStatus answers with this HTTP status and a plain-text body, before
	// verification (no state change).
	HTTPStatus int
	// RetryAfter is sent as the Retry-After header with HTTPStatus.
	RetryAfter string
	// Delay waits this long in real time before handling the request, or
	// until the client goes away (then nothing happens).
	Delay time.Duration
	// Hang blocks until the client gives up; no state change.
	Hang bool
	// DropBefore closes the connection without answering, before any state
	// change.
	DropBefore bool
	// DropAfter processes the request normally (state changes), then
	// closes the connection without answering.
	DropAfter bool
	// NoSignature processes normally and answers without the Signature
	// header.
	NoSignature bool
	// BadSignature processes normally and answers with a signature that
	// does not verify.
	BadSignature bool
	// TamperBody processes normally, signs, then changes a byte of the
	// body (the body stays valid JSON).
	TamperBody bool
	// ChangeAmount processes normally and answers with the order's or
	// refund's amount value one minor unit higher, correctly signed.
	ChangeAmount bool
}

// Script queues faults for the next requests on an endpoint path
// (wire.PathPay and the others): each request takes the next fault, in
// order, until the queue is empty. Calls append to the queue.
func (s *Server) Script(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[path] = append(s.scripts[path], faults...)
}
