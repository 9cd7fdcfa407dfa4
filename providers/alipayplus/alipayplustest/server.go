package alipayplustest

import (
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
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
// a Fault's Variant).
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
//
// It embeds the simulator kit's server, which gives it URL (the base URL,
// without the prefix), the lifecycle (Start, StartTLS, Close, Client,
// Certificate, Handler), the faults (Script, Outage, ScriptNotifications;
// paths are given without the prefix), the request log (Requests,
// RequestCount), the notifications (Deliveries, AwaitDeliveries,
// SignedPost), the keys (SetSigner, AddMerchantKey), the customer controls
// (Complete, Decline, Expire) and the books (Orders, Charges,
// PaymentStatus, RefundCount, Refunds, RefundByRequestID, CashierURL).
type Server struct {
	*simulator.Server

	// Payment, PaymentByRequestID and Payments.
	simulator.Snapshots[PaymentSnapshot]

	cfg        config
	env        *familytest.Envelope
	family     familytest.Protocol
	clock      payment.Clock
	ledger     *simulator.Ledger
	currencies func(code string) bool // WithCurrencies
}

// The kit's types, under the names this package has always used.
type (
	// Fault is a scripted misbehaviour; see simulator.Fault and Script.
	// Its Variant may be RedirectionURL or RedirectURL: the answer's
	// redirect action form spells its URL so.
	Fault = simulator.Fault
	// RecordedRequest is one request the server received under its prefix
	// (Requests); RequestTime is its Request-Time header.
	RecordedRequest = simulator.Request
	// Delivery is one notification POST attempt (Deliveries).
	Delivery = simulator.Delivery
)

// KindPayment is the Kind of a payment notification delivery, the only
// notification an Alipay+ wallet sends.
const KindPayment = simulator.KindPayment

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
	simulator.Config
	prefix            string
	clientID          string
	keyVersion        string
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
}

// WithClock sets the clock for payment expiry, the cancel window, the
// Request-Time window, every timestamp and the notification retry
// schedule. The default is the system clock. Scripted Delay faults always
// wait in real time.
func WithClock(c payment.Clock) Option { return func(cfg *config) { cfg.Clock = c } }

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
		cfg.MerchantKeyPEM, cfg.ProviderKeyPEM, cfg.KeysSet = merchantPrivatePEM, walletPrivatePEM, true
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
func WithNotifyPathOnly(on bool) Option { return func(cfg *config) { cfg.NotifyPathOnly = on } }

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
func WithNotifyClient(c *http.Client) Option { return func(cfg *config) { cfg.NotifyClient = c } }

// WithLogger sets a logger for one Debug line per request and per
// notification attempt. Nothing secret is logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.Logger = l } }

// WithAddr sets the address Start and StartTLS listen on, such as
// "127.0.0.1:8082", instead of a free loopback port. Start panics if it
// cannot listen there.
func WithAddr(addr string) Option { return func(cfg *config) { cfg.Addr = addr } }

// WithAutoComplete makes the customer pay every new cashier payment at
// once, right after the pay answer (which still carries the action form)
// is built: a convenience for sandboxes without a person at the cashier
// page. Off by default.
func WithAutoComplete(on bool) Option { return func(cfg *config) { cfg.AutoComplete = on } }

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
	s := &Server{cfg: cfg, clock: payment.OrSystem(cfg.Clock), currencies: familytest.Currencies("alipayplustest", cfg.currencies)}
	s.env = &familytest.Envelope{
		ClientID: cfg.clientID, KeyVersion: cfg.keyVersion, Clock: s.clock,
		StrictRequestTime: cfg.strictRequestTime, RawSignature: cfg.rawSignature, UnsignedFailures: cfg.unsignedFailures,
		// s.Server is made below; the envelope asks it only while serving.
		MerchantKey: func(v string) (*rsa.PublicKey, bool) { return s.MerchantKey(v) },
	}
	s.family = familytest.Protocol{Envelope: s.env, Paths: apiPaths}
	s.ledger = simulator.NewLedger(simulator.LedgerConfig{
		Name: "alipayplustest", Clock: s.clock,
		// 32 digits: yyyyMMddHHmmss and 18 random ones, like the wallets'
		// long numeric IDs.
		IDLayout: "20060102150405", IDDigits: 18,
		DeclineReason: declineReason,
		Settled:       s.notifyLocked,
	})
	s.Snapshots = simulator.NewSnapshots(s.ledger, snapshot)
	kc := cfg.Config
	kc.Name, kc.ProviderKeyName, kc.MerchantKeyVersion = "alipayplustest", "wallet", cfg.keyVersion
	kc.Protocol, kc.Ledger, kc.Cashier = (*protocol)(s), s.ledger, cashier
	kc.RequestTimeHeader, kc.SignatureHeader = wire.HeaderRequestTime, wire.HeaderSignature
	s.Server = simulator.NewUnstartedServer(kc)
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

// Credentials returns the merchant's configuration for this server: the
// merchant's key of the server's keyVersion, and the wallet's current
// public key (and private key, unless it is a signer set with SetSigner
// that keeps it).
func (s *Server) Credentials() Credentials {
	k := s.KeyPEMs()
	return Credentials{
		BaseURL:            s.URL,
		Prefix:             s.cfg.prefix,
		ClientID:           s.cfg.clientID,
		KeyVersion:         s.cfg.keyVersion,
		MerchantPrivateKey: k.MerchantPrivate,
		MerchantPublicKey:  k.MerchantPublic,
		WalletPublicKey:    k.ProviderPublic,
		WalletPrivateKey:   k.ProviderPrivate,
	}
}

// Format and MarshalJSON show Credentials with the private keys redacted
// (payment.Redact) in fmt, log/slog and encoding/json, for tests and the
// sandbox that log them: WithKeys may be given a merchant's own keys.
func (c Credentials) Format(f fmt.State, verb rune) {
	simulator.FormatRedacted(f, verb, c, credentialSecrets...)
}
func (c Credentials) MarshalJSON() ([]byte, error) {
	return simulator.MarshalRedacted(c, credentialSecrets...)
}

var credentialSecrets = []string{"MerchantPrivateKey", "WalletPrivateKey"}
