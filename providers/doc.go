// Package providers builds payment.Providers from configuration, so that a
// platform swaps wallets by editing a file, not code.
//
// A configuration names several wallets; each has a name, a provider kind
// ("alphapay", "alipayplus", "antom") and that kind's settings:
//
//	{
//	  "wallets": [
//	    {"name": "alphapay-ca", "provider": "alphapay", "settings": {
//	      "baseURL": "https://openapi.alphapay.ca", "merchantCode": "PFA9QX",
//	      "privateKey": "file:keys/merchant.pem", "alphaPayPublicKey": "env:ALPHAPAY_PUBLIC_KEY"}},
//	    {"name": "gcash", "provider": "alipayplus", "settings": {
//	      "baseURL": "https://api.example-wallet.com", "pathPrefix": "/miniprogram/api",
//	      "clientId": "2022091516250500001", "privateKey": "env:GCASH_PRIVATE_KEY",
//	      "walletPublicKey": "file:keys/gcash.pub"}}
//	  ]
//	}
//
// Secrets are references — "env:NAME" or "file:PATH" — or inline values
// (for tests). They are resolved when the wallet is opened and never
// printed: errors name the wallet, the field and the reference, not the
// value. Unknown keys and missing fields are errors.
//
// # Keys
//
// The merchant's private key is "privateKey", or "signer": a signer kind
// and its settings, for a key that never leaves a KMS or an HSM
// ({"kind": "pem", "key": "file:…"} is the built-in kind; others join a
// Registry with RegisterSigner), or Options.Signer, from code. The
// provider's public keys are "alphaPayPublicKey" and "alphaPayPublicKeys"
// ("walletPublicKey", "walletPublicKeys"): while the provider changes its
// key, list both and either verifies; "keyVersion" says which of the
// merchant's registered keys signs (docs/key-rotation.md).
//
// # Options
//
// What a file cannot hold — a logger, an HTTP client or a transport
// wrapper, a clock, a retry policy, a journal, a signer — comes from
// Options, given to Registry.Load, Registry.LoadFile or Registry.Open, for
// every wallet or, through Options.PerWallet, for one. Wallets opened from
// a file are then the same as wallets made with an adapter's New.
//
// # Notifications
//
// Wallets.Source returns a wallet's notify.Source for notify.NewHandler;
// payment.As reaches it from any provider.
//
// # Registration
//
// Kinds join a Registry by name. NewRegistry returns one with paybridge's
// adapters; an adapter from any module joins with Register, given its
// Opener, and Registry.Load, Registry.LoadFile and Registry.Open then open
// its wallets (the package-level Load, LoadFile and Open know only
// paybridge's adapters). There is no global registry to collide in.
//
// An Opener reads its settings with the helpers the built-in kinds use:
// DecodeSettings, Required, SettingError, Env.SecretSetting,
// Env.PublicKeys, Options.MerchantKey, Options.RetryPolicy (the "retry"
// setting, Retry), Options.HTTPClientFor (the "caFile" setting) and
// Options.ConfigField; ExampleRegistry_Register is a whole one.
package providers
