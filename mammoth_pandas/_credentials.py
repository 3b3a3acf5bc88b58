"""Credentials: values that no ``repr``, log line or message shows, and the masking of a
server's text that echoes them.

- :class:`Secret` holds one credential; its ``repr`` and ``str`` are a mask, it cannot be
  pickled, and only :meth:`Secret.reveal` returns the value.
- :class:`MammothAuth` puts the key pair or the bearer token on each request, nowhere else.
- :func:`masker` builds the function that replaces each credential (and its JSON-escaped
  form) by :data:`MASK` in a text; :func:`mask_value` applies it through parsed JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from mammoth_pandas import contract as C

__all__ = ["MASK", "MammothAuth", "Secret", "mask_value", "masker"]

#: What replaces a credential wherever a server's text echoes it.
MASK = "********"
#: Credentials shorter than this are not searched for in a server's text (masking every
#: occurrence of a two-letter string would garble messages; real keys are far longer).
MASK_MIN_LENGTH = 6


class Secret:
    """A credential whose ``repr`` and ``str`` never show it; ``reveal()`` returns it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


class MammothAuth(requests.auth.AuthBase):
    """Adds the key pair (``X-API-KEY``/``X-API-SECRET``) or the bearer token to a request."""

    def __init__(
        self,
        *,
        api_key: Secret | None = None,
        api_secret: Secret | None = None,
        token: Secret | None = None,
    ) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._token = token

    @property
    def kind(self) -> str:
        return "token" if self._token else "api_key"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        else:
            assert self._api_key is not None
            assert self._api_secret is not None
            request.headers[C.HEADER_API_KEY] = self._api_key.reveal()
            request.headers[C.HEADER_API_SECRET] = self._api_secret.reveal()
        return request

    def revealed(self) -> list[str]:
        """The credentials' values, for masking them in a server's text (never to show)."""
        secrets = (self._token, self._api_key, self._api_secret)
        return [s.reveal() for s in secrets if s is not None and s.reveal()]

    def __repr__(self) -> str:
        return f"MammothAuth(kind={self.kind!r})"


Mask = Callable[[str], str]


def _no_mask(text: str) -> str:
    return text


def masker(values: list[str]) -> Mask:
    """A function replacing each of ``values`` (and their JSON-escaped forms) by :data:`MASK`."""
    forms = sorted(
        {f for v in values if len(v) >= MASK_MIN_LENGTH for f in (v, json.dumps(v)[1:-1])},
        key=len,
        reverse=True,
    )

    def mask(text: str) -> str:
        for form in forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    return mask if forms else _no_mask


def mask_value(value: Any, mask: Mask) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {mask_value(k, mask): mask_value(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, mask) for v in value]
    return value
