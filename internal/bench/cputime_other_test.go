//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package bench

import "time"

const haveProcessCPU = false

func processCPU() time.Duration { return 0 }
