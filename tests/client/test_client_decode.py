"""Decoding answers: fast path, the standard library's leniency kept, errors of one kind."""

from __future__ import annotations

import json
import math

import pytest

from mammoth_pandas._decode import loads


def test_decodes_like_the_standard_library() -> None:
    body = b'{"batches": [{"id": 1, "name": "caf\\u00e9", "n": -2.5, "ok": true}], "next": null}'
    assert loads(body) == json.loads(body)
    assert loads(body.decode()) == json.loads(body)
    assert loads(memoryview(body)) == json.loads(body)


def test_integers_of_any_size_stay_exact() -> None:
    assert loads(b'{"id": 123456789012345678901234567890}') == {
        "id": 123456789012345678901234567890
    }


def test_nan_and_infinity_are_read_rather_than_failing_the_page() -> None:
    value = loads(b'{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e400}')
    assert math.isnan(value["a"])
    assert value["b"] == value["d"] == math.inf
    assert value["c"] == -math.inf


@pytest.mark.parametrize("body", [b"", b'{"batches": [', b"\xff\xfe", b"nope"])
def test_what_is_not_json_raises_value_error_only(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the one promised kind, whatever the cause
        loads(body)


def test_json_nested_too_deeply_raises_recursion_error_as_json_loads_does() -> None:
    with pytest.raises(RecursionError):
        loads(b"[" * 100_000 + b"]" * 100_000)
