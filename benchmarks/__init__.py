"""Benchmarks of budgetgen's writers: `python -m benchmarks.<name>` from the repository root."""
