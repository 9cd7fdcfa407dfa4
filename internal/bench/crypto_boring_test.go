//go:build goexperiment.boringcrypto

package bench

import "crypto/boring"

// cryptoBackend names the RSA implementation this build uses: here
// BoringCrypto (GOEXPERIMENT=boringcrypto).
const cryptoBackend = "boringcrypto"

func boringEnabled() bool { return boring.Enabled() }
