"""Benchmarks of kolab-dns at fleet scale (issue 6): `make bench` runs bench/run.py."""
