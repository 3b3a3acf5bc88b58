"""Run every ``bench/bench_*.py`` module's ``run()`` and print their markdown.

::

    python -m bench                     # everything, full size
    python -m bench listing             # one benchmark (or: --only listing)
    python -m bench --scale 2000        # a quick smoke run (passed to benchmarks taking it)
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def modules() -> list[str]:
    """The benchmark module names (without the ``bench_`` prefix), sorted."""
    here = Path(__file__).resolve().parent
    names = [m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")]
    return sorted(name.removeprefix("bench_") for name in names)


def run_one(name: str, options: dict[str, Any]) -> str:
    module = importlib.import_module(f"bench.bench_{name}")
    accepted = inspect.signature(module.run).parameters
    kwargs = {k: v for k, v in options.items() if v is not None and k in accepted}
    return str(module.run(**kwargs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"run only these: {', '.join(modules())}")
    parser.add_argument("--only", action="append", choices=modules(), help="run only these")
    parser.add_argument("--scale", type=int, help="dataset size, for benchmarks that take one")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    unknown = sorted(set(args.names) - set(modules()))
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; there are: {', '.join(modules())}")
    for name in [*args.names, *(args.only or [])] or modules():
        print(f"## {name}\n")
        print(run_one(name, {"scale": args.scale}))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
