"""The ``mammoth-pandas`` command line.

Each top-level command is a module with a ``main(argv)`` that takes the arguments after
the command word; this package only dispatches, through the plain table :data:`COMMANDS`.
A new command is a new module and one line in that table.

- ``whoami``     the credential's workspace and projects (:mod:`mammoth_pandas.cli.whoami`)
- ``projects …`` list (:mod:`mammoth_pandas.cli.projects`)
- ``batches …``  list, get, data, create, remove, suspend, restore, delete
  (:mod:`mammoth_pandas.cli.batches`)
- ``datasets …`` list, schema, stats (:mod:`mammoth_pandas.cli.datasets`)
- ``jobs …``     get (:mod:`mammoth_pandas.cli.jobs`)
- ``sandbox``    run the local sandbox server (:mod:`mammoth_pandas.sandbox.cli`)
- ``demo``       the demo against an embedded sandbox (:mod:`mammoth_pandas.demo`)
- ``lab``        JupyterLab on the notebooks with a sandbox running (:mod:`mammoth_pandas.lab`)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

__all__ = ["COMMANDS", "main"]

#: Command word -> (module with ``main(argv)``, one line of help). Modules are imported
#: only when their command runs, so ``mammoth-pandas --help`` stays quick.
COMMANDS: dict[str, tuple[str, str]] = {
    "whoami": ("mammoth_pandas.cli.whoami", "the credential's workspace and its projects"),
    "projects": ("mammoth_pandas.cli.projects", "list a workspace's projects"),
    "batches": ("mammoth_pandas.cli.batches", "list and act on a dataset's batches"),
    "datasets": ("mammoth_pandas.cli.datasets", "list datasets, show a dataset's schema"),
    "jobs": ("mammoth_pandas.cli.jobs", "show jobs"),
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
    """Run ``mammoth-pandas COMMAND …``; ``argv`` defaults to ``sys.argv[1:]``.

    Returns:
        The exit status: 0 success, 1 an error from the server or a failed job, 2 bad
        usage or missing credentials.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"mammoth-pandas: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    code: int = module.main(rest)
    return code
