package main

import (
	"fmt"
	"os"
	"sync"
)

// programTB lets the soak command start its servers with
// internal/testserver outside a test: Cleanup runs at the end of the run,
// Fatal and Skip stop it (a server that cannot run here is a failure, not
// a skip), Errorf is remembered.
type programTB struct {
	mu       sync.Mutex
	cleanups []func()
	failed   bool
	dir      string
}

// stopRun is the panic Fatal and Skip raise; run recovers it.
type stopRun struct{ msg string }

func (p *programTB) Helper() {}

func (p *programTB) Cleanup(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleanups = append(p.cleanups, f)
}

func (p *programTB) TempDir() string {
	d, err := os.MkdirTemp(p.dir, "soak-")
	if err != nil {
		p.Fatalf("soak: %v", err)
	}
	p.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func (p *programTB) Errorf(format string, args ...any) {
	p.mu.Lock()
	p.failed = true
	p.mu.Unlock()
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func (p *programTB) Fatal(args ...any) { panic(stopRun{fmt.Sprint(args...)}) }

func (p *programTB) Fatalf(format string, args ...any) {
	panic(stopRun{fmt.Sprintf(format, args...)})
}

func (p *programTB) Skip(args ...any) { panic(stopRun{fmt.Sprint(args...)}) }

// close runs the cleanups, last registered first.
func (p *programTB) close() {
	p.mu.Lock()
	cs := p.cleanups
	p.cleanups = nil
	p.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

func (p *programTB) hasFailed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}
