"""Benchmarks: each module prints a table; run them with `make bench` (none is a test)."""
