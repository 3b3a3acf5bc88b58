"""The ``mammoth-pandas`` command line.

Each top-level command lives in the module that owns it; this module only dispatches:

- ``batches …``  list, get, create, remove, suspend, restore, delete
  (``mammoth_pandas.cli_batches``)
- ``sandbox``    run the local sandbox server (``mammoth_pandas.sandbox.cli``)
- ``demo``       the demo against an embedded sandbox (``mammoth_pandas.demo``)
- ``lab``        JupyterLab on the notebooks with a sandbox running (``mammoth_pandas.lab``)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, tuple[str, str]] = {
    "batches": ("mammoth_pandas.cli_batches", "list and act on a dataset's batches"),
    "datasets": ("mammoth_pandas.cli_batches", "list datasets, show a dataset's schema"),
    "jobs": ("mammoth_pandas.cli_batches", "show jobs"),
    "sandbox": ("mammoth_pandas.sandbox.cli", "run the local Mammoth API sandbox"),
    "demo": ("mammoth_pandas.demo", "run the demo against an embedded sandbox"),
    "lab": ("mammoth_pandas.lab", "open JupyterLab on the notebooks with a sandbox running"),
}


def _usage() -> str:
    lines = ["usage: mammoth-pandas COMMAND [options]", "", "commands:"]
    width = max(map(len, COMMANDS))
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'mammoth-pandas COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"mammoth-pandas: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    code: int = module.main(args if COMMANDS[name][0].endswith("cli_batches") else rest)
    return code
