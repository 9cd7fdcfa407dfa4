package providers_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/signing"
)

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var ce *providers.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("not a ConfigError: %v", err)
	}
	return ce.Field
}

func TestRegisterRefuses(t *testing.T) {
	reg := providers.NewRegistry()
	open := func(context.Context, json.RawMessage, providers.Options) (payment.Provider, error) {
		return paymenttest.New(), nil
	}
	if reg.Register("", open) == nil || reg.Register("x", nil) == nil {
		t.Error("an empty kind or a nil opener was registered")
	}
	if err := reg.Register("alipayplus", open); !errors.Is(err, providers.ErrDuplicate) {
		t.Errorf("a built-in kind replaced: %v", err)
	}
	if err := reg.Register("yourpay", open); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register("yourpay", open); !errors.Is(err, providers.ErrDuplicate) {
		t.Errorf("registered twice: %v", err)
	}
	if got := strings.Join(reg.Kinds(), ","); got != "alipayplus,alphapay,antom,yourpay" {
		t.Errorf("kinds %s", got)
	}
	if _, err := providers.NewEmptyRegistry().Open(context.Background(), "yourpay", json.RawMessage(`{}`), providers.Options{}); !errors.Is(err, providers.ErrUnknownKind) {
		t.Errorf("another registry knows the kind: %v", err)
	}
}

func TestDecodeSettings(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	type settings struct {
		BaseURL string           `json:"baseURL"`
		Inner   *inner           `json:"inner,omitempty"`
		List    []inner          `json:"list,omitempty"`
		Retry   *providers.Retry `json:"retry,omitempty"`
	}
	var s settings
	if err := providers.DecodeSettings(json.RawMessage(`{"baseURL":"u","inner":{"name":"n"},"list":[{"name":"a"}],"retry":{"maxAttempts":3,"baseWait":"250ms"}}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.BaseURL != "u" || s.Inner.Name != "n" || s.List[0].Name != "a" || s.Retry.Policy() != (payment.RetryPolicy{MaxAttempts: 3, BaseWait: 250 * time.Millisecond}) {
		t.Errorf("%+v", s)
	}
	for raw, want := range map[string]string{
		`{"baseUrl":"u"}`:                      `unknown field "baseUrl"`,
		`{"inner":{"Name":"n"}}`:               `unknown field "inner.Name"`,
		`{"list":[{"name":"a"},{"nme":"b"}]}`:  `unknown field "list.1.nme"`,
		`{"baseURL":3}`:                        "baseURL must be a string",
		`{"baseURL":"u"} {"baseURL":"v"}`:      "trailing data",
		`{"baseURL":"u"} }`:                    "trailing data",
		`{"retry":{"baseWait":"soon"}}`:        "invalid duration soon",
		`{"retry":{"maxAttempts":1,"x":true}}`: `unknown field "retry.x"`,
	} {
		var s settings
		err := providers.DecodeSettings(json.RawMessage(raw), &s)
		if err == nil || fieldOf(t, err) != "settings" || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", raw, err, want)
		}
	}
}

func TestSettingHelpers(t *testing.T) {
	env := providers.Env{Getenv: func(name string) (string, bool) { return map[string]string{"KEY": "s3cret"}[name], name == "KEY" }}
	if v, err := env.SecretSetting("apiKey", "env:KEY"); err != nil || v != "s3cret" {
		t.Errorf("%q %v", v, err)
	}
	if v, err := env.SecretSetting("apiKey", "inline"); err != nil || v != "inline" {
		t.Errorf("%q %v", v, err)
	}
	if _, err := env.SecretSetting("apiKey", ""); fieldOf(t, err) != "settings.apiKey" || !strings.Contains(err.Error(), "is required") {
		t.Errorf("missing: %v", err)
	}
	_, err := env.SecretSetting("apiKey", "file:/nonexistent/key")
	if fieldOf(t, err) != "settings.apiKey" || !strings.Contains(err.Error(), "file:/nonexistent/key") {
		t.Errorf("unreadable: %v", err)
	}
	if providers.ShowRef("env:KEY") != "env:KEY" || providers.ShowRef("file:k.pem") != "file:k.pem" || strings.Contains(providers.ShowRef("s3cretvalue"), "s3cret") {
		t.Error("ShowRef")
	}
	if err := providers.Required("merchantId", ""); fieldOf(t, err) != "settings.merchantId" || err.Error() != "providers: config: settings.merchantId: is required" {
		t.Errorf("Required: %v", err)
	}
	if providers.Required("merchantId", "M") != nil {
		t.Error("Required refused a value")
	}
	if err := providers.SettingError("currency", errors.New("bad")); fieldOf(t, err) != "settings.currency" {
		t.Errorf("SettingError: %v", err)
	}

	pub, pubs, err := env.PublicKeys("walletPublicKey", "env:KEY", []string{"a", "b"})
	if err != nil || pub != "s3cret" || strings.Join(pubs, ",") != "a,b" {
		t.Errorf("PublicKeys: %q %q %v", pub, pubs, err)
	}
	if _, _, err := env.PublicKeys("walletPublicKey", "", nil); fieldOf(t, err) != "settings.walletPublicKey" {
		t.Errorf("no key: %v", err)
	}
	if _, _, err := env.PublicKeys("walletPublicKey", "", []string{"a", "env:NONE"}); fieldOf(t, err) != "settings.walletPublicKeys[1]" {
		t.Errorf("a bad second key: %v", err)
	}

	o := providers.Options{}
	if o.RetryPolicy(nil) != (payment.RetryPolicy{}) || o.RetryPolicy(&providers.Retry{MaxAttempts: 2}).MaxAttempts != 2 {
		t.Error("RetryPolicy without an option")
	}
	o.Retry = &payment.RetryPolicy{MaxAttempts: 7}
	if o.RetryPolicy(&providers.Retry{MaxAttempts: 2}).MaxAttempts != 7 {
		t.Error("Options.Retry does not win")
	}
}

func TestMerchantKey(t *testing.T) {
	k := newMerchantKey(t)
	pemText := string(signing.PrivateKeyPEM(k))
	ctx := context.Background()
	env := providers.Env{Getenv: func(string) (string, bool) { return pemText, true }}

	key, err := providers.Options{Env: env}.MerchantKey(ctx, "env:K", nil)
	if err != nil || key.PEM != pemText || key.Signer != nil {
		t.Fatalf("privateKey: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", key, key, key, key); strings.Contains(s, "PRIVATE") || !strings.Contains(s, "privateKey") {
		t.Errorf("shown: %s", s)
	}
	key, err = providers.Options{Env: env}.MerchantKey(ctx, "", &providers.SignerSettings{Kind: "pem", Settings: json.RawMessage(`{"key":"env:K"}`)})
	if err != nil || key.Signer == nil || key.PEM != "" {
		t.Fatalf("signer: %v", err)
	}
	o := providers.Options{Env: env, Signer: k}
	if key, err = o.MerchantKey(ctx, "", nil); err != nil || key.Signer != k {
		t.Fatalf("Options.Signer: %v", err)
	}
	if f := o.ConfigField("Signer", key); f != "Options.Signer" {
		t.Errorf("ConfigField(Signer) from options: %s", f)
	}
	for _, tc := range []struct {
		o      providers.Options
		pk     string
		signer *providers.SignerSettings
		field  string
	}{
		{providers.Options{}, "", nil, "settings.privateKey"},
		{providers.Options{Signer: k}, "env:K", nil, "Options.Signer"},
		{providers.Options{}, "env:K", &providers.SignerSettings{Kind: "pem"}, "settings.signer"},
		{providers.Options{}, "", &providers.SignerSettings{Kind: "kms"}, "settings.signer.kind"},
	} {
		tc.o.Env = env
		if _, err := tc.o.MerchantKey(ctx, tc.pk, tc.signer); fieldOf(t, err) != tc.field {
			t.Errorf("%+v: %v, want %s", tc, err, tc.field)
		}
	}

	o = providers.Options{}
	for field, want := range map[string]string{
		"": "settings", "Signer": "settings.signer", "HTTPClient": "Options.WrapTransport", "BaseURL": "settings.baseURL",
		"ClientID": "settings.clientId", "MerchantCode": "settings.merchantCode", "WalletPublicKeys[1]": "settings.walletPublicKeys[1]",
	} {
		if got := o.ConfigField(field, providers.MerchantKey{}); got != want {
			t.Errorf("ConfigField(%q) = %s, want %s", field, got, want)
		}
	}
	o.HTTPClient = http.DefaultClient
	if got := o.ConfigField("HTTPClient", providers.MerchantKey{}); got != "Options.HTTPClient" {
		t.Errorf("ConfigField(HTTPClient) = %s", got)
	}
}

// HTTPClientFor trusts a CA file's certificates besides the system's,
// honours Options' client and transport wrapper, and refuses both a CA
// file and a client.
func TestHTTPClientFor(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.pem"), []byte("nothing"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := providers.Options{Env: providers.Env{Dir: dir}}
	if hc, err := o.HTTPClientFor(""); hc != nil || err != nil {
		t.Errorf("no CA file, no options: %v %v", hc, err)
	}
	hc, err := o.HTTPClientFor("ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatalf("the CA file is not trusted: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("status %d", resp.StatusCode)
	}
	if _, err := o.HTTPClientFor("empty.pem"); fieldOf(t, err) != "settings.caFile" {
		t.Errorf("no certificate: %v", err)
	}
	if _, err := o.HTTPClientFor("missing.pem"); fieldOf(t, err) != "settings.caFile" {
		t.Errorf("no file: %v", err)
	}

	wrapped := 0
	o.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { wrapped++; return rt }
	if hc, err := o.HTTPClientFor(""); err != nil || hc == nil || wrapped != 1 {
		t.Errorf("wrapped: %v %v %d", hc, err, wrapped)
	}
	own := &http.Client{Timeout: time.Second}
	o.HTTPClient = own
	if hc, err := o.HTTPClientFor(""); err != nil || hc == own || hc.Timeout != time.Second || wrapped != 2 {
		t.Errorf("Options.HTTPClient is changed in place or not used: %v", err)
	}
	if _, err := o.HTTPClientFor("ca.pem"); fieldOf(t, err) != "settings.caFile" {
		t.Errorf("a CA file with a client: %v", err)
	}
	o.HTTPClient = nil
	o.WrapTransport = func(http.RoundTripper) http.RoundTripper { return nil }
	if _, err := o.HTTPClientFor(""); fieldOf(t, err) != "Options.WrapTransport" {
		t.Errorf("a nil transport: %v", err)
	}
}
