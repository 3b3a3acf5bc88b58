"""JSON bodies → Python values, fast, exactly, and with the exceptions of ``json.loads``.

Answers are decoded with msgspec's JSON decoder (written in C, several times the speed of
the standard library on listing pages, and exact on integers of any size). What msgspec
refuses but the standard library reads (``NaN``, ``Infinity``, numbers beyond a
double's range) is decoded again with :func:`json.loads`, so that one odd value in a
page does not turn the whole answer into an error: the frame builders then turn such
values into missing ones. It raises what :func:`json.loads` raises: :class:`ValueError`
for what is not JSON, :class:`RecursionError` for JSON nested too deeply to decode.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

__all__ = ["loads"]

_decoder = msgspec.json.Decoder()


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Decode one JSON document; :class:`ValueError` when it is not one.

    Args:
        data: The body, as bytes (UTF-8) or text.

    Returns:
        The decoded value: dicts, lists, str, int, float, bool and ``None``.

    Raises:
        ValueError: The body is not JSON.
        RecursionError: The body is JSON nested too deeply to decode.
    """
    try:
        return _decoder.decode(data)
    except (msgspec.DecodeError, RecursionError):
        pass
    return json.loads(bytes(data) if isinstance(data, (bytearray, memoryview)) else data)
