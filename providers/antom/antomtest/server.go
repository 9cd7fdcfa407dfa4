// Package antomtest is a simulated Antom gateway (the online payment API
// under /ams/api/v1/payments/) for tests, the conformance suite and the
// CLI sandbox, in the style of net/http/httptest: NewServer gives a
// running gateway and Credentials the configuration a client needs.
//
// It is built on the simulator kit (package simulator: the server, the
// faults, the request log, the ledger, the cashier page and the
// notification sender) and the Alipay family's simulator side (package
// providers/alipayfamily/familytest: request verification, answer and
// notification signing, the strict body rules, the cancel and refund
// rules), and keeps only Antom's paths, bodies and rules
// (docs/providers/antom.md):
//
//   - POST /ams/api/v1/payments/{pay,inquiryPayment,cancel,refund,
//     inquiryRefund}; any other POST under /ams/api/ is F INVALID_API.
//   - Requests are verified as the family's are (INVALID_CLIENT,
//     REQUEST_TIME_INVALID, INVALID_SIGNATURE, KEY_NOT_FOUND,
//     MSG_PARSE_ERROR) and their bodies strictly (PARAM_ILLEGAL naming the
//     field); answers and notifications are signed with Antom's key.
//   - pay takes a CASHIER_PAYMENT with its required fields (order,
//     paymentMethod.paymentMethodType, paymentRedirectUrl,
//     env.terminalType) and answers U PAYMENT_IN_PROCESS with normalUrl
//     (and applinkUrl for WAP) pointing at the cashier page
//     /checkout/{paymentId}. It is idempotent by paymentRequestId
//     (REPEAT_REQ_INCONSISTENT for other content), refund by
//     refundRequestId; refunds never exceed the paid amount; unpaid
//     payments are CANCELLED after their expiry on the injected clock.
//   - The customer is played by Complete, Decline and Expire, or by a
//     person on the cashier page. A payment that succeeds or fails is
//     notified (PAYMENT_RESULT) to its paymentNotifyUrl, a refund
//     (REFUND_RESULT) to its refundNotifyUrl, until acknowledged.
package antomtest

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/antom/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// The endpoint paths, for Script and Requests.
const (
	PathPay, PathInquiry, PathCancel = wire.PathPay, wire.PathInquiry, wire.PathCancel
	PathRefund, PathInquiryRefund    = wire.PathRefund, wire.PathInquiryRefund
)

// The merchant the server knows: its Client-Id and keyVersion; and the
// windows of its payments.
const (
	DefaultClientID   = "SANDBOX_5YBV3N2Z0KS906447"
	DefaultKeyVersion = "1"
	cancelWindow      = 24 * time.Hour
	expiry            = 15 * time.Minute
)

// Fault is the kit's scripted misbehaviour (simulator.Fault), and
// ErrNotFound its unknown payment or refund.
type Fault = simulator.Fault

var ErrNotFound = simulator.ErrNotFound

// Server is a running simulated Antom gateway over one merchant account.
// It embeds the kit's server (URL, lifecycle, faults, request log,
// notifications, keys, customer controls and books). All methods are safe
// for concurrent use.
type Server struct {
	*simulator.Server
	simulator.Snapshots[PaymentSnapshot]

	notifier   familytest.Notifier
	currencies func(code string) bool // WithCurrencies
	ledger     *simulator.Ledger
	env        *familytest.Envelope
	clock      payment.Clock
}

// PaymentSnapshot is a copy of a payment's state.
type PaymentSnapshot struct {
	PaymentID, PaymentRequestID, PaymentMethodType string
	// Status is the wire paymentStatus: PROCESSING, SUCCESS, FAIL or
	// CANCELLED.
	Status           string
	Amount, Refunded money.Amount
	NotifyURL        string
}

// Credentials is what a merchant's client needs, and Antom's private key
// for tests that forge messages. Format and MarshalJSON redact the
// private keys.
type Credentials struct {
	BaseURL, ClientID, KeyVersion         string
	MerchantPrivateKey, MerchantPublicKey string
	AntomPublicKey, AntomPrivateKey       string
}

func (c Credentials) Format(f fmt.State, verb rune) {
	simulator.FormatRedacted(f, verb, c, "MerchantPrivateKey", "AntomPrivateKey")
}

func (c Credentials) MarshalJSON() ([]byte, error) {
	return simulator.MarshalRedacted(c, "MerchantPrivateKey", "AntomPrivateKey")
}

// An Option configures a Server.
type Option func(*config)

type config struct {
	simulator.Config
	currencies []string
}

// WithClock sets the clock of expiry, the Request-Time window, timestamps
// and the notification schedule (default: the system clock).
func WithClock(c payment.Clock) Option { return func(cfg *config) { cfg.Clock = c } }

// WithKeys sets the merchant's and Antom's private keys (PEM or bare
// base64 DER); the constructor panics on an invalid one. By default a
// pair generated once per process is used.
func WithKeys(merchantPrivatePEM, antomPrivatePEM string) Option {
	return func(cfg *config) {
		cfg.MerchantKeyPEM, cfg.ProviderKeyPEM, cfg.KeysSet = merchantPrivatePEM, antomPrivatePEM, true
	}
}

// WithCurrencies limits payments to the given ISO 4217 codes
// (CURRENCY_NOT_SUPPORT otherwise); the constructor panics on an unknown
// code.
func WithCurrencies(codes ...string) Option {
	return func(cfg *config) { cfg.currencies = append([]string(nil), codes...) }
}

// WithNotifyClient sets the client notifications are POSTed with.
func WithNotifyClient(c *http.Client) Option { return func(cfg *config) { cfg.NotifyClient = c } }

// NewServer returns a started server on a loopback port with plain HTTP.
func NewServer(opts ...Option) *Server { return started(NewUnstartedServer(opts...), (*Server).Start) }

// NewTLSServer returns a started server with TLS; Client trusts it.
func NewTLSServer(opts ...Option) *Server {
	return started(NewUnstartedServer(opts...), (*Server).StartTLS)
}

func started(s *Server, start func(*Server)) *Server {
	start(s)
	return s
}

// NewUnstartedServer returns a server that is not listening yet. It
// panics on an invalid option value.
func NewUnstartedServer(opts ...Option) *Server {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := &Server{clock: payment.OrSystem(cfg.Clock), currencies: familytest.Currencies("antomtest", cfg.currencies)}
	s.env = &familytest.Envelope{ClientID: DefaultClientID, KeyVersion: DefaultKeyVersion, Clock: s.clock,
		MerchantKey: s.merchantKey}
	s.ledger = simulator.NewLedger(simulator.LedgerConfig{Name: "antomtest", Clock: s.clock,
		IDLayout: "20060102150405", IDDigits: 18, DeclineReason: "USER_CANCELLED", Settled: s.notifyLocked})
	s.Snapshots = simulator.NewSnapshots(s.ledger, snapshot)
	kc := cfg.Config
	kc.Name, kc.ProviderKeyName, kc.MerchantKeyVersion = "antomtest", "antom", DefaultKeyVersion
	kc.Protocol, kc.Ledger, kc.Cashier = &protocol{familytest.Protocol{Envelope: s.env, Paths: apiPaths}, s}, s.ledger, cashier
	kc.RequestTimeHeader = "Request-Time"
	s.Server = simulator.NewUnstartedServer(kc)
	s.notifier = familytest.Notifier{Name: "antomtest", Server: s.Server, Ledger: s.ledger,
		Body: paymentNotification, Status: wireStatus, ErrNone: ErrNoNotification}
	return s
}

// merchantKey is the kit's, asked only while serving (s.Server is made
// after the envelope).
func (s *Server) merchantKey(v string) (*rsa.PublicKey, bool) { return s.MerchantKey(v) }

// Credentials returns the merchant's configuration for this server.
func (s *Server) Credentials() Credentials {
	k := s.KeyPEMs()
	return Credentials{BaseURL: s.URL, ClientID: DefaultClientID, KeyVersion: DefaultKeyVersion,
		MerchantPrivateKey: k.MerchantPrivate, MerchantPublicKey: k.MerchantPublic,
		AntomPublicKey: k.ProviderPublic, AntomPrivateKey: k.ProviderPrivate}
}

// SignedNotification returns, without sending it, the signed
// PAYMENT_RESULT notification of a payment that succeeded or failed,
// POSTed to targetURL.
func (s *Server) SignedNotification(paymentID, targetURL string) (*http.Request, error) {
	return s.notifier.SignedNotification(paymentID, targetURL)
}

// SignedRefundNotification returns, without sending it, the signed
// REFUND_RESULT notification of a refund, POSTed to targetURL; an error
// wrapping ErrNotFound for an unknown refund.
func (s *Server) SignedRefundNotification(refundID, targetURL string) (*http.Request, error) {
	s.ledger.Lock()
	r := s.ledger.RefundByIDLocked(refundID)
	var body []byte
	if r != nil {
		body = refundNotification(r)
	}
	s.ledger.Unlock()
	if r == nil {
		return nil, fmt.Errorf("antomtest: signed notification: refund %s: %w", refundID, ErrNotFound)
	}
	return s.SignedPost(targetURL, body)
}
