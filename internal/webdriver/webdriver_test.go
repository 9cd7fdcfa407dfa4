package webdriver

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the browser's processes are listed from /proc")
	}
	for _, p := range []string{ChromiumPath, ChromeDriverPath} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing; .ci/run installs Debian's chromium and chromium-driver", p)
			}
			t.Skipf("%s not installed (apt-get install chromium chromium-driver)", p)
		}
	}
}

// start runs a browser with a page open and returns it with the processes
// it runs.
func start(t *testing.T, ctx context.Context) (*Driver, []int) {
	t.Helper()
	d, err := Start(ctx, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() }) // in case an assertion below stops the test
	require.NoError(t, d.Open(ctx, `data:text/html,<p id="p">hello</p>`))
	got, err := d.Text(ctx, "#p")
	require.NoError(t, err)
	require.Equal(t, "hello", got)
	running := d.Remaining()
	// chromedriver, the browser and its helpers.
	require.GreaterOrEqual(t, len(running), 3, "the browser's processes are not all listed")
	return d, running
}

// The old failure: the caller's context ends before Close (a deferred
// cancel runs before t.Cleanup), which used to kill chromedriver alone and
// leave the whole browser running.
func TestCloseAfterTheContextEnded(t *testing.T) {
	needBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	d, running := start(t, ctx)
	cancel()
	require.NoError(t, d.Close())
	assert.Empty(t, d.Remaining(), "of %v", running)
	require.NoError(t, d.Close(), "a second Close")
}

// chromedriver dies without ending the session (a crash, a kill): Close
// still finds the browser and its detached helpers and ends them.
func TestCloseAfterChromedriverDied(t *testing.T) {
	needBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, running := start(t, ctx)
	require.NoError(t, syscall.Kill(d.cmd.Process.Pid, syscall.SIGKILL))
	select {
	case <-d.exited:
	case <-ctx.Done():
		t.Fatal("chromedriver did not die")
	}
	assert.NotEmpty(t, d.Remaining(), "the browser died with chromedriver: this test proves nothing")
	require.NoError(t, d.Close())
	assert.Empty(t, d.Remaining(), "of %v", running)
}
