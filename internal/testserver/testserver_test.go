package testserver_test

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testserver"
)

func TestRedisStartsAnswersAndStops(t *testing.T) {
	r := testserver.StartRedis(t)
	if err := ping(r.Addr); err != nil {
		t.Fatal(err)
	}
	p := testserver.NewProxy(t, r.Addr)
	if err := ping(p.Addr()); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	p.Cut()
	if err := ping(p.Addr()); err == nil {
		t.Fatal("the proxy answers after Cut")
	}
	if err := ping(r.Addr); err != nil {
		t.Fatalf("Cut took the server away too: %v", err)
	}
	r.Kill()
	if err := ping(r.Addr); err == nil {
		t.Fatal("the server answers after Kill")
	}
}

func TestPostgresStartsAndStops(t *testing.T) {
	start := time.Now()
	pg := testserver.StartPostgres(t)
	t.Logf("started in %s", time.Since(start).Round(time.Millisecond))
	c, err := net.DialTimeout("tcp", pg.Addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !strings.HasPrefix(pg.ConnString(), "postgres://postgres@127.0.0.1:") {
		t.Fatalf("ConnString %q", pg.ConnString())
	}
	pg.Kill()
	if c, err := net.DialTimeout("tcp", pg.Addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the server accepts connections after Kill")
	}
}

// A missing binary skips the test, except under CI=true, where it fails:
// CI must never pass by skipping.
func TestMissingServerSkipsOrFailsUnderCI(t *testing.T) {
	if os.Getenv("TESTSERVER_CHILD") != "" {
		testserver.StartRedis(t)
		t.Fatal("StartRedis returned without a redis-server in PATH")
	}
	for _, tc := range []struct {
		ci   string
		fail bool
		say  string
	}{{"", false, "--- SKIP"}, {"true", true, "--- FAIL"}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingServerSkipsOrFailsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTSERVER_CHILD=1", "PATH=/nonexistent", "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.fail || !strings.Contains(string(out), tc.say) ||
			!strings.Contains(string(out), "install the Debian package redis-server") {
			t.Errorf("CI=%q: err %v, output:\n%s", tc.ci, err, out)
		}
	}
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := c.Read(buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return &net.OpError{Op: "ping", Err: os.ErrInvalid}
	}
	return nil
}
