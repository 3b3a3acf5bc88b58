"""What each read's answer must hold, and the records of one listing page.

The transport checks every 2xx body against the :class:`~mammoth_pandas._transport.Expect`
given for the read; a body that does not match is fetched again, then refused. The
listing helpers here sit beside the pager (:mod:`mammoth_pandas._paging`), which calls
them through the client for every page.
"""

from __future__ import annotations

from typing import Any

from mammoth_pandas._paging import Page
from mammoth_pandas._transport import Expect
from mammoth_pandas.errors import MammothConnectionError

__all__ = [
    "BATCH",
    "BATCH_LISTING",
    "COLUMN_STATS",
    "DATASET",
    "DATASET_LISTING",
    "JOB",
    "JOB_LISTING",
    "PROJECT_LISTING",
    "WORKSPACE_LISTING",
    "Records",
    "listing_page",
    "listing_records",
    "page_records",
]

#: Records as the API sends them: one dict per batch, dataset or job.
Records = list[dict[str, Any]]

#: What each read's answer must hold; any other 2xx body is fetched again, then refused.
BATCH_LISTING = Expect("batches", list, "a batch listing")
BATCH = Expect("batch", dict, "a batch")
DATASET_LISTING = Expect("datasets", list, "a dataset listing")
DATASET = Expect("dataset", dict, "a dataset")
JOB_LISTING = Expect("jobs", list, "a job listing")
JOB = Expect("job", dict, "a job")
WORKSPACE_LISTING = Expect("workspaces", list, "a workspace listing")
PROJECT_LISTING = Expect("projects", list, "a project listing")
COLUMN_STATS = Expect("datasets", list, "column statistics")


def listing_records(body: Any, expect: Expect) -> tuple[Records, Any]:
    """A listing page's records under ``expect.key`` and its ``next``.

    Items that are not objects are skipped.

    Raises:
        MammothConnectionError: the body is not the listing ``expect`` describes.
    """
    if not expect.matches(body):
        raise MammothConnectionError(f"the answer was not {expect.describe()}", applied=False)
    return [item for item in body[expect.key] if isinstance(item, dict)], body.get("next")


def listing_page(body: Any, expect: Expect, *, total_key: str | None = None) -> Page:
    """A listing page as the pager reads it: its items as sent (the pager checks each and
    names the page of a bad one), its ``next``, the ``limit`` echoed and, under
    ``total_key``, the server's count of the whole listing.

    Raises:
        MammothConnectionError: the body is not the listing ``expect`` describes.
    """
    if not expect.matches(body):
        raise MammothConnectionError(f"the answer was not {expect.describe()}", applied=False)
    return Page.from_body(body, expect.key, total_key=total_key)


def page_records(body: Any) -> tuple[Records, Any]:
    """A batch listing page's records and its ``next`` (see :func:`listing_records`)."""
    return listing_records(body, BATCH_LISTING)
