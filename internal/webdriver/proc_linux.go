package webdriver

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// setProcAttr puts chromedriver in a process group of its own, which the
// browser it starts joins, so that killGroup ends them together. (Not
// Pdeathsig: it fires when the thread that started the process exits, not
// the process, and would end only chromedriver anyway.)
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills chromedriver's process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}

// owned lists the running processes of a Driver: those in chromedriver's
// process group (the browser and most of its helpers) and those whose
// environment carries mark (a crash handler that left the group for a
// session of its own). A zombie no longer runs and is not listed.
func owned(mark string, pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := []byte(markerEnv + "=" + mark + "\x00")
	self := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone
		}
		// "pid (comm) state ppid pgrp ...": comm may hold anything, so
		// read after its last parenthesis.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); pgid > 0 && g == pgid {
			out = append(out, pid)
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(append(env, 0), want) {
			out = append(out, pid)
		}
	}
	return out
}

// sweep kills every process owned lists and waits until none is left or
// timeout has passed; it returns those still running then. They are not
// this process's children (their parent was chromedriver), so it cannot
// wait for them and looks again every few milliseconds instead.
func sweep(mark string, pgid int, timeout time.Duration) []int {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		left := owned(mark, pgid)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		<-tick.C
	}
}
