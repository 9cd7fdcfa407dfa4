// Package webdriver drives a headless Chromium through chromedriver's W3C
// WebDriver HTTP API — just enough for end-to-end tests of the simulators'
// cashier pages (open a page, click, read text, take a screenshot), without
// a browser-automation dependency.
package webdriver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
)

// Paths of Debian's packages chromium and chromium-driver.
const (
	ChromiumPath     = "/usr/bin/chromium"
	ChromeDriverPath = "/usr/bin/chromedriver"
)

// Driver is a running chromedriver with one browser session.
type Driver struct {
	cmd     *exec.Cmd
	base    string
	session string
}

// Start runs chromedriver and opens a headless Chromium session whose
// profile lives in userDataDir. The flags keep Chromium off the network:
// this machine has none, and a browser test must not try.
func Start(ctx context.Context, userDataDir string) (*Driver, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, ChromeDriverPath, "--port="+strconv.Itoa(port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &Driver{cmd: cmd, base: "http://127.0.0.1:" + strconv.Itoa(port)}
	// chromedriver says when it listens; wait for that line rather than poll.
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ok := false
		for sc.Scan() {
			if !ok && strings.Contains(sc.Text(), "started successfully") {
				ok = true
				ready <- true
			}
		}
		if !ok {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			d.Close()
			return nil, errors.New("webdriver: chromedriver exited before it was ready")
		}
	case <-ctx.Done():
		d.Close()
		return nil, ctx.Err()
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": ChromiumPath,
			"args": []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--user-data-dir=" + userDataDir, "--window-size=800,900"},
		},
	}}}
	var resp struct {
		SessionID string `json:"sessionId"`
	}
	if err := d.call(ctx, http.MethodPost, "/session", caps, &resp); err != nil {
		d.Close()
		return nil, err
	}
	d.session = resp.SessionID
	// Let element look-ups wait for the DOM (a page still loading after a
	// form submit) instead of failing at once.
	if err := d.call(ctx, http.MethodPost, d.sessionPath("/timeouts"), map[string]int{"implicit": 5000, "pageLoad": 30000}, nil); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// call does one WebDriver request and decodes its "value" into v.
func (d *Driver) call(ctx context.Context, method, path string, body, v any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("webdriver: %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webdriver: %s %s: HTTP %d: %s", method, path, resp.StatusCode, env.Value)
	}
	if v != nil {
		return json.Unmarshal(env.Value, v)
	}
	return nil
}

func (d *Driver) sessionPath(p string) string { return "/session/" + d.session + p }

// Open navigates to url and waits for the page to load.
func (d *Driver) Open(ctx context.Context, url string) error {
	return d.call(ctx, http.MethodPost, d.sessionPath("/url"), map[string]string{"url": url}, nil)
}

const elementKey = "element-6066-11e4-a52e-4f735466cecf" // the W3C web element identifier

func (d *Driver) find(ctx context.Context, css string) (string, error) {
	var el map[string]string
	if err := d.call(ctx, http.MethodPost, d.sessionPath("/element"), map[string]string{"using": "css selector", "value": css}, &el); err != nil {
		return "", err
	}
	id := el[elementKey]
	if id == "" {
		return "", fmt.Errorf("webdriver: no element reference for %q in %v", css, el)
	}
	return id, nil
}

// Click clicks the element css selects (and waits for the navigation it
// starts, as WebDriver does).
func (d *Driver) Click(ctx context.Context, css string) error {
	id, err := d.find(ctx, css)
	if err != nil {
		return err
	}
	return d.call(ctx, http.MethodPost, d.sessionPath("/element/"+id+"/click"), map[string]any{}, nil)
}

// Text returns the visible text of the element css selects.
func (d *Driver) Text(ctx context.Context, css string) (string, error) {
	id, err := d.find(ctx, css)
	if err != nil {
		return "", err
	}
	var s string
	err = d.call(ctx, http.MethodGet, d.sessionPath("/element/"+id+"/text"), nil, &s)
	return s, err
}

// WaitText waits until the element css selects shows text containing want
// (after a click, the page may still be the old one for a moment), or ctx
// ends. Each look-up is a browser round trip, so this asks the browser
// rather than sleeping.
func (d *Driver) WaitText(ctx context.Context, css, want string) (string, error) {
	var last string
	var lastErr error
	for ctx.Err() == nil {
		last, lastErr = d.Text(ctx, css)
		if lastErr == nil && strings.Contains(last, want) {
			return last, nil
		}
	}
	return last, errors.Join(ctx.Err(), lastErr)
}

// Screenshot returns a PNG of the page.
func (d *Driver) Screenshot(ctx context.Context) ([]byte, error) {
	var b64 string
	if err := d.call(ctx, http.MethodGet, d.sessionPath("/screenshot"), nil, &b64); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(b64)
}

// Close ends the session and chromedriver.
func (d *Driver) Close() {
	if d.session != "" {
		_ = d.call(context.Background(), http.MethodDelete, d.sessionPath(""), nil, nil)
	}
	if d.cmd.Process != nil {
		_ = d.cmd.Process.Kill()
		_ = d.cmd.Wait()
	}
}
