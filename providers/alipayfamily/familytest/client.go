package familytest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
)

// Client is a merchant for a family simulator's tests: it signs requests
// with the merchant's key and verifies every answer with the server's,
// through the family's own envelope, so a test sees the wire as the
// adapters do.
type Client struct {
	HTTP    *http.Client
	BaseURL string
	Clock   payment.Clock
	env     *alipayfamily.Envelope
}

// NewClient returns a client of the server at baseURL.
func NewClient(httpClient *http.Client, baseURL, clientID, keyVersion string, key *rsa.PrivateKey, server *rsa.PublicKey, clk payment.Clock) (*Client, error) {
	env, err := alipayfamily.NewEnvelope(alipayfamily.EnvelopeConfig{ClientID: clientID, KeyVersion: keyVersion, Signer: key, PublicKeys: []*rsa.PublicKey{server}})
	if err != nil {
		return nil, err
	}
	return &Client{HTTP: httpClient, BaseURL: baseURL, Clock: payment.OrSystem(clk), env: env}, nil
}

// Request returns a signed JSON POST of body to path.
func (c *Client) Request(ctx context.Context, path string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", alipayfamily.AckContentType)
	return req, c.env.Sign(req.Header, req.URL.RequestURI(), body, c.Clock.Now())
}

// Do sends req (whose body is body) and returns the answer's result and
// body once its signature verifies.
func (c *Client) Do(req *http.Request) (Result, []byte, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Result{}, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return Result{}, b, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := c.env.Verify(req.URL.RequestURI(), resp.Header, b); err != nil {
		return Result{}, b, err
	}
	var v struct {
		Result Result `json:"result"`
	}
	return v.Result, b, json.Unmarshal(b, &v)
}

// Call posts req as JSON to path and decodes the verified answer into
// resp (which may be nil).
func (c *Client) Call(ctx context.Context, path string, req, resp any) (Result, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Result{}, err
	}
	r, err := c.Request(ctx, path, body)
	if err != nil {
		return Result{}, err
	}
	res, b, err := c.Do(r)
	if err == nil && resp != nil {
		err = json.Unmarshal(b, resp)
	}
	return res, err
}

// VerifyNotification checks a notification's signature as a merchant
// does (alipayfamily.Envelope.VerifyNotification).
func (c *Client) VerifyNotification(h http.Header, uri string, body []byte) error {
	_, err := c.env.VerifyNotification(h, uri, body)
	return err
}
