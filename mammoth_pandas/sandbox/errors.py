"""The sandbox's one error envelope, rendered in one place.

Every error answer carries both envelopes the contract knows, so that every known client
parses it: the classic ``{status_code, detail, extra}`` and the business
``{error_code, name, message}``.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

#: name -> (status, error code) of every error the sandbox answers with.
ERRORS: dict[str, tuple[int, str]] = {
    "INVALID_PARAMETER": (400, "4SBX001"),
    "INVALID_REQUEST_BODY": (400, "4SBX002"),
    "INVALID_MAPPING": (400, "4BATC011"),
    "INVALID_SOURCE_DATASET": (400, "4BATC010"),
    "INVALID_BATCH_IDS": (400, "4BATC020"),
    "BATCH_BUSY": (400, "4BATC021"),
    "UNAUTHORIZED": (401, "4SBX401"),
    "FORBIDDEN": (403, "4SBX403"),
    "NOT_FOUND": (404, "4SBX404"),
    "METHOD_NOT_ALLOWED": (405, "4SBX405"),
    "IDEMPOTENCY_KEY_REUSED": (409, "4SBX409"),
    "BATCH_BEING_DELETED": (409, "4BATC022"),
    "PAYLOAD_TOO_LARGE": (413, "4SBX413"),
    "TOO_MANY_REQUESTS": (429, "4SBX429"),
    "INTERNAL_ERROR": (500, "5SBX500"),
    "BAD_GATEWAY": (502, "5SBX502"),
    "SERVICE_UNAVAILABLE": (503, "5SBX503"),
}


class ApiError(Exception):
    """An error answer: raise it anywhere in a handler, :func:`render` turns it into JSON.

    ``extra`` is a list of ``{"key": ..., "message": ...}`` naming the offending inputs
    (``"limit"``, ``"mapping.0.source_c_id"``), or ``{}``.
    """

    def __init__(
        self,
        name: str,
        detail: str,
        *,
        extra: list[dict[str, str]] | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if name not in ERRORS:
            raise KeyError(name)
        self.name = name
        self.status, self.error_code = ERRORS[name]
        self.detail = detail
        self.extra: list[dict[str, str]] | dict[str, Any] = extra if extra is not None else {}
        self.headers = headers or {}
        super().__init__(detail)

    def body(self) -> dict[str, Any]:
        """The error envelope (classic and business fields) as JSON data."""
        return {
            "status_code": self.status,
            "detail": self.detail,
            "extra": self.extra,
            "error_code": self.error_code,
            "name": self.name,
            "message": self.detail,
        }


def param_error(key: str, message: str) -> ApiError:
    """A 400 naming one query or path parameter (or a body field, as a dotted path)."""
    return ApiError(
        "INVALID_PARAMETER",
        f"Invalid value for '{key}': {message}",
        extra=[{"key": key, "message": message}],
    )


def body_error(key: str, message: str, *, name: str = "INVALID_REQUEST_BODY") -> ApiError:
    """A 400 naming one field of the request body as a dotted path (``mapping.0.source_c_id``)."""
    return ApiError(name, f"{key}: {message}", extra=[{"key": key, "message": message}])


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``body`` as a compact JSON response with ``status`` and ``headers``."""
    return Response(
        json.dumps(body, separators=(",", ":")),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def render(error: ApiError) -> Response:
    """The only place an error answer is built."""
    return json_response(error.body(), error.status, error.headers)
