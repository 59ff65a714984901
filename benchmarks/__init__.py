"""Benchmarks: measurements, not tests (pytest does not collect them). See README.md here."""
