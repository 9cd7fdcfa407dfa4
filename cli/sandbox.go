package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// The key files of a sandbox keys directory. The merchant pair is the
// developer's (their client signs with it); the provider pairs are the
// simulators' (clients verify answers with the public halves).
const (
	keyMerchant = "merchant"
	keyAlphaPay = "alphapay"
	keyWallet   = "wallet"
	keyAntom    = "antom"
)

func keyFile(dir, who, half string) string { return filepath.Join(dir, who+"_"+half+".pem") }

func sandboxCommand() *command {
	return &command{
		name:     "sandbox",
		summary:  "serve the simulators on loopback, logging every call, cashier action and notification",
		synopsis: "[--addr 127.0.0.1:8081] [--tls] [--keys DIR]",
		about: `Serves the simulated providers on loopback until interrupted: AlphaPay on --addr,
the Alipay+ wallet on the next port, Antom on the one after. It generates the key pairs in --keys (or
uses the ones there), writes a configuration file for the other commands
(DIR/sandbox.json), serves the cashier pages and delivers notifications on the
providers' schedules. Every API call, cashier action and notification attempt
is one line of its output, with the answer and what happens next.

The keys directory holds private keys: it gets a .gitignore of its own, so it
is never committed, whichever repository it lands in.

Cashier actions are plain HTTP endpoints too, for scripts and other clients' tests:
  POST {alphapay}/pay/{paymentId}/approve     the customer pays (also under /qr/)
  POST {alphapay}/pay/{paymentId}/decline     the customer refuses
  POST {wallet}/cashier/{paymentId}/approve   the customer pays in the wallet
  POST {wallet}/cashier/{paymentId}/decline   the customer refuses
  POST {antom}/checkout/{paymentId}/approve   the customer pays at Antom's checkout
  POST {antom}/checkout/{paymentId}/decline   the customer refuses
"paybridge trigger" makes the sandbox send a signed notification.`,
		setup: func(fs *flag.FlagSet) runFunc {
			var f sandboxFlags
			fs.StringVar(&f.addr, "addr", "127.0.0.1:8081", "AlphaPay simulator `address` (loopback); the Alipay+ wallet and Antom listen on the next ports")
			fs.BoolVar(&f.tls, "tls", false, "serve HTTPS with a self-signed certificate (written to the keys directory as sandbox_cert.pem)")
			fs.StringVar(&f.keys, "keys", "sandbox", "`directory` of the key pairs and the configuration (created when missing)")
			return func(ctx context.Context, pr printer) int { return runSandbox(ctx, pr, f) }
		},
	}
}

type sandboxFlags struct {
	addr, keys string
	tls        bool
}

func runSandbox(ctx context.Context, pr printer, f sandboxFlags) int {
	stdout := pr.stdout
	fail := func(code int, err error) int {
		fmt.Fprintln(pr.stderr, "paybridge sandbox:", err)
		return code
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil || !isLoopbackHost(host) {
		return fail(exitUsage, errors.New("--addr must be a loopback host:port, e.g. 127.0.0.1:8081"))
	}
	walletAddr, err := nextPort(f.addr)
	if err != nil {
		return fail(exitUsage, err)
	}
	// The config names key files by absolute path: relative "file:" paths
	// are read relative to the config file, which lives in this directory.
	keysDir, err := filepath.Abs(f.keys)
	if err != nil {
		return fail(exitFailed, err)
	}
	keys, err := loadOrCreateKeys(keysDir, stdout)
	if err != nil {
		return fail(exitFailed, err)
	}
	log := &logger{out: stdout, now: time.Now}
	ap, err := startAlphaPay(f.addr, keys, f.tls, log)
	if err != nil {
		return fail(exitFailed, err)
	}
	defer ap.shutdown()
	wallet, err := startWallet(walletAddr, keys, f.tls, log)
	if err != nil {
		return fail(exitFailed, err)
	}
	defer wallet.shutdown()
	antomAddr, err := nextPort(walletAddr)
	if err != nil {
		return fail(exitUsage, err)
	}
	antom, err := startAntom(antomAddr, keys, f.tls, log)
	if err != nil {
		return fail(exitFailed, err)
	}
	defer antom.shutdown()

	cfg := sandboxConfig{Wallets: []sandboxWallet{{
		Name: "alphapay-sandbox", Provider: "alphapay",
		Settings: map[string]any{
			"baseURL":           ap.front.URL,
			"merchantCode":      alphapaytest.DefaultMerchantCode,
			"privateKey":        "file:" + keyFile(keysDir, keyMerchant, "private"),
			"alphaPayPublicKey": "file:" + keyFile(keysDir, keyAlphaPay, "public"),
		},
	}, {
		Name: "wallet-sandbox", Provider: "alipayplus",
		Settings: map[string]any{
			"baseURL":         wallet.front.URL,
			"pathPrefix":      alipayplustest.DefaultPrefix,
			"clientId":        alipayplustest.DefaultClientID,
			"keyVersion":      alipayplustest.DefaultKeyVersion,
			"privateKey":      "file:" + keyFile(keysDir, keyMerchant, "private"),
			"walletPublicKey": "file:" + keyFile(keysDir, keyWallet, "public"),
		},
	}, {
		Name: "antom-sandbox", Provider: "antom",
		Settings: map[string]any{
			"baseURL":        antom.front.URL,
			"clientId":       antomtest.DefaultClientID,
			"privateKey":     "file:" + keyFile(keysDir, keyMerchant, "private"),
			"antomPublicKey": "file:" + keyFile(keysDir, keyAntom, "public"),
		},
	}}}
	if f.tls {
		cert := filepath.Join(keysDir, "sandbox_cert.pem")
		if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ap.front.Certificate().Raw}), 0o600); err != nil {
			return fail(exitFailed, err)
		}
		for _, w := range cfg.Wallets {
			w.Settings["caFile"] = cert
		}
	}
	js, _ := json.MarshalIndent(cfg, "", "  ")
	cfgPath := filepath.Join(keysDir, "sandbox.json")
	if err := os.WriteFile(cfgPath, append(js, '\n'), 0o600); err != nil {
		return fail(exitFailed, err)
	}
	fmt.Fprintf(stdout, "AlphaPay simulator:       %s  (cashier pages at %s)\n", ap.front.URL, ap.cashierURL("{paymentId}"))
	fmt.Fprintf(stdout, "Alipay+ wallet simulator: %s%s  (cashier pages at %s)\n", wallet.front.URL, alipayplustest.DefaultPrefix, wallet.cashierURL("{paymentId}"))
	fmt.Fprintf(stdout, "Antom simulator:          %s  (cashier pages at %s)\n", antom.front.URL, antom.cashierURL("{paymentId}"))
	fmt.Fprintf(stdout, "\nA configuration for these simulators, written to %s:\n%s\n", cfgPath, js)
	fmt.Fprintln(stdout, "\nServing; every API call, cashier action and notification is logged below. Press Ctrl-C to stop.")
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopped")
	return exitOK
}

type sandboxConfig struct {
	Wallets []sandboxWallet `json:"wallets"`
}

type sandboxWallet struct {
	Name     string         `json:"name"`
	Provider string         `json:"provider"`
	Settings map[string]any `json:"settings"`
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// nextPort returns addr with its port plus one.
func nextPort(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p == 0 {
		return net.JoinHostPort(host, "0"), nil
	}
	return net.JoinHostPort(host, strconv.Itoa(p+1)), nil
}

// startAlphaPay starts the AlphaPay simulator behind a logging front on
// addr.
func startAlphaPay(addr string, keys map[string]*rsa.PrivateKey, useTLS bool, log *logger) (s *sim, err error) {
	front, url, err := listenFront(addr, useTLS)
	if err != nil {
		return nil, err
	}
	n := &notifier{base: http.DefaultTransport.(*http.Transport).Clone(), log: log, label: "alphapay", plan: alphaPayPlan, attempts: map[[32]byte]int{}}
	defer func() {
		if r := recover(); r != nil { // the constructor panics on bad keys
			front.Close()
			err = fmt.Errorf("starting the AlphaPay simulator: %v", r)
		}
	}()
	srv := alphapaytest.NewUnstartedServer(alphapaytest.WithNotifyClient(n.client()),
		alphapaytest.WithKeys(string(signing.PrivateKeyPEM(keys[keyMerchant])), string(signing.PrivateKeyPEM(keys[keyAlphaPay]))))
	srv.URL = url // its payment and cashier URLs point at the front
	s = &sim{
		label: "alphapay", front: front, handler: srv.Handler(), log: log, notifier: n,
		api: map[string]bool{alphapaytest.PathPay: true, alphapaytest.PathInquiry: true, alphapaytest.PathCancel: true,
			alphapaytest.PathRefund: true, alphapaytest.PathInquiryRefund: true, alphapaytest.PathTransactions: true},
		payment: func(id string) (string, string, string, bool) {
			p, ok := srv.Payment(id)
			return p.PaymentRequestID, p.Status, p.NotifyURL, ok
		},
		status:     srv.PaymentStatus,
		cashierURL: func(id string) string { return url + "/pay/" + id },
		approveURL: func(id string) string { return url + "/pay/" + id + "/approve" },
		signed: func(paymentID, refundID, target string) (*http.Request, error) {
			if refundID != "" {
				return srv.SignedRefundNotification(refundID, target)
			}
			return srv.SignedNotification(paymentID, target)
		},
		complete:   srv.Complete,
		deliveries: func() int { return len(srv.Deliveries()) },
		awaitMore:  srv.AwaitDeliveries,
		delivery: func(i int) (string, int, int, bool, string) {
			d := srv.Deliveries()[i]
			return d.ID, d.Attempt, d.StatusCode, d.Acked, d.Err
		},
		close: srv.Close,
	}
	s.start(useTLS)
	return s, nil
}

// familySim is what the sandbox uses of an Alipay family simulator
// (alipayplustest, antomtest): they share the simulator kit's views.
type familySim interface {
	Handler() http.Handler
	PaymentStatus(paymentRequestID string) (payment.Status, bool)
	Complete(paymentID string) error
	Deliveries() []simulator.Delivery
	AwaitDeliveries(ctx context.Context, n int) error
	Close()
}

// startFamily starts a family simulator behind a logging front on addr:
// build makes it with the notifier's client and the front's URL and
// returns it, the API paths, its payments' view and its signed
// notifications.
func startFamily(addr, label, who, page string, useTLS bool, log *logger,
	build func(notifyClient *http.Client, url string) (familySim, map[string]bool, func(string) (string, string, string, bool), func(string, string, string) (*http.Request, error)),
) (s *sim, err error) {
	front, url, err := listenFront(addr, useTLS)
	if err != nil {
		return nil, err
	}
	n := &notifier{base: http.DefaultTransport.(*http.Transport).Clone(), log: log, label: label, plan: familyPlan(who), attempts: map[[32]byte]int{}}
	defer func() {
		if r := recover(); r != nil { // the constructors panic on bad keys
			front.Close()
			err = fmt.Errorf("starting the %s simulator: %v", label, r)
		}
	}()
	srv, api, view, signed := build(n.client(), url)
	s = &sim{
		label: label, front: front, handler: srv.Handler(), log: log, notifier: n, api: api,
		payment: view, status: srv.PaymentStatus, signed: signed, complete: srv.Complete,
		cashierURL: func(id string) string { return url + page + id },
		approveURL: func(id string) string { return url + page + id + "/approve" },
		deliveries: func() int { return len(srv.Deliveries()) },
		awaitMore:  srv.AwaitDeliveries,
		delivery: func(i int) (string, int, int, bool, string) {
			d := srv.Deliveries()[i]
			return d.ID, d.Attempt, d.StatusCode, d.Acked, d.Err
		},
		close: srv.Close,
	}
	s.start(useTLS)
	return s, nil
}

// startWallet starts the Alipay+ wallet simulator behind a logging front on
// addr.
func startWallet(addr string, keys map[string]*rsa.PrivateKey, useTLS bool, log *logger) (*sim, error) {
	return startFamily(addr, "wallet", "the wallet", "/cashier/", useTLS, log, func(nc *http.Client, url string) (familySim, map[string]bool, func(string) (string, string, string, bool), func(string, string, string) (*http.Request, error)) {
		srv := alipayplustest.NewUnstartedServer(alipayplustest.WithNotifyClient(nc),
			alipayplustest.WithKeys(string(signing.PrivateKeyPEM(keys[keyMerchant])), string(signing.PrivateKeyPEM(keys[keyWallet]))))
		srv.URL = url
		prefix := alipayplustest.DefaultPrefix
		api := map[string]bool{prefix + alipayplustest.PathPay: true, prefix + alipayplustest.PathInquiry: true, prefix + alipayplustest.PathCancel: true,
			prefix + alipayplustest.PathRefund: true, prefix + alipayplustest.PathInquiryRefund: true}
		return srv, api, func(id string) (string, string, string, bool) {
				p, ok := srv.Payment(id)
				return p.PaymentRequestID, p.Status, p.NotifyURL, ok
			}, func(paymentID, refundID, target string) (*http.Request, error) {
				if refundID != "" {
					return nil, errors.New("an Alipay+ wallet sends no refund notifications")
				}
				return srv.SignedNotification(paymentID, target)
			}
	})
}

// startAntom starts the Antom simulator behind a logging front on addr.
func startAntom(addr string, keys map[string]*rsa.PrivateKey, useTLS bool, log *logger) (*sim, error) {
	return startFamily(addr, "antom", "Antom", "/checkout/", useTLS, log, func(nc *http.Client, url string) (familySim, map[string]bool, func(string) (string, string, string, bool), func(string, string, string) (*http.Request, error)) {
		srv := antomtest.NewUnstartedServer(antomtest.WithNotifyClient(nc),
			antomtest.WithKeys(string(signing.PrivateKeyPEM(keys[keyMerchant])), string(signing.PrivateKeyPEM(keys[keyAntom]))))
		srv.URL = url
		api := map[string]bool{antomtest.PathPay: true, antomtest.PathInquiry: true, antomtest.PathCancel: true,
			antomtest.PathRefund: true, antomtest.PathInquiryRefund: true}
		return srv, api, func(id string) (string, string, string, bool) {
				p, ok := srv.Payment(id)
				return p.PaymentRequestID, p.Status, p.NotifyURL, ok
			}, func(paymentID, refundID, target string) (*http.Request, error) {
				if refundID != "" {
					return srv.SignedRefundNotification(refundID, target)
				}
				return srv.SignedNotification(paymentID, target)
			}
	})
}

// loadOrCreateKeys reads the three key pairs from dir, creating (and
// writing, mode 0600) any that are missing.
func loadOrCreateKeys(dir string, out io.Writer) (map[string]*rsa.PrivateKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Private keys must never be committed, in this repository or any
	// other the directory may sit in.
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("# written by paybridge sandbox: private keys, never commit them\n*\n"), 0o600); err != nil {
			return nil, err
		}
	}
	keys := map[string]*rsa.PrivateKey{}
	for _, who := range []string{keyMerchant, keyAlphaPay, keyWallet, keyAntom} {
		path := keyFile(dir, who, "private")
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			k, err := signing.ParsePrivateKey(string(b))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			keys[who] = k
		case errors.Is(err, fs.ErrNotExist):
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, signing.PrivateKeyPEM(k), 0o600); err != nil {
				return nil, err
			}
			fmt.Fprintf(out, "generated %s\n", path)
			keys[who] = k
		default:
			return nil, err
		}
		if err := os.WriteFile(keyFile(dir, who, "public"), signing.PublicKeyPEM(&keys[who].PublicKey), 0o600); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
