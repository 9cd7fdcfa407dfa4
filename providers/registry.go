package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/paybridge/paybridge/journal"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
)

// Opener builds a provider of one kind from its settings (the JSON object
// of a wallet's "settings") and the program's Options. An adapter in any
// module can have one and join a Registry with Register.
//
// An Opener reads its settings as the built-in kinds read theirs, with the
// exported helpers (opener.go): DecodeSettings (strict, case-sensitive),
// Required, o.SecretSetting for secret references, o.MerchantKey for the
// one merchant key ("privateKey", "signer" or Options.Signer),
// o.PublicKeys, o.RetryPolicy for a "retry" setting, o.HTTPClientFor for a
// "caFile" setting and Options' client and transport wrapper; and it
// passes Logger, Clock, Journal and Observer on to its adapter's Config as
// they are. Errors should be *ConfigErrors naming the field
// ("settings.<field>": SettingError, o.ConfigField); Load adds the
// wallet's name. They must never contain a secret.
type Opener func(ctx context.Context, settings json.RawMessage, o Options) (payment.Provider, error)

// Env resolves secret references. Its zero value reads the process
// environment and files relative to the working directory.
type Env struct {
	// Getenv defaults to os.LookupEnv.
	Getenv func(name string) (string, bool)
	// ReadFile defaults to os.ReadFile.
	ReadFile func(path string) ([]byte, error)
	// Dir is the directory relative "file:" paths are read from.
	Dir string
}

// Secret resolves a reference: "env:NAME", "file:PATH", or an inline value.
// Its errors name the reference, never the value.
func (e Env) Secret(ref string) (string, error) {
	switch {
	case strings.HasPrefix(ref, "env:"):
		name := strings.TrimPrefix(ref, "env:")
		get := e.Getenv
		if get == nil {
			get = os.LookupEnv
		}
		v, ok := get(name)
		if !ok || strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		return v, nil
	case strings.HasPrefix(ref, "file:"):
		path := strings.TrimPrefix(ref, "file:")
		if !filepath.IsAbs(path) && e.Dir != "" {
			path = filepath.Join(e.Dir, path)
		}
		read := e.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		b, err := read(path)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", path, errors.Unwrap(err))
		}
		return string(b), nil
	}
	return ref, nil
}

// Registry maps provider kinds to Openers, and signer kinds to
// SignerOpeners. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	openers map[string]Opener
	signers map[string]SignerOpener
}

// ErrDuplicate is returned by Register for a kind registered before.
var ErrDuplicate = errors.New("providers: kind already registered")

// ErrUnknownKind is returned for a provider kind no one registered.
var ErrUnknownKind = errors.New("providers: unknown provider kind")

// NewRegistry returns a registry with paybridge's adapters, "alphapay",
// "alipayplus" and "antom", and the built-in signer kind, "pem".
func NewRegistry() *Registry {
	r := NewEmptyRegistry()
	for kind, o := range builtin {
		r.openers[kind] = o
	}
	return r
}

// NewEmptyRegistry returns a registry without any provider kind. Its only
// signer kind is the built-in "pem".
func NewEmptyRegistry() *Registry {
	r := &Registry{openers: map[string]Opener{}, signers: map[string]SignerOpener{}}
	for kind, o := range builtinSigners {
		r.signers[kind] = o
	}
	return r
}

// Register adds a provider kind, which wallets' "provider" can then name:
//
//	reg := providers.NewRegistry() // paybridge's kinds, and yours:
//	if err := reg.Register("yourpay", yourpay.Open); err != nil { … }
//	wallets, err := reg.LoadFile(ctx, "wallets.json", providers.Options{Logger: logger})
//
// It refuses an empty kind, a nil Opener and a kind that is already
// registered (the built-in ones included) rather than replace it silently.
// There is no global registry: an adapter in another module exports its
// Opener, and the program registers it on the registry it loads with.
func (r *Registry) Register(kind string, o Opener) error {
	if kind == "" || o == nil {
		return errors.New("providers: Register needs a kind and an opener")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.openers[kind]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, kind)
	}
	r.openers[kind] = o
	return nil
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.openers))
	for k := range r.openers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open builds a provider of kind from settings and o. o.PerWallet is not
// called: there is no named wallet.
func (r *Registry) Open(ctx context.Context, kind string, settings json.RawMessage, o Options) (payment.Provider, error) {
	r.mu.RLock()
	op, ok := r.openers[kind]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q (known: %s)", ErrUnknownKind, kind, strings.Join(r.Kinds(), ", "))
	}
	o.PerWallet = nil
	o.reg = r
	return op(ctx, settings, o)
}

// Open builds a provider of kind from settings with paybridge's adapters,
// resolving secrets from the environment and the working directory.
func Open(ctx context.Context, kind string, settings json.RawMessage) (payment.Provider, error) {
	return NewRegistry().Open(ctx, kind, settings, Options{})
}

// Wallets are the providers a configuration names.
type Wallets struct {
	names     []string
	providers map[string]payment.Provider
	kinds     map[string]string
}

// Get returns the wallet's provider.
func (w *Wallets) Get(name string) (payment.Provider, bool) {
	p, ok := w.providers[name]
	return p, ok
}

// Kind returns the wallet's provider kind.
func (w *Wallets) Kind(name string) string { return w.kinds[name] }

// Names lists the wallets in configuration order.
func (w *Wallets) Names() []string { return append([]string(nil), w.names...) }

// ErrNoWallet is returned for a wallet name the configuration does not
// have.
var ErrNoWallet = errors.New("providers: no such wallet")

// ErrNoNotifications is returned by Source for a wallet whose provider
// sends no signed notifications.
var ErrNoNotifications = errors.New("providers: wallet receives no notifications")

// Source returns the wallet's notification source, for notify.NewHandler:
//
//	src, err := wallets.Source("gcash")
//	if err != nil { … }
//	mux.Handle("/notify/gcash", notify.NewHandler(src, deliver))
//
// It finds the source with payment.As, so it works for any provider that
// is a notify.Source or whose As method yields one. An unknown name is an
// error wrapping ErrNoWallet; a provider without notifications, one
// wrapping ErrNoNotifications.
func (w *Wallets) Source(name string) (notify.Source, error) {
	p, ok := w.providers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoWallet, name)
	}
	var src notify.Source
	if !payment.As(p, &src) {
		return nil, fmt.Errorf("%w: wallet %q (%s)", ErrNoNotifications, name, w.kinds[name])
	}
	return src, nil
}

// ConfigError names the wallet and the field a configuration error is about.
type ConfigError struct {
	Wallet string // "" for the file as a whole
	Field  string // e.g. "settings.privateKey"; "" if not about one field
	Err    error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("providers: config")
	if e.Wallet != "" {
		fmt.Fprintf(&b, ": wallet %q", e.Wallet)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

type fileConfig struct {
	Wallets []walletConfig `json:"wallets"`
}

type walletConfig struct {
	Name     string          `json:"name"`
	Provider string          `json:"provider"`
	Settings json.RawMessage `json:"settings"`
}

// Load reads a JSON configuration and opens every wallet in it with r and
// o (adjusted per wallet by o.PerWallet).
func (r *Registry) Load(ctx context.Context, rd io.Reader, o Options) (*Wallets, error) {
	var fc fileConfig
	raw, err := io.ReadAll(io.LimitReader(rd, 1<<20))
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	if err := checkKeys(raw, reflect.TypeOf(fc), ""); err != nil {
		return nil, &ConfigError{Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, &ConfigError{Err: fieldError(err)}
	}
	if len(fc.Wallets) == 0 {
		return nil, &ConfigError{Field: "wallets", Err: errors.New("no wallet configured")}
	}
	w := &Wallets{providers: map[string]payment.Provider{}, kinds: map[string]string{}}
	journaled := map[journalOfKind]string{} // the first wallet given each journal, per kind
	for i, wc := range fc.Wallets {
		name := wc.Name
		switch {
		case name == "":
			return nil, &ConfigError{Wallet: fmt.Sprintf("#%d", i+1), Field: "name", Err: errors.New("is required")}
		case w.providers[name] != nil:
			return nil, &ConfigError{Wallet: name, Field: "name", Err: errors.New("is used twice")}
		case wc.Provider == "":
			return nil, &ConfigError{Wallet: name, Field: "provider", Err: errors.New("is required")}
		case len(bytes.TrimSpace(wc.Settings)) == 0:
			return nil, &ConfigError{Wallet: name, Field: "settings", Err: errors.New("is required")}
		}
		wo := o
		wo.PerWallet = nil
		if o.PerWallet != nil {
			if err := o.PerWallet(name, wc.Provider, &wo); err != nil {
				return nil, &ConfigError{Wallet: name, Err: err}
			}
		}
		if wo.Logger != nil {
			wo.Logger = wo.Logger.With("wallet", name)
		}
		if k, ok := journalKey(wc.Provider, wo.Journal); ok {
			if other, shared := journaled[k]; shared {
				return nil, &ConfigError{Wallet: name, Field: "Options.Journal", Err: fmt.Errorf(
					"is also wallet %q's, of the same kind %q: entries name the kind, not the wallet, so each wallet's reconciler would settle the other's calls by asking the wrong wallet; give each wallet its own journal through PerWallet", other, wc.Provider)}
			}
			journaled[k] = name
		}
		p, err := r.Open(ctx, wc.Provider, wc.Settings, wo)
		if err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				ce.Wallet = name
				return nil, ce
			}
			return nil, &ConfigError{Wallet: name, Err: err}
		}
		w.names = append(w.names, name)
		w.providers[name] = p
		w.kinds[name] = wc.Provider
	}
	return w, nil
}

// journalOfKind is a journal given to a wallet of a kind.
type journalOfKind struct {
	kind    string
	journal journal.Journal
}

// journalKey returns the key under which Load remembers that a wallet of
// kind was given j; false for no journal, or one whose type cannot be
// compared (such a journal cannot be told from another, and is let be).
func journalKey(kind string, j journal.Journal) (journalOfKind, bool) {
	if j == nil || !reflect.TypeOf(j).Comparable() {
		return journalOfKind{}, false
	}
	return journalOfKind{kind, j}, true
}

// Load reads a JSON configuration and opens its wallets with paybridge's
// adapters, resolving secrets from the environment and the working
// directory. For kinds of your own, or Options, use Registry.Load.
func Load(ctx context.Context, rd io.Reader) (*Wallets, error) {
	return NewRegistry().Load(ctx, rd, Options{})
}

// LoadFile is Load for a file with paybridge's adapters; relative "file:"
// secrets are read next to it. For kinds of your own, or Options, use
// Registry.LoadFile.
func LoadFile(ctx context.Context, path string) (*Wallets, error) {
	return NewRegistry().LoadFile(ctx, path, Options{})
}

// LoadFile is Load for a file. Relative "file:" secrets are read next to
// it, unless o.Dir names another directory.
func (r *Registry) LoadFile(ctx context.Context, path string, o Options) (*Wallets, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	defer f.Close()
	if o.Dir == "" {
		o.Dir = filepath.Dir(path)
	}
	return r.Load(ctx, f, o)
}

// fieldError makes encoding/json's errors read as configuration errors.
func fieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s must be a %s", te.Field, te.Type)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}
