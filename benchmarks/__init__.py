"""Benchmarks: runners that time fakescope's stages and keep their results in `benchmarks/results/`."""
