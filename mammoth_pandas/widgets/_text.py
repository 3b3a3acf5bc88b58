"""Words the panels show: counts, lists of ids, and what went wrong in a sentence."""

from __future__ import annotations

from collections.abc import Sequence

from mammoth_pandas.errors import (
    AuthenticationError,
    JobFailedError,
    JobTimeoutError,
    MammothAPIError,
    MammothConnectionError,
    MammothError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

__all__ = ["describe_error", "describe_ids", "plural"]


def describe_ids(ids: Sequence[int], *, limit: int = 10) -> str:
    """``12, 14, 15`` or, for long lists, ``1, 2, … 40 (and 30 more)``."""
    shown = [str(i) for i in ids[:limit]]
    text = ", ".join(shown)
    if len(ids) > limit:
        text += f" … (and {len(ids) - limit} more)"
    return text


def plural(count: int, one: str, many: str) -> str:
    """``1 batch``, ``3 batches``."""
    return f"{count} {one if count == 1 else many}"


def describe_error(exc: BaseException, *, doing: str | None = None) -> str:
    """Say in words what went wrong; never includes a credential (the errors carry none)."""
    return _sentence((f"{doing} failed: " if doing else "") + _what_went_wrong(exc))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _what_went_wrong(exc: BaseException) -> str:
    if isinstance(exc, RateLimitError):
        wait = f" in {exc.retry_after:g} s" if exc.retry_after else " in a moment"
        return f"the server is rate limiting requests; try again{wait}"
    if isinstance(exc, MammothConnectionError):
        detail = str(exc).strip().rstrip(".")
        return f"lost the connection to the server ({detail}). Check it and press Refresh"
    if isinstance(exc, JobFailedError):
        return f"job {exc.job.id} ended as {exc.job.status}: {exc.reason or 'no reason given'}"
    if isinstance(exc, JobTimeoutError):
        return (
            f"job {exc.job.id} is still running; it may finish on the server. Press Refresh later"
        )
    if isinstance(exc, AuthenticationError):
        return f"the server refused the credentials ({exc.status})"
    if isinstance(exc, NotFoundError):
        return f"not found on the server: {_api_text(exc)}"
    if isinstance(exc, ServerError):
        return f"the server failed ({exc.status}): {_api_text(exc)}"
    if isinstance(exc, MammothAPIError):
        return f"the server answered {exc.status}: {_api_text(exc)}"
    if isinstance(exc, MammothError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def _api_text(exc: MammothAPIError) -> str:
    text = exc.detail or str(exc)
    return text.rstrip(".")
