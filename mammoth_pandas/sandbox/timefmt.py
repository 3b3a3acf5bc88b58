"""The contract's timestamp form, shared by the store and the seed."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(moment: datetime) -> str:
    """``moment`` in UTC as ``2024-02-04T14:44:41.532345Z``.

    Fixed width, so that text order is time order.
    """
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    """The current moment in the contract's form."""
    return iso(datetime.now(timezone.utc))
