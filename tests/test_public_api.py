"""The public surface: a sorted ``__all__`` whose every name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mammoth_pandas


def test_all_is_sorted_and_unique() -> None:
    names = mammoth_pandas.__all__
    assert names == sorted(names)
    assert len(names) == len(set(names))


def test_every_exported_name_resolves() -> None:
    for name in mammoth_pandas.__all__:
        assert getattr(mammoth_pandas, name) is not None, name


def test_exceptions_share_one_root() -> None:
    for name in mammoth_pandas.__all__:
        value = getattr(mammoth_pandas, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, mammoth_pandas.MammothError), name


def test_input_errors_are_value_errors_naming_the_field() -> None:
    error = mammoth_pandas.MammothInputError(
        "limit", "must be between 0 and 100", accepted="0..100"
    )
    assert isinstance(error, ValueError)
    assert str(error) == "limit: must be between 0 and 100 (accepted: 0..100)"
    assert issubclass(mammoth_pandas.NotFoundError, LookupError)
    assert issubclass(mammoth_pandas.JobTimeoutError, TimeoutError)


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="does_not_exist"):
        mammoth_pandas.does_not_exist  # noqa: B018


def test_import_is_cheap() -> None:
    """Importing the package does not pull in widgets, the sandbox or the mapping helper."""
    code = (
        "import sys, mammoth_pandas; "
        "heavy = [m for m in ('ipywidgets', 'werkzeug', 'scipy', 'mammoth_pandas.sandbox') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
