package testserver

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Redis is a throwaway redis-server: no persistence, loopback only.
type Redis struct {
	// Addr is the server's host:port.
	Addr string

	t TB
	p *process
}

// Bounded waits of the servers' life cycle.
const (
	startTimeout = 30 * time.Second
	stopGrace    = 10 * time.Second
)

// StartRedis starts a redis-server for t on a free loopback port, with its
// working directory in a temporary directory and persistence off. It is
// stopped when t ends. Without the binary, t is skipped (failed under
// CI=true).
func StartRedis(t TB) *Redis {
	t.Helper()
	if !supported {
		unavailable(t, "servers are started only on Unix systems")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		unavailable(t, "redis-server not found: install the Debian package redis-server (apt-get install redis-server)")
	}
	dir := t.TempDir()
	// A free port can be taken between finding it and binding it; a few
	// tries make that race harmless.
	for try := 1; ; try++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("testserver: redis: %v", err)
		}
		cmd := exec.Command(bin,
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
			"--loglevel", "warning")
		p, err := startProcess("redis-server", cmd, nil, syscall.SIGKILL)
		if err != nil {
			t.Fatal(err)
		}
		r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), t: t, p: p}
		err = poll(startTimeout, "redis-server ready on "+r.Addr, func() (bool, error) {
			if p.exited() {
				return true, fmt.Errorf("redis-server exited: %v", p.wait())
			}
			err := ping(r.Addr)
			return err == nil, err
		})
		if err == nil {
			t.Cleanup(func() {
				if err := p.stop(syscall.SIGTERM, stopGrace); err != nil {
					t.Errorf("%v\nserver output:\n%s", err, tail(p.out.String()))
				}
			})
			return r
		}
		stopErr := p.stop(syscall.SIGKILL, stopGrace)
		if try < 3 && strings.Contains(p.out.String(), "in use") {
			continue
		}
		t.Fatalf("%v (stop: %v)\nserver output:\n%s", err, stopErr, tail(p.out.String()))
	}
}

// Kill stops the server at once with SIGKILL, as a crash would: its clients
// see their connections reset and new ones refused. It returns once the
// process is gone, and fails the test if it lingers.
func (r *Redis) Kill() {
	r.t.Helper()
	if err := r.p.stop(syscall.SIGKILL, stopGrace); err != nil {
		r.t.Fatal(err)
	}
}

// ping sends PING over a fresh connection and expects PONG.
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
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// freePort returns a loopback TCP port nobody listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
