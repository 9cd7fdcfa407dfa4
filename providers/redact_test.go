package providers_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/providers"
)

// Wallet settings show an inline private key in no encoding a user is likely
// to log (fmt's verbs, log/slog's handlers and encoding/json, for the value,
// a pointer, and either inside another struct), while a reference, which
// names where the key is, stays visible.
func TestSecretsNeverLeak(t *testing.T) {
	const inline = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecretPrivateKeyMaterial\n-----END PRIVATE KEY-----\n"
	secrets := []string{"BEGIN", "MIIE", "secretPrivateKeyMaterial"}
	retry := &providers.Retry{MaxAttempts: 2}
	for _, tc := range []struct {
		name    string
		value   any
		secrets []string
		visible []string // what is not secret and every rendering must still show
	}{
		{"alphapay settings with an inline key",
			providers.AlphaPaySettings{BaseURL: "https://openapi.alphapay.ca", MerchantCode: "PFA9QX", PrivateKey: inline, AlphaPayPublicKey: "env:AP_PUB", Retry: retry},
			secrets, []string{"PFA9QX", "env:AP_PUB", "[redacted]"}},
		{"alphapay settings with references",
			providers.AlphaPaySettings{MerchantCode: "PFA9QX", PrivateKey: "file:keys/merchant.pem", AlphaPayPublicKey: "env:AP_PUB"},
			nil, []string{"file:keys/merchant.pem", "env:AP_PUB"}},
		{"alipayplus settings with an inline key",
			providers.AlipayPlusSettings{BaseURL: "https://api.wallet.example", ClientID: "2022091516250500001", PrivateKey: inline, WalletPublicKey: "file:keys/wallet.pub", Currencies: []string{"PHP"}},
			secrets, []string{"2022091516250500001", "file:keys/wallet.pub", "[redacted]"}},
		{"alphapay settings with an inline key in a signer",
			providers.AlphaPaySettings{MerchantCode: "PFA9QX", Signer: &providers.SignerSettings{Kind: "pem", Settings: json.RawMessage(`{"key":` + strconv.Quote(inline) + `}`)}},
			secrets, []string{"PFA9QX", "pem", "[redacted]"}},
		{"a signer's settings",
			providers.SignerSettings{Kind: "kms", Settings: json.RawMessage(`{"token":"secretPrivateKeyMaterial","pin":{"value":"MIIE"},"key":"env:KMS_KEY","slot":3}`)},
			secrets, []string{"kms", "env:KMS_KEY", "[redacted]", "3"}},
		{"antom settings with an inline key",
			providers.AntomSettings{BaseURL: "https://open-sea-global.alipay.com", ClientID: "SANDBOX_5YBV3N2Z0KS906447", PrivateKey: inline, AntomPublicKey: "file:keys/antom.pub"},
			secrets, []string{"SANDBOX_5YBV3N2Z0KS906447", "file:keys/antom.pub", "[redacted]"}},
		{"alipayplus settings with references",
			providers.AlipayPlusSettings{ClientID: "2022091516250500001", PrivateKey: "env:GCASH_PRIVATE_KEY"},
			nil, []string{"env:GCASH_PRIVATE_KEY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for how, out := range redacttest.Renderings(t, tc.value) {
				for _, secret := range tc.secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s shows the secret %q: %s", how, secret, out)
					}
				}
				for _, v := range tc.visible {
					if !strings.Contains(out, v) {
						t.Errorf("%s hides %q, which is not secret: %s", how, v, out)
					}
				}
			}
		})
	}
}
