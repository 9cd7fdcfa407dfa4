package testserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Postgres is a throwaway PostgreSQL cluster: its data directory and unix
// socket in a temporary directory, TCP on loopback only, durability off
// (fsync, full page writes, synchronous commit) for speed. Its superuser
// is postgres, without a password.
type Postgres struct {
	// Addr is the server's host:port.
	Addr string

	t TB
	p *process
}

// ConnString is a connection URL for the superuser's database on the
// server.
func (pg *Postgres) ConnString() string { return ConnString(pg.Addr) }

// ConnString is a connection URL for the superuser's database of a server
// started by StartPostgres, reached at addr (the server's, or a Proxy's).
func ConnString(addr string) string {
	return "postgres://postgres@" + addr + "/postgres?sslmode=disable"
}

// StartPostgres initializes a cluster in a temporary directory and starts
// it for t on a free loopback port; it is stopped when t ends. PostgreSQL
// refuses to run as root, so under root the cluster belongs to, and the
// server runs as, the postgres user. Without the binaries (or, under root,
// that user), t is skipped (failed under CI=true).
//
// initdb takes a second or two: start one server per test binary or
// top-level test, and give each check its own table or database.
func StartPostgres(t TB) *Postgres {
	t.Helper()
	if !supported {
		unavailable(t, "servers are started only on Unix systems")
	}
	bin, ok := postgresBin()
	if !ok {
		unavailable(t, "PostgreSQL server binaries (initdb, postgres) not found in PATH or /usr/lib/postgresql/*/bin: install the Debian package postgresql (apt-get install postgresql)")
	}
	var as *runAs
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			unavailable(t, "running as root, and there is no postgres user to run PostgreSQL as: install the Debian package postgresql, which creates it")
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		as = &runAs{uid: uint32(uid), gid: uint32(gid)}
	}
	// Not t.TempDir: its parent is private to the test's user, and the
	// postgres user must reach the directory.
	dir, err := os.MkdirTemp("", "paybridge-pg-")
	if err != nil {
		t.Fatalf("testserver: postgres: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) }) // runs after the server's stop, registered below
	if as != nil {
		if err := os.Chown(dir, int(as.uid), int(as.gid)); err != nil {
			t.Fatalf("testserver: postgres: %v", err)
		}
	}
	data := filepath.Join(dir, "data")
	env := []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "TZ=UTC", "HOME=" + dir}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Env = env
	ip, err := startProcess("initdb", initdb, as, syscall.SIGKILL)
	if err != nil {
		t.Fatal(err)
	}
	if err := ip.wait(); err != nil { // bounded by ctx, which kills initdb
		t.Fatalf("testserver: initdb: %v (ctx %v)\n%s", err, ctx.Err(), tail(ip.out.String()))
	}

	for try := 1; ; try++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("testserver: postgres: %v", err)
		}
		cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300",
			"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
		cmd.Env = env
		// On the test's death, SIGQUIT: the immediate shutdown, which also
		// ends the server's children.
		p, err := startProcess("postgres", cmd, as, syscall.SIGQUIT)
		if err != nil {
			t.Fatal(err)
		}
		pg := &Postgres{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), t: t, p: p}
		err = poll(startTimeout, "postgres ready on "+pg.Addr, func() (bool, error) {
			if p.exited() {
				return true, fmt.Errorf("postgres exited: %v", p.wait())
			}
			return strings.Contains(p.out.String(), "database system is ready to accept connections"), nil
		})
		if err == nil {
			t.Cleanup(func() {
				// SIGQUIT, the immediate shutdown: nothing needs saving.
				if err := p.stop(syscall.SIGQUIT, stopGrace); err != nil {
					t.Errorf("%v\nserver output:\n%s", err, tail(p.out.String()))
				}
			})
			return pg
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
// server and its children are gone, and fails the test if any lingers.
func (pg *Postgres) Kill() {
	pg.t.Helper()
	if err := pg.p.stop(syscall.SIGKILL, stopGrace); err != nil {
		pg.t.Fatal(err)
	}
}

// postgresBin finds the directory of initdb and postgres: PATH first, then
// Debian's /usr/lib/postgresql/<version>/bin, the newest version.
func postgresBin() (string, bool) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(p); isExec(filepath.Join(dir, "postgres")) {
			// Debian links initdb into PATH in some images; resolve it so
			// that postgres is taken from the same installation.
			if real, err := filepath.EvalSymlinks(p); err == nil && isExec(filepath.Join(filepath.Dir(real), "postgres")) {
				return filepath.Dir(real), true
			}
			return dir, true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, true
		}
	}
	return "", false
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
