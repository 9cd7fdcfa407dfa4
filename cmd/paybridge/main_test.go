package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDemoRunsEndToEnd(t *testing.T) {
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"demo", "--no-qr"}, &out, &errs)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{
		"notification      delivered once, acknowledged",
		"payment now partially_refunded",
		"payment now refunded",
		"unknown outcome",
		"charges under DEMO-ALPHAPAY-2: 1",
		"== Alipay+ wallet",
		"redirect to the cashier",
		"charges under DEMO-ALIPAYPLUS-2: 1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoDrawsTheQRCode(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, &out, &out); code != exitOK {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "▄▄▄▄▄") {
		t.Errorf("no QR code drawn:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), nil, &out, &errs); code != exitUsage || !strings.Contains(out.String(), "demo") {
		t.Errorf("no args: exit %d, %q", code, out.String())
	}
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errs); code != exitUsage || !strings.Contains(errs.String(), "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errs.String())
	}
	if code := run(context.Background(), []string{"demo", "--bogus"}, &out, &errs); code != exitUsage {
		t.Errorf("bad flag: exit %d", code)
	}
}
