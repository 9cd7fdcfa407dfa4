package main

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
	"os"
	"path/filepath"
	"strconv"

	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/signing"
)

// The key files of a sandbox keys directory. The merchant pair is the
// developer's (their client signs with it); the provider pairs are the
// simulators' (clients verify answers with the public halves).
const (
	keyMerchant = "merchant"
	keyAlphaPay = "alphapay"
	keyWallet   = "wallet"
)

func keyFile(dir, who, half string) string { return filepath.Join(dir, who+"_"+half+".pem") }

func sandboxCommand() *command {
	return &command{
		name:     "sandbox",
		summary:  "serve both simulators on loopback, with cashier pages and notifications",
		synopsis: "[--addr 127.0.0.1:8081] [--tls] [--keys DIR]",
		about: `Serves simulated providers on loopback until interrupted, prints a configuration
file for them, serves their cashier pages and delivers their notifications.

Cashier actions are plain HTTP endpoints too, for scripts and other clients' tests:
  POST {alphapay}/pay/{paymentId}/approve     the customer pays
  POST {alphapay}/pay/{paymentId}/decline     the customer refuses
  POST {wallet}/cashier/{paymentId}/approve   the customer pays in the wallet
  POST {wallet}/cashier/{paymentId}/decline   the customer refuses`,
		setup: func(fs *flag.FlagSet) runFunc {
			addr := fs.String("addr", "127.0.0.1:8081", "AlphaPay simulator address (loopback); the Alipay+ wallet listens on the next port")
			useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate (written to the keys directory as sandbox_cert.pem)")
			keysDir := fs.String("keys", "paybridge-sandbox", "directory of PEM key pairs: merchant_private.pem, alphapay_private.pem, wallet_private.pem (created when missing)")
			return func(ctx context.Context, pr printer) int {
				return runSandbox(ctx, pr.stdout, pr.stderr, addr, useTLS, keysDir)
			}
		},
	}
}

func runSandbox(ctx context.Context, stdout, stderr io.Writer, addr *string, useTLS *bool, keysDir *string) int {
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !isLoopbackHost(host) {
		fmt.Fprintln(stderr, "paybridge sandbox: --addr must be a loopback host:port, e.g. 127.0.0.1:8081")
		return exitUsage
	}
	// The config names key files by absolute path: relative "file:" paths
	// are read relative to the config file, which lives in this directory.
	dir, err := filepath.Abs(*keysDir)
	if err != nil {
		fmt.Fprintln(stderr, "paybridge sandbox:", err)
		return exitFailed
	}
	*keysDir = dir
	keys, err := loadOrCreateKeys(*keysDir, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "paybridge sandbox:", err)
		return exitFailed
	}
	ap, err := startAlphaPay(*addr, keys, *useTLS)
	if err != nil {
		fmt.Fprintln(stderr, "paybridge sandbox:", err)
		return exitFailed
	}
	defer ap.Close()
	walletAddr, err := nextPort(*addr)
	if err != nil {
		fmt.Fprintln(stderr, "paybridge sandbox:", err)
		return exitUsage
	}
	wallet, err := startWallet(walletAddr, keys, *useTLS)
	if err != nil {
		fmt.Fprintln(stderr, "paybridge sandbox:", err)
		return exitFailed
	}
	defer wallet.Close()
	wcr := wallet.Credentials()

	cfg := sandboxConfig{Wallets: []sandboxWallet{{
		Name: "alphapay-sandbox", Provider: "alphapay",
		Settings: map[string]any{
			"baseURL":           ap.URL,
			"merchantCode":      ap.Credentials().MerchantCode,
			"privateKey":        "file:" + keyFile(*keysDir, keyMerchant, "private"),
			"alphaPayPublicKey": "file:" + keyFile(*keysDir, keyAlphaPay, "public"),
		},
	}, {
		Name: "wallet-sandbox", Provider: "alipayplus",
		Settings: map[string]any{
			"baseURL":         wcr.BaseURL,
			"pathPrefix":      wcr.Prefix,
			"clientId":        wcr.ClientID,
			"keyVersion":      wcr.KeyVersion,
			"privateKey":      "file:" + keyFile(*keysDir, keyMerchant, "private"),
			"walletPublicKey": "file:" + keyFile(*keysDir, keyWallet, "public"),
		},
	}}}
	if *useTLS {
		cert := filepath.Join(*keysDir, "sandbox_cert.pem")
		if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ap.Certificate().Raw}), 0o600); err != nil {
			fmt.Fprintln(stderr, "paybridge sandbox:", err)
			return exitFailed
		}
		for _, w := range cfg.Wallets {
			w.Settings["caFile"] = cert
		}
	}
	js, _ := json.MarshalIndent(cfg, "", "  ")
	cfgPath := filepath.Join(*keysDir, "sandbox.json")
	if err := os.WriteFile(cfgPath, append(js, '\n'), 0o600); err != nil {
		fmt.Fprintln(stderr, "paybridge sandbox:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "AlphaPay simulator:      %s  (cashier pages at %s/pay/{paymentId})\n", ap.URL, ap.URL)
	fmt.Fprintf(stdout, "Alipay+ wallet simulator: %s%s  (cashier pages at %s/cashier/{paymentId})\n", wcr.BaseURL, wcr.Prefix, wcr.BaseURL)
	fmt.Fprintf(stdout, "\nA configuration for these simulators, written to %s:\n%s\n", cfgPath, js)
	fmt.Fprintln(stdout, "\nServing; press Ctrl-C to stop.")
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

// startAlphaPay starts the simulator on addr; it reports a busy port as an
// error instead of the simulator's panic.
func startAlphaPay(addr string, keys map[string]*rsa.PrivateKey, useTLS bool) (srv *alphapaytest.Server, err error) {
	if ln, lerr := net.Listen("tcp", addr); lerr != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, lerr)
	} else {
		ln.Close()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the AlphaPay simulator: %v", r)
		}
	}()
	srv = alphapaytest.NewUnstartedServer(alphapaytest.WithAddr(addr),
		alphapaytest.WithKeys(string(signing.PrivateKeyPEM(keys[keyMerchant])), string(signing.PrivateKeyPEM(keys[keyAlphaPay]))))
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv, nil
}

// startWallet starts the Alipay+ wallet simulator on addr.
func startWallet(addr string, keys map[string]*rsa.PrivateKey, useTLS bool) (srv *alipayplustest.Server, err error) {
	if ln, lerr := net.Listen("tcp", addr); lerr != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, lerr)
	} else {
		ln.Close()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the wallet simulator: %v", r)
		}
	}()
	srv = alipayplustest.NewUnstartedServer(alipayplustest.WithAddr(addr),
		alipayplustest.WithKeys(string(signing.PrivateKeyPEM(keys[keyMerchant])), string(signing.PrivateKeyPEM(keys[keyWallet]))))
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv, nil
}

// loadOrCreateKeys reads the three key pairs from dir, creating (and
// writing, mode 0600) any that are missing.
func loadOrCreateKeys(dir string, out io.Writer) (map[string]*rsa.PrivateKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PrivateKey{}
	for _, who := range []string{keyMerchant, keyAlphaPay, keyWallet} {
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
