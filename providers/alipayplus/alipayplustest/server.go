package alipayplustest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// Defaults of the options.
const (
	// DefaultClientID is the Client-Id of a server created without
	// WithClientID.
	DefaultClientID = "2022091516250500001"
	// DefaultPrefix is the path prefix of a server created without
	// WithPrefix (the generic Alipay+ wallet's).
	DefaultPrefix = "/api"
	// DefaultKeyVersion is the keyVersion of a server created without
	// WithKeyVersion.
	DefaultKeyVersion = "1"

	defaultCancelWindow = 24 * time.Hour
	defaultExpiry       = 15 * time.Minute
)

// Spellings of the redirect action form's URL field (WithRedirectField,
// Fault.RedirectField).
const (
	// RedirectionURL is the generic wallets' "redirectionUrl".
	RedirectionURL = "redirectionUrl"
	// RedirectURL is Super Qi's "redirectUrl".
	RedirectURL = "redirectUrl"
)

// Notification body shapes (WithNotificationShape).
const (
	// ShapeA carries paymentStatus and paymentFailReason, as the wallets
	// document.
	ShapeA = "A"
	// ShapeB carries paymentResult and paymentCreateTime, as the wallets
	// document.
	ShapeB = "B"
	// ShapeC is B as Alipay's official SDK models it
	// (request/notify/AlipayPayResultNotify.go of
	// github.com/alipay/global-open-sdk-go): notifyType PAYMENT_RESULT and
	// the payment's result in result rather than paymentResult.
	ShapeC = "C"
)

// Server is a running simulated Alipay+ wallet: the five v1 payment
// endpoints under a prefix, the cashier page and the notification sender,
// over one in-memory merchant account. All methods are safe for concurrent
// use.
type Server struct {
	// URL is the base URL of the started server, e.g.
	// http://127.0.0.1:12345, with no trailing slash and without the
	// prefix. It is empty until Start or StartTLS.
	URL string

	cfg         config
	clock       payment.Clock
	log         *slog.Logger
	merchantKey *rsa.PrivateKey
	keys        atomic.Pointer[serverKeys]
	currencies  map[string]bool // nil: every currency money knows
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
	requests           map[string][]RecordedRequest
	requestCount       int
	scripts            map[string][]Fault
	deliveries         []Delivery
	deliveryCh         chan struct{} // closed and replaced on every new delivery
}

// Credentials is what a merchant's client needs to talk to the server, and
// the keys of the other side for tests that forge messages.
type Credentials struct {
	// BaseURL is the server's URL, without the prefix.
	BaseURL string
	// Prefix is the path between BaseURL and the endpoint paths, such as
	// "/api"; it may be empty.
	Prefix string
	// ClientID is the Client-Id the server accepts.
	ClientID string
	// KeyVersion is the keyVersion the merchant's Signature header must
	// carry, and the one the wallet's answers carry.
	KeyVersion string
	// MerchantPrivateKey is the PKCS#8 PEM key the merchant signs requests
	// with.
	MerchantPrivateKey string
	// MerchantPublicKey is the PEM public key the server verifies requests
	// with (what a merchant uploads to the wallet's portal).
	MerchantPublicKey string
	// WalletPublicKey is the PEM public key the merchant verifies answers
	// and notifications with.
	WalletPublicKey string
	// WalletPrivateKey is the PKCS#8 PEM key the server signs answers and
	// notifications with, for tests that forge them.
	WalletPrivateKey string
}

// An Option configures a Server.
type Option func(*config)

type config struct {
	clock             payment.Clock
	prefix            string
	clientID          string
	keyVersion        string
	merchantPEM       string
	walletPEM         string
	keysSet           bool
	currencies        []string
	cancelWindow      time.Duration
	expiry            time.Duration
	redirectField     string
	acceptStatus      string
	notificationShape string
	rawSignature      bool
	unsignedFailures  bool
	strictRequestTime bool
	answerAmounts     bool
	notifyPathOnly    bool
	notifyClient      *http.Client
	logger            *slog.Logger
	addr              string
	autoComplete      bool

	// Test hooks: called after an API request is recorded and when its
	// handler returns.
	onRecorded, onAPIDone func(path string)
}

// WithClock sets the clock for payment expiry, the cancel window, the
// Request-Time window, every timestamp and the notification retry
// schedule. The default is the system clock. Scripted Delay faults always
// wait in real time.
func WithClock(c payment.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithPrefix sets the path prefix of the endpoints: "/api" (the default),
// "" (Super Qi: /v1/payments/pay) or "/miniprogram/api" (GCash). A
// trailing slash is dropped. The constructor panics if the prefix does not
// start with a slash or holds characters other than letters, digits and
// "-._~/", or if it would hide the cashier page under /cashier.
func WithPrefix(p string) Option { return func(cfg *config) { cfg.prefix = p } }

// WithClientID sets the Client-Id the server accepts (DefaultClientID
// otherwise).
func WithClientID(id string) Option { return func(cfg *config) { cfg.clientID = id } }

// WithKeyVersion sets the keyVersion requests must be signed with and
// answers are signed with (DefaultKeyVersion otherwise).
func WithKeyVersion(v string) Option { return func(cfg *config) { cfg.keyVersion = v } }

// WithKeys sets the merchant's and the wallet's private keys, as PEM
// (PKCS#8 or PKCS#1) or bare base64 DER. The keys are parsed by the
// constructor, which panics if one is invalid, as httptest panics when it
// cannot listen. By default every server uses one pair of RSA-2048 keys
// generated once per process.
func WithKeys(merchantPrivatePEM, walletPrivatePEM string) Option {
	return func(cfg *config) {
		cfg.merchantPEM, cfg.walletPEM, cfg.keysSet = merchantPrivatePEM, walletPrivatePEM, true
	}
}

// WithCurrencies limits the currencies of payments to the given ISO 4217
// codes; others are answered CURRENCY_NOT_SUPPORT. By default every
// currency the money package knows is accepted. The constructor panics on
// a code money does not know.
func WithCurrencies(codes ...string) Option {
	return func(cfg *config) { cfg.currencies = append([]string(nil), codes...) }
}

// WithCancelWindow sets how long after its payment time a paid payment may
// still be cancelled (reversed in full); later cancels are answered
// CANCEL_WINDOW_EXCEED. The default is 24 hours; a value <= 0 means the
// default.
func WithCancelWindow(d time.Duration) Option { return func(cfg *config) { cfg.cancelWindow = d } }

// WithExpiry sets how long an unpaid cashier payment lives before it is
// CANCELLED (default 15 minutes), unless the pay request sets
// paymentExpiryTime. A value <= 0 means the default.
func WithExpiry(d time.Duration) Option { return func(cfg *config) { cfg.expiry = d } }

// WithRedirectField sets how the redirect action form spells its URL:
// RedirectionURL ("redirectionUrl", the default) or RedirectURL
// ("redirectUrl", as Super Qi answers). The constructor panics on any
// other value.
func WithRedirectField(name string) Option { return func(cfg *config) { cfg.redirectField = name } }

// WithAcceptStatus sets the result of a new cashier payment: "S" (the
// default) answers S SUCCESS with a redirectActionForm, as the documented
// example does; "A" answers A ACCEPT with the form. The constructor panics
// on any other value.
func WithAcceptStatus(status string) Option { return func(cfg *config) { cfg.acceptStatus = status } }

// WithNotificationShape sets the body shape of payment notifications:
// ShapeB (the default), ShapeA or ShapeC. The constructor panics on any
// other value.
func WithNotificationShape(shape string) Option {
	return func(cfg *config) { cfg.notificationShape = shape }
}

// WithRawSignature makes the server send the signature of answers and
// notifications as raw base64, as some wallets do, instead of URL-encoded.
func WithRawSignature(on bool) Option { return func(cfg *config) { cfg.rawSignature = on } }

// WithUnsignedFailures makes the server send F and U answers without a
// Signature header; S and A answers stay signed. Whether a wallet may
// leave a refusal unsigned is not documented, and Alipay's official SDKs
// disagree: the Java SDK returns any answer without Signature or
// Response-Time unverified, the Go SDK rejects it. By default (false) every
// answer is signed.
func WithUnsignedFailures(on bool) Option { return func(cfg *config) { cfg.unsignedFailures = on } }

// WithAnswerAmounts makes pay answers carry paymentAmount and refund
// answers refundAmount. The wallets' documented answers name no amount
// (pay: result, paymentId, paymentTime, redirectActionForm; refund:
// result, refundId, refundTime), and by default (false) the server sends
// none. Alipay's official SDK models both (AlipayPayResponse and
// AlipayRefundResponse of github.com/alipay/global-open-sdk-go), so a
// wallet may add them; a client must not depend on them, and must hold an
// amount that is there to the request (the paybridge adapter does).
func WithAnswerAmounts(on bool) Option { return func(cfg *config) { cfg.answerAmounts = on } }

// WithNotifyPathOnly sets which URI notifications are signed over. The
// wallets document the notify URL's path; the signing rules the requests
// follow (and Alipay's SDKs, whose verifier takes the request URI from the
// caller) sign the path "plus query string". By default (false) the server
// signs the notify URL's path and query, with true its path alone. The two
// differ only for a notify URL with a query; a receiver must accept both
// (package notify does).
func WithNotifyPathOnly(on bool) Option { return func(cfg *config) { cfg.notifyPathOnly = on } }

// WithStrictRequestTime makes the server accept Request-Time only in the
// ISO 8601 form the wallets document (such as
// 2026-11-22T18:15:30.123+08:00). By default (false) it also accepts Unix
// time digits, as Alipay's official SDKs send it: milliseconds from the
// Java SDK, nanoseconds from the Go SDK (seconds and microseconds too).
// Either way the signature covers the header as sent. Which forms a wallet
// accepts is not documented: a client must send one both readings take
// (the paybridge adapter's default does).
func WithStrictRequestTime(on bool) Option { return func(cfg *config) { cfg.strictRequestTime = on } }

// WithNotifyClient sets the client notifications are POSTed with (default:
// a plain client with a 30 s timeout).
func WithNotifyClient(c *http.Client) Option { return func(cfg *config) { cfg.notifyClient = c } }

// WithLogger sets a logger for one Debug line per request and per
// notification attempt. Nothing secret is logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithAddr sets the address Start and StartTLS listen on, such as
// "127.0.0.1:8082", instead of a free loopback port. Start panics if it
// cannot listen there.
func WithAddr(addr string) Option { return func(cfg *config) { cfg.addr = addr } }

// WithAutoComplete makes the customer pay every new cashier payment at
// once, right after the pay answer (which still carries the action form)
// is built: a convenience for sandboxes without a person at the cashier
// page. Off by default.
func WithAutoComplete(on bool) Option { return func(cfg *config) { cfg.autoComplete = on } }

type keyPair struct{ merchant, wallet *rsa.PrivateKey }

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
			panic("alipayplustest: generating an RSA key: " + err.Error())
		}
		*dst = k
	}
	wg.Add(2)
	go gen(&kp.merchant)
	go gen(&kp.wallet)
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
// value is invalid (a bad key, prefix, currency or choice).
func NewUnstartedServer(opts ...Option) *Server {
	cfg := config{
		prefix:            DefaultPrefix,
		clientID:          DefaultClientID,
		keyVersion:        DefaultKeyVersion,
		cancelWindow:      defaultCancelWindow,
		expiry:            defaultExpiry,
		redirectField:     RedirectionURL,
		acceptStatus:      wire.StatusS,
		notificationShape: ShapeB,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	cfg.prefix = checkPrefix(cfg.prefix)
	if cfg.clientID == "" {
		cfg.clientID = DefaultClientID
	}
	if cfg.keyVersion == "" {
		cfg.keyVersion = DefaultKeyVersion
	}
	if cfg.cancelWindow <= 0 {
		cfg.cancelWindow = defaultCancelWindow
	}
	if cfg.expiry <= 0 {
		cfg.expiry = defaultExpiry
	}
	if cfg.redirectField != RedirectionURL && cfg.redirectField != RedirectURL {
		panic(`alipayplustest: WithRedirectField: want "redirectionUrl" or "redirectUrl"`)
	}
	if cfg.acceptStatus != wire.StatusS && cfg.acceptStatus != wire.StatusA {
		panic(`alipayplustest: WithAcceptStatus: want "S" or "A"`)
	}
	if cfg.notificationShape != ShapeA && cfg.notificationShape != ShapeB && cfg.notificationShape != ShapeC {
		panic(`alipayplustest: WithNotificationShape: want "A", "B" or "C"`)
	}
	var currencies map[string]bool
	if cfg.currencies != nil {
		currencies = map[string]bool{}
		for _, code := range cfg.currencies {
			if _, err := money.LookupCurrency(code); err != nil {
				panic("alipayplustest: WithCurrencies: " + err.Error())
			}
			currencies[code] = true
		}
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
			panic("alipayplustest: WithKeys: merchant key: " + err.Error())
		}
		if kp.wallet, err = signing.ParsePrivateKey(cfg.walletPEM); err != nil {
			panic("alipayplustest: WithKeys: wallet key: " + err.Error())
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
		currencies:         currencies,
		ctx:                ctx,
		cancel:             cancel,
		done:               make(chan struct{}),
		payments:           map[string]*order{},
		byRequestID:        map[string]*order{},
		orderCount:         map[string]int{},
		charges:            map[string]int{},
		refunds:            map[string]*refund{},
		refundsByRequestID: map[string]*refund{},
		requests:           map[string][]RecordedRequest{},
		scripts:            map[string][]Fault{},
		deliveryCh:         make(chan struct{}),
	}
	s.keys.Store(&serverKeys{signer: kp.wallet, merchant: map[string]*rsa.PublicKey{cfg.keyVersion: &kp.merchant.PublicKey}})
	s.handler = s.newHandler()
	s.ts = httptest.NewUnstartedServer(s.handler)
	return s
}

// checkPrefix normalizes and validates WithPrefix's value.
func checkPrefix(p string) string {
	p = strings.TrimRight(p, "/")
	if p == "" {
		return ""
	}
	if p[0] != '/' {
		panic(`alipayplustest: WithPrefix: the prefix must start with "/"`)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~/", c) >= 0:
		default:
			panic("alipayplustest: WithPrefix: the prefix may hold only letters, digits and -._~/")
		}
	}
	if strings.Contains(p, "//") {
		panic("alipayplustest: WithPrefix: the prefix has an empty segment")
	}
	if p == "/cashier" || strings.HasPrefix(p, "/cashier/") {
		panic("alipayplustest: WithPrefix: /cashier is the cashier page's path")
	}
	return p
}

func (s *Server) listen() {
	if s.cfg.addr == "" {
		return
	}
	l, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		panic("alipayplustest: failed to listen on " + s.cfg.addr + ": " + err.Error())
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

// Handler returns the server's handler, to serve it elsewhere (mounted at
// the root of the host: signatures cover the request path). Cashier URLs
// then use the request's host unless URL is set.
func (s *Server) Handler() http.Handler { return s.handler }

// Credentials returns the merchant's configuration for this server: the
// merchant's key of the server's keyVersion, and the wallet's current
// public key (and private key, unless it is a signer set with SetSigner
// that keeps it).
func (s *Server) Credentials() Credentials {
	k := s.keys.Load()
	walletPriv, _ := k.signer.(*rsa.PrivateKey)
	walletPub, _ := signing.SignerPublicKey(k.signer)
	return Credentials{
		BaseURL:            s.URL,
		Prefix:             s.cfg.prefix,
		ClientID:           s.cfg.clientID,
		KeyVersion:         s.cfg.keyVersion,
		MerchantPrivateKey: string(signing.PrivateKeyPEM(s.merchantKey)),
		MerchantPublicKey:  string(signing.PublicKeyPEM(&s.merchantKey.PublicKey)),
		WalletPublicKey:    string(signing.PublicKeyPEM(walletPub)),
		WalletPrivateKey:   string(signing.PrivateKeyPEM(walletPriv)),
	}
}

// serverKeys are the keys in use; SetSigner and AddMerchantKey replace
// them as a whole, so a request sees one consistent set.
type serverKeys struct {
	signer   crypto.Signer             // the wallet's: answers and notifications
	merchant map[string]*rsa.PublicKey // the merchant's, by keyVersion
}

// SetSigner makes the server sign its answers and notifications with
// signer from now on, as a wallet does once it has changed its key
// (docs/key-rotation.md): a merchant that trusts only the old public key
// then refuses them, one that trusts both accepts them. signer is any
// crypto.Signer with an RSA key of 2048 bits or more, such as an
// *rsa.PrivateKey or a test's counting signer. Credentials shows its public
// key from then on.
func (s *Server) SetSigner(signer crypto.Signer) error {
	if _, err := signing.SignerPublicKey(signer); err != nil {
		return fmt.Errorf("alipayplustest: SetSigner: %w", err)
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
// keyVersion, as a merchant registers a new key with the wallet
// (docs/key-rotation.md): requests whose Signature header carries that
// keyVersion are verified with it. The merchant key the server was made
// with has the server's keyVersion (WithKeyVersion); replacing a version's
// key is allowed. A request with a keyVersion the server does not know is
// answered KEY_NOT_FOUND.
func (s *Server) AddMerchantKey(keyVersion, publicKeyPEM string) error {
	if keyVersion == "" || strings.ContainsAny(keyVersion, ", =") {
		return errors.New("alipayplustest: AddMerchantKey: keyVersion must be a non-empty token")
	}
	pub, err := signing.ParsePublicKey(publicKeyPEM)
	if err != nil {
		return fmt.Errorf("alipayplustest: AddMerchantKey: %w", err)
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

// RecordedRequest is one POST the server received under its prefix.
type RecordedRequest struct {
	// Time is the server clock's time on arrival.
	Time time.Time
	// RequestTime is the request's Request-Time header.
	RequestTime string
	// Header is a copy of the request's headers.
	Header http.Header
	// Body is the request body as received (at most 256 KiB).
	Body []byte
	// Result is the result the server answered with; it is zero if the
	// answer was a scripted HTTP fault, hang or dropped connection, or if
	// the client went away first.
	Result payment.Result
}

// Requests returns every request received on an endpoint path, given
// without the prefix (wire.PathPay and the others), in arrival order,
// including rejected ones. POSTs to unknown paths under the prefix are
// recorded under their path too.
func (s *Server) Requests(path string) []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedRequest, len(s.requests[path]))
	for i, r := range s.requests[path] {
		r.Body = append([]byte(nil), r.Body...)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// RequestCount returns how many POSTs under the prefix the server
// received.
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
	// Result answers with this result object (resultStatus, resultCode,
	// resultMessage) instead of processing the request (no state change),
	// signed unless WithUnsignedFailures applies to it. Any status may be
	// scripted, also one the protocol does not define. The request is
	// still verified first: a badly signed request gets INVALID_SIGNATURE.
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
	// ChangeAmount processes normally and answers with the payment's or
	// refund's amount value one minor unit higher, correctly signed: a
	// wallet stating a wrong amount. It affects the successful answers of
	// pay and refund, which then state the amount even without
	// WithAnswerAmounts, and of inquiryPayment and inquiryRefund.
	ChangeAmount bool
	// RedirectField overrides, for this answer, how a redirect action form
	// spells its URL: RedirectionURL or RedirectURL. Other values are
	// ignored.
	RedirectField string
}

// Script queues faults for the next requests on an endpoint path, given
// without the prefix (wire.PathPay and the others): each request takes the
// next fault, in order, until the queue is empty. Calls append to the
// queue.
func (s *Server) Script(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[path] = append(s.scripts[path], faults...)
}
