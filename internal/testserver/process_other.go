//go:build !unix

package testserver

import (
	"errors"
	"os/exec"
	"syscall"
	"time"
)

// process is a stand-in where servers are not started: startProcess always
// fails, and the Start functions skip before calling it.
type process struct{ out *syncBuffer }

const supported = false

type runAs struct{ uid, gid uint32 }

func startProcess(string, *exec.Cmd, *runAs, syscall.Signal) (*process, error) {
	return nil, errors.ErrUnsupported
}

func (*process) wait() error                              { return errors.ErrUnsupported }
func (*process) exited() bool                             { return true }
func (*process) stop(syscall.Signal, time.Duration) error { return nil }

func poll(time.Duration, string, func() (bool, error)) error { return errors.ErrUnsupported }
