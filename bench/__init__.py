"""Benchmarks of the maitred services and the seeded restaurant days they run against."""
