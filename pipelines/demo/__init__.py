"""Synthetic deliveries for the offline demo and the benchmarks."""
