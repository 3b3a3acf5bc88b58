"""``python -m mammoth_pandas``: the command-line interface."""

from mammoth_pandas.cli import main

raise SystemExit(main())
