package providers

import (
	"crypto"
	"log/slog"
	"net/http"

	"github.com/paybridge/paybridge/observe"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/payment"
)

// Options are what a program gives the wallets it opens from a
// configuration besides the configuration itself: everything an adapter's
// Config takes that a file cannot hold, so that wallets opened from a file
// are as fully equipped as wallets made with alphapay.New or
// alipayplus.New. The zero value resolves secrets from the process
// environment and the working directory and leaves every adapter default in
// place.
//
//	reg := providers.NewRegistry()
//	wallets, err := reg.LoadFile(ctx, "wallets.json", providers.Options{
//		Logger:        logger,
//		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { return otelhttp.NewTransport(rt) },
//		PerWallet: func(name, kind string, o *providers.Options) error {
//			o.Journal = journals[name] // one journal per wallet, each read by its own reconciler
//			return nil
//		},
//	})
type Options struct {
	// Env resolves the configuration's secret references ("env:NAME",
	// "file:PATH").
	Env

	// Logger receives each adapter's lines (one debug line per attempt, a
	// warning per unknown outcome; never a secret), with a "wallet"
	// attribute naming the wallet when it is opened by Load. Nil: no logs.
	Logger *slog.Logger
	// HTTPClient sends every wallet's requests; wallets given the same
	// client share its connection pool. Nil: a pooled client of each
	// wallet's own. A wallet whose settings name a caFile cannot take it
	// (the client's TLS settings are its owner's): that is a configuration
	// error.
	HTTPClient *http.Client
	// WrapTransport, if set, wraps the transport of each wallet's client,
	// for tracing, metrics or a proxy (otelhttp.NewTransport, say). It is
	// given the transport the wallet would use — paybridge's pooled
	// transport, trusting the wallet's caFile if it names one, or
	// HTTPClient's — and returns the RoundTripper that sends instead.
	// Whatever it returns, a connection to a host other than loopback
	// whose certificate was not verified is still refused.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Clock stamps requests and times retries; nil means the system clock.
	Clock payment.Clock
	// Retry, if set, is every wallet's retry policy, in place of the
	// "retry" its settings may have.
	Retry *payment.RetryPolicy
	// Journal, if set, records every wallet's pay, cancel and refund calls
	// before they are sent (package journal). Entries name the provider
	// kind, not the wallet, so wallets of one kind need a journal each, set
	// through PerWallet: Load refuses one journal given to two wallets of
	// one kind (a reconciler would settle one wallet's calls by asking the
	// other).
	Journal journal.Journal
	// Observer, if set, is told of every call and attempt of every wallet
	// (package observe; observe/otelpaybridge puts it on OpenTelemetry).
	// Set it through PerWallet to tell wallets of one kind apart, e.g.
	// o.Observer = obs.With(otelpaybridge.AttrWallet.String(name)).
	Observer observe.Observer
	// Signer signs the merchant's requests in place of a "privateKey" or
	// "signer" setting: a key in a KMS or an HSM, given from code (see
	// alphapay.Config.Signer). It is one merchant's key, so it is normally
	// set through PerWallet for the wallet it belongs to; a wallet given
	// one must have neither "privateKey" nor "signer" in its settings.
	Signer crypto.Signer

	// PerWallet, if set, is called by Load before it opens each wallet,
	// with the wallet's name and provider kind and a copy of these options
	// (without PerWallet), to change for that wallet alone: its journal,
	// logger or signer. An error stops Load with a ConfigError naming the
	// wallet. Open, which opens no named wallet, does not call it.
	PerWallet func(name, kind string, o *Options) error

	// reg is the registry opening the wallet, whose signer kinds
	// OpenSigner uses.
	reg *Registry
}
