// Package providers builds payment.Providers from configuration, so that a
// platform swaps wallets by editing a file, not code.
//
// A configuration names several wallets; each has a name, a provider kind
// ("alphapay", "alipayplus") and that kind's settings:
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
// Kinds join a Registry by name. NewRegistry returns one with paybridge's
// adapters; a contributor's adapter joins with Register. There is no global
// registry to collide in.
package providers
