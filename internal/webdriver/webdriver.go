// Package webdriver drives a headless Chromium through chromedriver's W3C
// WebDriver HTTP API — just enough for end-to-end tests of the simulators'
// cashier pages (open a page, click, read text, take a screenshot), without
// a browser-automation dependency.
//
// The browser's lifetime is the Driver's, not the caller's context's: the
// context given to Start bounds starting only, and Close always ends the
// session, chromedriver and every process the browser started — also when
// the test failed or its context ended first. Each Driver marks the
// processes it starts with an environment variable that Chromium passes on to
// its helpers (renderers, the GPU process, the crash handler that detaches
// itself into its own session), so Close can find and end the ones a crash or
// a killed chromedriver would otherwise leave running, and Remaining can
// prove that none is left.
package webdriver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Paths of Debian's packages chromium and chromium-driver.
const (
	ChromiumPath     = "/usr/bin/chromium"
	ChromeDriverPath = "/usr/bin/chromedriver"
)

// markerEnv names the environment variable that marks every process a
// Driver started; its value is unique per Driver.
const markerEnv = "PAYBRIDGE_WEBDRIVER_MARK"

// Bounds of Close: each step gives up after this long, so a wedged browser
// cannot hang a test's cleanup.
const (
	quitTimeout  = 10 * time.Second // ending the session: the browser closes its windows and exits
	exitTimeout  = 5 * time.Second  // chromedriver's exit after the kill
	sweepTimeout = 5 * time.Second  // stragglers' exit after the kill
)

// Driver is a running chromedriver with one browser session.
type Driver struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once chromedriver has exited and been reaped
	base    string
	session string
	mark    string
	client  *http.Client

	closeOnce sync.Once
	closeErr  error
}

// Start runs chromedriver and opens a headless Chromium session whose
// profile lives in userDataDir. ctx bounds the start only: the browser runs
// until Close, which the caller must call (t.Cleanup(d.Close) in a test),
// also when Start's context has ended. The flags keep Chromium off the
// network: this machine has none, and a browser test must not try.
func Start(ctx context.Context, userDataDir string) (*Driver, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	d := &Driver{
		base:   "http://127.0.0.1:" + strconv.Itoa(port),
		mark:   rand.Text(),
		exited: make(chan struct{}),
		client: &http.Client{},
	}
	// Not exec.CommandContext: the end of ctx must not kill chromedriver
	// alone, which would orphan the browser it started.
	d.cmd = exec.Command(ChromeDriverPath, "--port="+strconv.Itoa(port))
	d.cmd.Env = append(os.Environ(), markerEnv+"="+d.mark)
	d.cmd.Stdout, d.cmd.Stderr = w, w
	setProcAttr(d.cmd)
	if err := d.cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	w.Close() // the children hold the write end now
	go func() {
		_ = d.cmd.Wait()
		close(d.exited)
	}()
	// chromedriver says when it listens; wait for that line rather than poll.
	ready := make(chan bool, 1)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
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
			return nil, errors.Join(errors.New("webdriver: chromedriver exited before it was ready"), d.Close())
		}
	case <-ctx.Done():
		return nil, errors.Join(ctx.Err(), d.Close())
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
		return nil, errors.Join(err, d.Close())
	}
	d.session = resp.SessionID
	// Let element look-ups wait for the DOM (a page still loading after a
	// form submit) instead of failing at once.
	if err := d.call(ctx, http.MethodPost, d.sessionPath("/timeouts"), map[string]int{"implicit": 5000, "pageLoad": 30000}, nil); err != nil {
		return nil, errors.Join(err, d.Close())
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
	resp, err := d.client.Do(req)
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

// Present reports whether the page has an element css selects, at once:
// unlike a look-up, it does not wait for one to appear.
func (d *Driver) Present(ctx context.Context, css string) (bool, error) {
	var found bool
	err := d.call(ctx, http.MethodPost, d.sessionPath("/execute/sync"),
		map[string]any{"script": "return document.querySelector(arguments[0]) !== null", "args": []string{css}}, &found)
	return found, err
}

// WaitText waits until the element css selects shows text containing want
// (after a click, the page may still be the old one for a moment; a page
// that refreshes itself changes later), or ctx ends. Each look-up is a
// browser round trip, so this asks the browser rather than sleeping.
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

// Close ends the browser session (the browser exits), then chromedriver,
// then any process of this Driver still running (a browser helper that
// outlived its parent), and waits for them to go, each step bounded. It
// returns an error if a process could not be ended. Close may be called
// more than once; it does its work once.
func (d *Driver) Close() error {
	d.closeOnce.Do(func() { d.closeErr = d.close() })
	return d.closeErr
}

func (d *Driver) close() error {
	if d.session != "" {
		// Politely first: chromedriver closes the browser, which ends its
		// helpers. An error here is not reported: the kill and the sweep
		// below end whatever is left, and only what is left matters.
		ctx, cancel := context.WithTimeout(context.Background(), quitTimeout)
		_ = d.call(ctx, http.MethodDelete, d.sessionPath(""), nil, nil)
		cancel()
	}
	d.client.CloseIdleConnections()
	killGroup(d.cmd)
	var errs []error
	select {
	case <-d.exited:
	case <-time.After(exitTimeout):
		errs = append(errs, fmt.Errorf("webdriver: chromedriver (pid %d) did not exit within %s of being killed", d.cmd.Process.Pid, exitTimeout))
	}
	if left := sweep(d.mark, d.pgid(), sweepTimeout); len(left) > 0 {
		errs = append(errs, fmt.Errorf("webdriver: browser processes %v still run %s after being killed", left, sweepTimeout))
	}
	return errors.Join(errs...)
}

// Remaining returns the IDs of this Driver's processes that still run: none
// after Close. Where processes cannot be listed (not Linux) it returns nil.
func (d *Driver) Remaining() []int { return owned(d.mark, d.pgid()) }

// pgid is chromedriver's process group: its own ID (see setProcAttr).
func (d *Driver) pgid() int {
	if d.cmd == nil || d.cmd.Process == nil {
		return 0
	}
	return d.cmd.Process.Pid
}
