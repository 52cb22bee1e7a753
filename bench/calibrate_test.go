package bench

import "testing"

func TestParseBenchmarkCSV(t *testing.T) {
	out := "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n" +
		"\"SET\",\"25000.00\",\"1.204\",\"0.096\",\"0.559\",\"5.799\",\"6.207\",\"7.375\"\n"
	got, err := parseBenchmarkCSV([]byte("SET: rps=1000.0 (overall: 900.0)\r" + out))
	if err != nil || got != 25000 {
		t.Fatalf("parseBenchmarkCSV = %v, %v", got, err)
	}
	if _, err := parseBenchmarkCSV([]byte("garbage")); err == nil {
		t.Fatal("garbage parsed")
	}
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Fatalf("median = %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Fatalf("median = %v", m)
	}
}
