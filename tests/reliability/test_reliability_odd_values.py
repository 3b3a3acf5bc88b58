"""Values no column can hold, from a server of our own over real HTTP: they become missing
with one warning naming their count, and never sink the listing around them.

The server is a small Werkzeug app serving 100,000 batches whose pages are rendered
once; a few records carry what buggy deployments send: sentinel dates beyond what
``datetime64[ns]`` holds, ``NaN``/``Infinity`` literals (not JSON, but what Python's own
encoder writes), text where a time or a count belongs, a number as a name, an unknown
state, a string where an object belongs.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pandas as pd
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mammoth_pandas import MammothClient, frames

SCALE = 100_000
FIRST = 1
_PATH = re.compile(r"^/api/v2/workspaces/1/projects/1/datasets/5/batches$")

#: id → the raw JSON of its odd fields (merged into a well-formed record).
ODD: dict[int, str] = {
    7: '"created_at": "0001-01-01T00:00:00Z"',
    8: '"created_at": "9999-12-31T23:59:59.999999Z"',
    9: '"row_count": NaN',
    10: '"row_count": -Infinity, "column_count": Infinity',
    11: '"created_at": "yesterday"',
    12: '"name": 12345, "state": "brand_new", "source": "not an object", "description": [1]',
    50_000: '"row_count": 1e400, "created_at": 12',
    99_999: '"row_count": "many", "column_count": 2.5',
}


def _record(number: int) -> bytes:
    record = {
        "id": number,
        "name": f"batch {number}",
        "state": "active",
        "created_at": f"2024-01-{1 + number % 28:02d}T10:00:00.000000Z",
        "description": {},
        "row_count": number % 1000,
        "column_count": 3,
        "source": {"type": "file", "file_name": f"b{number}.csv"},
    }
    if number not in ODD:
        return json.dumps(record).encode()
    for name in re.findall(r'"(\w+)":', ODD[number]):  # the odd fields replace these
        del record[name]
    return (json.dumps(record)[:-1] + ", " + ODD[number] + "}").encode()


class OddServer:
    """The listing, served by Werkzeug on a loopback port in a thread of its own."""

    def __init__(self) -> None:
        self.rows = [_record(n) for n in range(FIRST, FIRST + SCALE)]
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api/v2"

    @Request.application  # type: ignore[arg-type]
    def app(self, request: Request) -> Response:
        if not _PATH.match(request.path):
            return Response(b'{"detail": "not found"}', 404, content_type="application/json")
        limit = min(100, int(request.args.get("limit", "100")))
        offset = int(request.args.get("offset", "0"))
        page = self.rows[offset : offset + limit]
        more = offset + limit < len(self.rows)
        nxt = f"{request.path}?limit={limit}&offset={offset + limit}" if more else ""
        tail = json.dumps({"next": nxt, "offset": offset, "limit": limit})
        body = b'{"batches": [' + b", ".join(page) + b"], " + tail[1:].encode()
        return Response(body, 200, content_type="application/json")

    def __enter__(self) -> OddServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=30)
        self.server.server_close()


@pytest.fixture(scope="module")
def odd_listing() -> tuple[pd.DataFrame, list[Any]]:
    with OddServer() as server:
        client = MammothClient(server.url, api_key="k", api_secret="s")
        with pytest.warns(frames.ValueWarning) as caught:
            df = client.batches.list(1, 1, 5)
    return df, [str(w.message) for w in caught if issubclass(w.category, frames.ValueWarning)]


def test_the_rendered_odd_records_are_what_the_test_says() -> None:
    assert json.loads(_record(7))["created_at"] == "0001-01-01T00:00:00Z"
    assert b'"row_count": NaN' in _record(9)
    assert _record(9).count(b'"row_count"') == 1
    assert json.loads(_record(12))["source"] == "not an object"
    assert json.loads(_record(1))["source"] == {"type": "file", "file_name": "b1.csv"}


def test_one_odd_record_never_sinks_a_100000_row_listing(odd_listing) -> None:
    df, _ = odd_listing
    assert len(df) == SCALE
    assert list(df.index[:3]) == [1, 2, 3]
    assert df.index.is_unique
    assert df.index.dtype == "int64"
    assert list(df.columns) == [c.name for c in frames.BATCH_COLUMNS if c.name != "data_schema"]
    assert df.created_at.dtype == frames.UTC
    assert df.row_count.dtype == "Int64"
    assert df.loc[6, "created_at"] == pd.Timestamp("2024-01-07T10:00:00Z")  # neighbours intact
    assert df.loc[13, "row_count"] == 13


def test_dates_beyond_nanosecond_range_or_unreadable_become_nat(odd_listing) -> None:
    df, messages = odd_listing
    assert df.loc[[7, 8, 11, 50_000], "created_at"].isna().all()
    assert df.created_at.isna().sum() == 4
    assert len(messages) == 1  # one warning for the whole listing
    assert "created_at: 2 beyond what datetime64[ns] holds" in messages[0]
    assert "and 2 not readable as a time" in messages[0]


def test_nan_and_infinity_in_counts_become_na(odd_listing) -> None:
    df, messages = odd_listing
    assert df.loc[[9, 10, 50_000, 99_999], "row_count"].isna().all()
    assert df.row_count.isna().sum() == 4
    assert df.loc[[10, 99_999], "column_count"].isna().all()
    assert df.column_count.isna().sum() == 2
    assert "row_count: 4 not an integer" in messages[0]
    assert "column_count: 2 not an integer" in messages[0]


def test_other_odd_values_are_kept_as_text_or_dropped_to_missing(odd_listing) -> None:
    df, _ = odd_listing
    assert df.loc[12, "name"] == "12345"
    assert df.loc[12, "state"] == "brand_new"
    assert "brand_new" in df.state.cat.categories
    assert pd.isna(df.loc[12, "source_type"])
    assert df.loc[11, "source_type"] == "file"
