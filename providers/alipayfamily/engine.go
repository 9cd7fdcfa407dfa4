package alipayfamily

import (
	"errors"
	"strings"

	"github.com/paybridge/paybridge/payment/engine"
)

// EngineField names the adapter Config field an engine.New error is
// about, for the adapter's ConfigError: HTTPClient when the URL is https
// and so fine, which leaves the client skipping TLS verification; BaseURL
// otherwise.
func EngineField(err error, baseURL string) string {
	if errors.Is(err, engine.ErrInsecureURL) && strings.HasPrefix(strings.ToLower(baseURL), "https:") {
		return "HTTPClient"
	}
	return "BaseURL"
}
