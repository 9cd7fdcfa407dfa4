//go:build linux || darwin || freebsd || netbsd || openbsd

package bench

import (
	"syscall"
	"time"
)

// haveProcessCPU: processCPU works here.
const haveProcessCPU = true

// processCPU returns the CPU time (user and system) this process has used,
// all its threads together: on Linux the scheduler's exact runtime,
// reported in microseconds.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
