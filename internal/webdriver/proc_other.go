//go:build !linux

package webdriver

import (
	"os/exec"
	"time"
)

// Elsewhere than Linux the browser's processes cannot be listed: Close ends
// the session and kills chromedriver, and Remaining reports nothing.

func setProcAttr(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func owned(string, int) []int { return nil }

func sweep(string, int, time.Duration) []int { return nil }
