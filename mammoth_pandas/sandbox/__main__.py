"""``python -m mammoth_pandas.sandbox``: the same as ``mammoth-pandas sandbox``."""

from __future__ import annotations

import sys

from mammoth_pandas.sandbox.cli import main

sys.exit(main())
