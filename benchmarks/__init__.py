"""Benchmarks: `python -m benchmarks` (or `make bench`) measures the engine and analytics.

No timing is asserted in the tests; these numbers are printed next to their goals instead.
"""
