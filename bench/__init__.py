"""Benchmarks of mammoth-pandas. Run them all with ``python -m bench`` from the repository
root; each ``bench/bench_*.py`` module has a ``run() -> str`` returning markdown."""
