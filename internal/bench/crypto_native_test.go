//go:build !goexperiment.boringcrypto

package bench

// cryptoBackend names the RSA implementation this build uses: here Go's
// own crypto/rsa.
const cryptoBackend = "native"

func boringEnabled() bool { return false }
