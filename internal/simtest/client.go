package simtest

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/signing"
)

// Client is a merchant's client for a simulator's tests: it signs every
// request the way the protocol tells it to and checks every answer's
// signature. It knows no protocol: Sign and Verify are the protocol's, and
// R is what an answer decodes to (by default its "result" object).
type Client[R any] struct {
	T    testing.TB
	HTTP *http.Client
	// BaseURL and Prefix: a request to path goes to BaseURL+Prefix+path and
	// is signed over Prefix+path.
	BaseURL, Prefix string
	// Sign sets the headers that authenticate req, a POST of body to uri.
	Sign func(req *http.Request, uri string, body []byte)
	// Verify returns why the answer to req, with header h and body, is not
	// signed as the protocol says; nil if it is.
	Verify func(req *http.Request, h http.Header, body []byte) error
	// Decode, if set, decodes an answer's body; by default its "result"
	// object is decoded.
	Decode func(body []byte) R
}

// Answer is a received answer.
type Answer[R any] struct {
	Status int
	Header http.Header
	Body   []byte
	Result R
	SigErr error // why the signature did not verify; nil if it did
}

// Signed tells whether the answer's signature verified.
func (a *Answer[R]) Signed() bool { return a.SigErr == nil }

// SignedRequest builds a correctly signed POST of body to path; a test may
// change it afterwards (to break it).
func (c *Client[R]) SignedRequest(path string, body []byte) *http.Request {
	c.T.Helper()
	uri := c.Prefix + path
	req, err := http.NewRequest(http.MethodPost, c.BaseURL+uri, bytes.NewReader(body))
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	c.Sign(req, uri, body)
	return req
}

// Do sends req and reads the answer, verifying its signature.
func (c *Client[R]) Do(req *http.Request) (*Answer[R], error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	a := &Answer[R]{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if c.Decode != nil {
		a.Result = c.Decode(body)
	} else {
		var r struct {
			Result R `json:"result"`
		}
		if json.Unmarshal(body, &r) == nil {
			a.Result = r.Result
		}
	}
	a.SigErr = c.Verify(req, resp.Header, body)
	return a, nil
}

// Post signs and sends a raw body; the answer must be a signed 200.
func (c *Client[R]) Post(path string, body []byte) *Answer[R] {
	c.T.Helper()
	a, err := c.Do(c.SignedRequest(path, body))
	if err != nil {
		c.T.Fatalf("POST %s: %v", path, err)
	}
	if a.Status != http.StatusOK || !a.Signed() {
		c.T.Fatalf("POST %s: status %d, signature %v, body %s", path, a.Status, a.SigErr, a.Body)
	}
	return a
}

// Call marshals req, posts it and unmarshals the answer into resp (unless
// nil); it returns the answer's result.
func (c *Client[R]) Call(path string, req, resp any) R {
	c.T.Helper()
	a := c.Post(path, Marshal(c.T, req))
	if resp != nil {
		if err := json.Unmarshal(a.Body, resp); err != nil {
			c.T.Fatalf("POST %s: answer does not unmarshal: %v\n%s", path, err, a.Body)
		}
	}
	return a.Result
}

// Marshal returns v as JSON; a []byte is returned as it is.
func Marshal(t testing.TB, v any) []byte {
	t.Helper()
	if b, ok := v.([]byte); ok {
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CallFor is Call with the answer decoded into a new T.
func CallFor[T, R any](c *Client[R], path string, req any) (*T, R) {
	c.T.Helper()
	var resp T
	res := c.Call(path, req, &resp)
	return &resp, res
}

// ParseKeys parses the merchant's private key and the provider's public
// key, as a simulator's credentials give them.
func ParseKeys(t testing.TB, merchantPrivate, providerPublic string) (*rsa.PrivateKey, *rsa.PublicKey) {
	t.Helper()
	key, err := signing.ParsePrivateKey(merchantPrivate)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signing.ParsePublicKey(providerPublic)
	if err != nil {
		t.Fatal(err)
	}
	return key, pub
}
