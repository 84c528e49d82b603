"""Benchmarks (spec §7): Dolt, polecat spawn and convoy; their results and comparisons."""
