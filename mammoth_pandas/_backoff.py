"""The one backoff schedule of the client, and the reading of ``Retry-After``.

Every wait between two attempts (a read or write retried by the transport, a job polled
until it ends) comes from :func:`delay`: ``first`` seconds after the first attempt,
growing by ``factor`` each time, never more than ``cap``. The schedule is deterministic
(no jitter), so that tests can assert the exact waits.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["CAP", "FACTOR", "FIRST", "delay", "retry_after"]

#: The transport's schedule: 0.2 s, 0.4 s, 0.8 s, … at most 5 s.
FIRST = 0.2
FACTOR = 2.0
CAP = 5.0


def delay(attempt: int, *, first: float = FIRST, factor: float = FACTOR, cap: float = CAP) -> float:
    """The wait after failed attempt number ``attempt`` (1 for the first).

    Args:
        attempt: How many attempts have failed so far (at least 1).
        first: The wait after the first attempt, in seconds.
        factor: How much each wait grows over the one before.
        cap: The longest wait, in seconds.

    Returns:
        ``min(cap, first * factor ** (attempt - 1))``.
    """
    exponent = max(0, attempt - 1)
    if factor > 1 and exponent > math.log(max(cap, first) / first, factor) + 1:
        return cap  # far past the cap: no float overflow for a huge attempt count
    return float(min(cap, first * factor**exponent))


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, read as well as it can be.

    Accepts a number of seconds, fractions included (``"1.5"``), and an HTTP date (a date
    in the past means now: ``0.0``). Anything else (empty, negative, not a number or a
    date, ``nan``, infinite) counts as absent: ``None``, so that the caller's backoff
    applies.

    Args:
        value: The header's value, or ``None`` when the answer had none.
        now: The current time (for tests); default the real UTC time.

    Returns:
        The wait in seconds, or ``None``.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())
