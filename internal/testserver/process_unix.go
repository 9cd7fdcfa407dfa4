//go:build unix

package testserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one server process the test started, and everything it
// forked.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's error, once done

	stopOnce sync.Once
	stopErr  error
}

// startProcess starts cmd as a server: in its own process group (so that a
// ^C to the test does not hit it before its cleanup), as user as when it is
// set, and — on Linux — sent deathSig if the test process dies first, so
// that a killed test leaves no server behind.
func startProcess(name string, cmd *exec.Cmd, as *runAs, deathSig syscall.Signal) (*process, error) {
	p := &process{name: name, cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = sysProcAttr(as, deathSig)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testserver: start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to exit and returns Wait's error.
func (p *process) wait() error {
	<-p.done
	return p.err
}

// waitExit waits up to d for the process to exit.
func (p *process) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// stop sends sig, waits up to grace for the process to exit (then kills
// it), and waits — bounded — until every process it had forked is gone,
// killing stragglers by their ids. It returns an error naming whatever
// survived. Later calls return the first call's answer.
func (p *process) stop(sig syscall.Signal, grace time.Duration) error {
	p.stopOnce.Do(func() { p.stopErr = p.doStop(sig, grace) })
	return p.stopErr
}

func (p *process) doStop(sig syscall.Signal, grace time.Duration) error {
	// PostgreSQL's children make themselves process group leaders, so the
	// tree is what has to be tracked, not the group; it is taken before
	// the signal, while the parent links still hold.
	pid := p.cmd.Process.Pid
	forked := descendants(pid)
	if !p.exited() {
		_ = p.cmd.Process.Signal(sig)
		if !p.waitExit(grace) {
			_ = p.cmd.Process.Kill()
			if !p.waitExit(5 * time.Second) {
				return fmt.Errorf("testserver: %s (pid %d) did not exit within %s of SIGKILL", p.name, pid, 5*time.Second)
			}
		}
	}
	if left := waitGone(forked, 10*time.Second); len(left) > 0 {
		for _, c := range left {
			_ = syscall.Kill(c, syscall.SIGKILL)
		}
		if left = waitGone(left, 5*time.Second); len(left) > 0 {
			return fmt.Errorf("testserver: processes of %s survived it: %v", p.name, left)
		}
		return fmt.Errorf("testserver: processes of %s outlived it and had to be killed: %v", p.name, left)
	}
	return nil
}

// waitGone polls until none of pids is alive or d has passed, and returns
// the ones still alive.
func waitGone(pids []int, d time.Duration) []int {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var left []int
		for _, pid := range pids {
			if alive(pid) {
				left = append(left, pid)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		<-tick.C
	}
}

// stat reads a process's state and parent from /proc (Linux; elsewhere the
// stragglers of a server are not tracked); ok is false if the process does
// not exist.
func stat(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, false
	}
	// "pid (comm) S ppid ...": comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return f[0][0], ppid, true
}

// alive reports whether pid runs; a zombie (exited, not yet reaped by
// whoever inherited it) does not.
func alive(pid int) bool {
	st, _, ok := stat(pid)
	return ok && st != 'Z' && st != 'X'
}

// descendants returns every live process forked, directly or not, by root.
func descendants(root int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, ok := stat(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, c := range children[pid] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// supported: servers can be started here.
const supported = true

// runAs is the user a server runs as.
type runAs struct{ uid, gid uint32 }

// poll calls f every 10ms until it reports done or d has passed. It returns
// f's last error, or one saying the wait timed out.
func poll(d time.Duration, what string, f func() (done bool, err error)) error {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		done, err := f()
		if done {
			return err
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("no answer")
			}
			return fmt.Errorf("testserver: %s not within %s: %w", what, d, err)
		}
		<-tick.C
	}
}
