package simulator

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// A Protocol is a provider's wire format, which the Server serves: every
// method is called by the server, never by a test. Methods may be called
// concurrently.
type Protocol interface {
	// Route reports whether r is a request to the provider's API and, if
	// so, the endpoint path it is logged and scripted under. Other requests
	// go to the cashier pages, or are answered 404.
	Route(r *http.Request) (path string, ok bool)
	// RequestID returns the request ID a request body names (a payment's
	// or a refund's), or "", for the request log and aimed faults.
	RequestID(path string, body []byte) string
	// Redact returns body as the request log keeps it, with card data and
	// other secrets replaced (RedactJSON); it must not change body.
	Redact(path string, body []byte) []byte
	// Verify checks a request's headers, signature and size in the
	// provider's order and returns the failure to answer, or nil.
	Verify(in *Incoming) *payment.Result
	// Process executes a verified request and returns the answer and its
	// result; a nil answer is ResultOnly(result).
	Process(in *Incoming) (answer any, result payment.Result)
	// ResultOnly returns the body of an answer that carries only a result.
	ResultOnly(result payment.Result) any
	// Alter adapts an answer to the provider's options and to the fault
	// the request met (ChangeAmount, Variant) before it is encoded. An
	// answer's values are the protocol's own copies: Alter may change them.
	Alter(answer any, f Fault)
	// AnswerHeaders sets the headers of an answer (its time, nonce or
	// client ID) and returns the message its signature covers, and false
	// for an answer the provider sends unsigned.
	AnswerHeaders(h http.Header, in *Incoming, payload []byte, result payment.Result) (msg []byte, sign bool)
	// NotificationHeaders sets the headers of a notification POST of body
	// to a URL whose signed URI is uri, at now, and returns the message
	// its signature covers.
	NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte
	// FormatSignature formats the Signature header of a signature.
	FormatSignature(sig []byte) string
}

// Incoming is one request to an API endpoint, as the Protocol sees it.
type Incoming struct {
	// Path is the endpoint path Route gave.
	Path string
	// Request is the request; its body has been read into Body.
	Request *http.Request
	// Body is the request body, cut to MaxBody bytes.
	Body []byte
	// TooLarge reports a body longer than MaxBody.
	TooLarge bool
	// BaseURL is where the payment's links point: the server's URL, or
	// the host the request was sent to when Handler is served elsewhere.
	BaseURL string
}

// MaxBody caps a request body. The providers' bodies are a few kilobytes
// at most.
const MaxBody = 256 << 10

// Config configures a Server. A simulator's options set its fields; the
// simulator sets Name, Protocol, Ledger and Cashier.
type Config struct {
	// Name prefixes panics, errors and log messages, such as
	// "alphapaytest".
	Name string
	// Protocol is the provider's wire format.
	Protocol Protocol
	// Ledger holds the payments; the server's customer controls and
	// counters read it. Nil: a ledger that takes IDs from the clock.
	Ledger *Ledger
	// Cashier serves the payment pages; nil serves none.
	Cashier *Cashier

	// Clock drives timestamps, the notification schedule and outages
	// (default: the system clock). Scripted delays wait in real time.
	Clock payment.Clock
	// Logger gets one Debug line per request and per notification
	// attempt; nothing secret. Nil discards.
	Logger *slog.Logger
	// Addr is the address Start and StartTLS listen on instead of a free
	// loopback port.
	Addr string
	// NotifyClient POSTs the notifications (default: a plain client with a
	// 30 s timeout).
	NotifyClient *http.Client
	// NotifyPathOnly signs notifications over the notify URL's path alone,
	// instead of its path and query.
	NotifyPathOnly bool
	// Acknowledged reports whether the body of an HTTP 200 answer to a
	// notification acknowledges it, as the provider reads it; until it
	// does, the notification is tried again on its schedule. Nil: IsAck,
	// the {"result":{"resultStatus":"S"}} both built-in providers expect.
	Acknowledged func(body []byte) bool
	// AutoComplete asks the simulator to have the customer pay every new
	// payment at once; the simulator's pay reads it.
	AutoComplete bool

	// MerchantKeyPEM and ProviderKeyPEM replace DefaultKeys(Name) when
	// KeysSet; ProviderKeyName names the provider's key in panics.
	MerchantKeyPEM, ProviderKeyPEM, ProviderKeyName string
	KeysSet                                         bool
	// MerchantKeyVersion is the keyVersion of the merchant key the server
	// is made with.
	MerchantKeyVersion string

	// RequestTimeHeader and NonceHeader name the headers the request log
	// copies into Request.RequestTime and Request.Nonce.
	RequestTimeHeader, NonceHeader string
	// SignatureHeader names the header of answer and notification
	// signatures (default "Signature").
	SignatureHeader string

	// OnRecorded and OnDone, for tests, are called after an API request is
	// recorded and when its handler returns.
	OnRecorded, OnDone func(path string)
}

// Server is a running simulated provider. All methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the started server, e.g.
	// http://127.0.0.1:12345, with no trailing slash. It is empty until
	// Start or StartTLS; a program serving Handler elsewhere may set it to
	// where the payment and cashier links are to point.
	URL string

	cfg         Config
	proto       Protocol
	clock       payment.Clock
	log         *slog.Logger
	ledger      *Ledger
	cashier     http.Handler
	merchantKey *rsa.PrivateKey
	keys        atomic.Pointer[keySet]
	ts          *httptest.Server
	handler     http.Handler

	// ctx is cancelled and done closed by Close: they end notification
	// POSTs, retry waits and scripted hangs, so Close never waits on a
	// clock that does not move or a client that does not give up.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup // delivery goroutines

	mu           sync.Mutex
	closed       bool
	requests     map[string][]Request
	requestCount int
	faults       map[string][]Fault // by path
	outages      []outage
	notifyFaults []Fault
	deliveries   []Delivery
	sending      int           // notifications on their way
	changed      chan struct{} // closed and replaced on every new delivery and when one ends
}

// NewServer returns a started server on a loopback port with plain HTTP.
func NewServer(cfg Config) *Server {
	s := NewUnstartedServer(cfg)
	s.Start()
	return s
}

// NewTLSServer returns a started server with TLS, using httptest's
// self-signed certificate; Client trusts it.
func NewTLSServer(cfg Config) *Server {
	s := NewUnstartedServer(cfg)
	s.StartTLS()
	return s
}

// NewUnstartedServer returns a server that is not listening yet: call
// Start or StartTLS, or serve Handler elsewhere. It panics if a key of cfg
// is invalid.
func NewUnstartedServer(cfg Config) *Server {
	if cfg.NotifyClient == nil {
		cfg.NotifyClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.SignatureHeader == "" {
		cfg.SignatureHeader = "Signature"
	}
	if cfg.MerchantKeyVersion == "" {
		cfg.MerchantKeyVersion = "1"
	}
	if cfg.ProviderKeyName == "" {
		cfg.ProviderKeyName = "provider"
	}
	kp := DefaultKeys(cfg.Name)
	if cfg.KeysSet {
		kp = parseKeys(&cfg)
	}
	clk := payment.OrSystem(cfg.Clock)
	if cfg.Ledger == nil {
		cfg.Ledger = NewLedger(LedgerConfig{Name: cfg.Name, Clock: clk})
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:         cfg,
		proto:       cfg.Protocol,
		clock:       clk,
		log:         cfg.Logger,
		ledger:      cfg.Ledger,
		merchantKey: kp.Merchant,
		ctx:         ctx,
		cancel:      cancel,
		done:        make(chan struct{}),
		requests:    map[string][]Request{},
		faults:      map[string][]Fault{},
		changed:     make(chan struct{}),
	}
	s.keys.Store(&keySet{signer: kp.Provider, merchant: map[string]*rsa.PublicKey{cfg.MerchantKeyVersion: &kp.Merchant.PublicKey}})
	s.cashier = http.NotFoundHandler()
	if cfg.Cashier != nil {
		s.cashier = cfg.Cashier.mux(s)
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.ts = httptest.NewUnstartedServer(s.handler)
	return s
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if path, ok := s.proto.Route(r); ok {
		s.serveAPI(w, r, path)
		return
	}
	s.cashier.ServeHTTP(w, r)
}

func (s *Server) listen() {
	if s.cfg.Addr == "" {
		return
	}
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		panic(s.cfg.Name + ": failed to listen on " + s.cfg.Addr + ": " + err.Error())
	}
	s.ts.Listener.Close()
	s.ts.Listener = l
}

// Start starts the server with plain HTTP and sets URL. It panics if the
// server was already started.
func (s *Server) Start() {
	s.listen()
	s.ts.Start()
	s.started()
}

// StartTLS starts the server with TLS and sets URL. It panics if the server
// was already started.
func (s *Server) StartTLS() {
	s.listen()
	s.ts.StartTLS()
	s.started()
}

func (s *Server) started() {
	s.URL = s.ts.URL
	u, _ := url.Parse(s.URL)
	if t, ok := s.ts.Client().Transport.(*http.Transport); ok {
		t.RegisterProtocol(u.Scheme, &refuser{s: s, host: u.Host})
	}
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

// Client returns httptest's HTTP client for the server: for a TLS server
// it trusts the certificate, and it meets the Refuse faults as refused
// connections. It is nil before Start or StartTLS.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Certificate returns the TLS server's certificate, or nil for a plain
// HTTP server: write it out for clients in other processes to trust.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// Handler returns the server's handler, to serve it elsewhere (mounted at
// the root of the host: signatures cover the request path). Payment and
// cashier URLs then use the request's host unless URL is set.
func (s *Server) Handler() http.Handler { return s.handler }

// baseURL is where payment and cashier links point: URL once started, else
// the host the request was sent to.
func (s *Server) baseURL(r *http.Request) string {
	if s.URL != "" {
		return s.URL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// The customer controls and the books, from the Ledger.

// Complete is the customer paying a pending payment; see Ledger.Complete.
func (s *Server) Complete(paymentID string) error { return s.ledger.Complete(paymentID) }

// Decline is the customer refusing to pay; see Ledger.Decline.
func (s *Server) Decline(paymentID string) error { return s.ledger.Decline(paymentID) }

// Expire cancels a pending payment now; see Ledger.Expire.
func (s *Server) Expire(paymentID string) error { return s.ledger.Expire(paymentID) }

// Orders returns how many payments were created for a request ID; with
// correct idempotency it is never more than 1.
func (s *Server) Orders(paymentRequestID string) int { return s.ledger.Orders(paymentRequestID) }

// Charges returns how many times money was taken for a request ID.
func (s *Server) Charges(paymentRequestID string) int { return s.ledger.Charges(paymentRequestID) }

// PaymentStatus returns the status of the payment created under
// paymentRequestID, in neutral terms, and false if the server holds no
// such payment; see Ledger.PaymentStatus.
func (s *Server) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	return s.ledger.PaymentStatus(paymentRequestID)
}

// RefundCount returns how many refunds the server made under
// refundRequestID, so a refund made twice under one ID shows as 2.
func (s *Server) RefundCount(refundRequestID string) int {
	return s.ledger.RefundCount(refundRequestID)
}

// Refunds returns every refund, oldest first.
func (s *Server) Refunds() []Refund { return s.ledger.Refunds() }

// RefundByRequestID returns the refund made under a refund request ID.
func (s *Server) RefundByRequestID(refundRequestID string) (Refund, bool) {
	return s.ledger.RefundByRequestID(refundRequestID)
}
