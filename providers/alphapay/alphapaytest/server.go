package alphapaytest

import (
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/simulator"
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
//
// It embeds the simulator kit's server, which gives it URL, the lifecycle
// (Start, StartTLS, Close, Client, Certificate, Handler), the faults
// (Script, Outage, ScriptNotifications), the request log (Requests,
// RequestCount), the notifications (Deliveries, AwaitDeliveries,
// SignedPost), the keys (SetSigner, AddMerchantKey), the customer controls
// (Complete, Decline, Expire) and the books (Orders, Charges,
// PaymentStatus, RefundCount, Refunds, RefundByRequestID, CashierURL).
type Server struct {
	*simulator.Server
	// Payment, PaymentByRequestID and Payments.
	simulator.Snapshots[PaymentSnapshot]

	cfg     config
	clock   payment.Clock
	ledger  *simulator.Ledger
	cnyRate *big.Rat
	nonces  nonces
	cards   map[string]string // remembered cards: cardId → card.customerId; under the ledger's lock
}

// The kit's types, under the names this package has always used.
type (
	// Fault is a scripted misbehaviour; see simulator.Fault and Script.
	Fault = simulator.Fault
	// RecordedRequest is one request the server received on an API
	// endpoint (Requests); Nonce and RequestTime are its headers.
	RecordedRequest = simulator.Request
	// Delivery is one notification POST attempt (Deliveries).
	Delivery = simulator.Delivery
)

// Delivery kinds.
const (
	KindPayment = simulator.KindPayment
	KindRefund  = simulator.KindRefund
)

// Errors of the customer controls, matched with errors.Is.
var (
	// ErrNotFound reports an unknown payment or refund ID.
	ErrNotFound = simulator.ErrNotFound
	// ErrInvalidTransition reports a customer action the payment's status
	// does not allow, such as completing a closed payment.
	ErrInvalidTransition = simulator.ErrInvalidTransition
)

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
	simulator.Config
	merchantCode string
	domain       string
	cnyRate      string
	expiry       time.Duration
	strictReplay bool
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
func WithNotifyPathOnly(on bool) Option { return func(cfg *config) { cfg.NotifyPathOnly = on } }

// WithClock sets the clock for order expiry, the Request-Time window,
// every timestamp and the notification retry schedule. The default is the
// system clock. Scripted Delay faults always wait in real time.
func WithClock(c payment.Clock) Option { return func(cfg *config) { cfg.Clock = c } }

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
		cfg.MerchantKeyPEM, cfg.ProviderKeyPEM, cfg.KeysSet = merchantPrivatePEM, alphaPayPrivatePEM, true
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
func WithNotifyClient(c *http.Client) Option { return func(cfg *config) { cfg.NotifyClient = c } }

// WithLogger sets a logger for one Debug line per request and per
// notification attempt. Nothing secret is logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.Logger = l } }

// WithAddr sets the address Start and StartTLS listen on, such as
// "127.0.0.1:8081", instead of a free loopback port. Start panics if it
// cannot listen there.
func WithAddr(addr string) Option { return func(cfg *config) { cfg.Addr = addr } }

// WithAutoComplete makes the customer pay every new order at once, right
// after the pay answer (which still says PAYMENT_IN_PROCESS) is built: a
// convenience for sandboxes without a person at the cashier page. Off by
// default.
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
	s := &Server{cfg: cfg, clock: payment.OrSystem(cfg.Clock), cnyRate: rate, cards: map[string]string{}}
	s.ledger = simulator.NewLedger(simulator.LedgerConfig{
		Name: "alphapaytest", Clock: s.clock,
		// 25 digits: yyMMddHHmmss and 13 random ones, like AlphaPay's
		// observed paymentIds.
		IDLayout: "060102150405", IDDigits: 13,
		Settled: s.settledLocked,
	})
	s.Snapshots = simulator.NewSnapshots(s.ledger, snapshot)
	kc := cfg.Config
	kc.Name, kc.ProviderKeyName = "alphapaytest", "AlphaPay"
	kc.Protocol, kc.Ledger, kc.Cashier = (*protocol)(s), s.ledger, s.cashier()
	kc.RequestTimeHeader, kc.NonceHeader, kc.SignatureHeader = wire.HeaderRequestTime, wire.HeaderNonce, wire.HeaderSignature
	s.Server = simulator.NewUnstartedServer(kc)
	return s
}

// parseRate accepts digits with an optional fraction, greater than zero.
func parseRate(s string) (*big.Rat, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || !simulator.AllDigits(intPart) || (strings.Contains(s, ".") && (frac == "" || !simulator.AllDigits(frac))) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return nil, false
	}
	return r, true
}

// Credentials returns the merchant's configuration for this server: the
// merchant's key of keyVersion "1", and AlphaPay's current public key (and
// private key, unless it is a signer set with SetSigner that keeps it).
func (s *Server) Credentials() Credentials {
	k := s.KeyPEMs()
	return Credentials{
		BaseURL:            s.URL,
		MerchantCode:       s.cfg.merchantCode,
		MerchantPrivateKey: k.MerchantPrivate,
		MerchantPublicKey:  k.MerchantPublic,
		AlphaPayPublicKey:  k.ProviderPublic,
		AlphaPayPrivateKey: k.ProviderPrivate,
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

var credentialSecrets = []string{"MerchantPrivateKey", "AlphaPayPrivateKey"}
