"""Throughput and latency benchmarks; they print figures, tests never assert timings."""
