package money_test

import (
	"testing"

	"github.com/paybridge/paybridge/money"
)

// Sinks keep the compiler from discarding the benchmarked work.
var (
	sinkAmount money.Amount
	sinkString string
	sinkBytes  []byte
	sinkErr    error
)

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkAmount, sinkErr = money.Parse("19.99 CAD")
	}
}

func BenchmarkParseMajor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkAmount, sinkErr = money.ParseMajor("19.99", money.CAD)
	}
}

func BenchmarkParseMinor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkAmount, sinkErr = money.ParseMinor("1999", money.CAD)
	}
}

func BenchmarkString(b *testing.B) {
	a := money.MustParse("19.99 CAD")
	b.ReportAllocs()
	for b.Loop() {
		sinkString = a.String()
	}
}

func BenchmarkMajor(b *testing.B) {
	a := money.MustParse("19.99 CAD")
	b.ReportAllocs()
	for b.Loop() {
		sinkString = a.Major()
	}
}

func BenchmarkMinorString(b *testing.B) {
	a := money.MustParse("19.99 CAD")
	b.ReportAllocs()
	for b.Loop() {
		sinkString = a.MinorString()
	}
}

func BenchmarkAppendMinor(b *testing.B) {
	a := money.MustParse("19.99 CAD")
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendMinor(buf[:0])
	}
	sinkBytes = buf
}

func BenchmarkMarshalJSON(b *testing.B) {
	a := money.MustParse("19.99 CAD")
	b.ReportAllocs()
	for b.Loop() {
		sinkBytes, sinkErr = a.MarshalJSON()
	}
}

func BenchmarkUnmarshalJSON(b *testing.B) {
	in := []byte(`{"currency":"CAD","value":"1999"}`)
	b.ReportAllocs()
	for b.Loop() {
		sinkErr = sinkAmount.UnmarshalJSON(in)
	}
}

func BenchmarkUnmarshalJSONNumber(b *testing.B) {
	in := []byte(`{"currency":"CAD","value":1999}`)
	b.ReportAllocs()
	for b.Loop() {
		sinkErr = sinkAmount.UnmarshalJSON(in)
	}
}
