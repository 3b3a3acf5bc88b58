"""A replay server: listing pages rendered ahead of time, served after a fixed latency.

It isolates the client in the listing benchmark: every batch record is rendered to JSON
once at start-up, so answering a page is joining a hundred byte strings, and the only
time a request costs is the injected ``latency`` (held on the event loop, not on a
thread). HTTP/1.1 with keep-alive; one asyncio event loop serves every connection. It
runs in a process of its own::

    python -m bench.replay_server --scale 100000 --latency 0.02
    python -m bench.replay_server --scale 100000 --max-in-flight 8   # 429 above 8 at once

and prints ``replay server ready at http://127.0.0.1:PORT`` once it listens. It answers
``GET …/datasets/900/batches?limit=&offset=`` (any workspace and project; other query
parameters are ignored) with the envelope the API has (``batches``, ``next``,
``offset``, ``limit``, ``active_batches``); ``GET /stats`` counts the pages served and the
requests refused; any other path is a 404. With
``--max-in-flight N``, a request arriving while N are being answered is refused at once
with ``429`` and ``Retry-After``, as a service with a concurrency limit does.

Two record mixes: ``events`` (the sandbox's scale dataset: webhook batches, no
description) and ``rich`` (file, dataset and cloud sources, error columns; for the
held-out configuration of the benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATASET = 900
FIRST_ID = 1_000_001
_PATH = re.compile(r"^/api/v2/workspaces/\d+/projects/\d+/datasets/(\d+)/batches$")
_START = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
_STATES = ("active",) * 8 + ("suspended", "sync_pending")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def records(scale: int, mix: str = "events", seed: int = 7) -> Iterator[dict[str, Any]]:
    """The batch records served, in id order (deterministic for a given seed)."""
    rng = random.Random(seed + scale)  # benchmark data, not secrets
    step = max(1, int(400 * 24 * 3600 / max(1, scale)))
    for index in range(scale):
        moment = _START + timedelta(seconds=index * step)
        record: dict[str, Any] = {
            "id": FIRST_ID + index,
            "name": f"events-{index:07d}",
            "state": _STATES[rng.randrange(10)],
            "created_at": _iso(moment),
            "description": {},
            "row_count": rng.randint(1, 5000),
            "column_count": 3,
            "source": {"type": "webhook"},
        }
        if mix == "rich":
            record["column_count"] = rng.randint(3, 40)
            kind = rng.randrange(4)
            if kind == 0:
                file_name = f"export_{moment:%Y_%m_%d}_{index % 97}.csv"
                record["source"] = {
                    "type": "file",
                    "file_name": file_name,
                    "url": f"https://files.example.com/uploads/{moment:%Y%m%d%H%M}/{file_name}",
                }
            elif kind == 1:
                other = 100 + rng.randrange(12)
                record["source"] = {
                    "type": "dataset",
                    "dataset_id": other,
                    "dataset_name": f"Dataset {other}",
                    "resource_path": f"/project-1/dataset-{other}",
                }
            elif kind == 2:
                record["source"] = {"type": "cloud", "connector_name": rng.choice(("s3", "gcs"))}
            if rng.random() < 0.2:
                record["description"] = {
                    "numeric_error_columns": rng.sample(["amount", "qty", "price", "tax"], 2),
                    "date_error_columns": ["ordered_at"] if rng.random() < 0.5 else [],
                }
        yield record


class Pages:
    """The rendered records and the page envelope around them."""

    def __init__(self, scale: int, mix: str) -> None:
        rendered = []
        active = 0
        for record in records(scale, mix):
            rendered.append(json.dumps(record, separators=(",", ":")).encode())
            active += record["state"] == "active"
        self.rows = rendered
        self.active = active

    def body(self, path: str, query: dict[str, list[str]]) -> bytes:
        limit = max(0, min(100, int(query.get("limit", ["100"])[0])))
        offset = max(0, int(query.get("offset", ["0"])[0]))
        page = self.rows[offset : offset + limit]
        more = offset + limit < len(self.rows) and limit > 0
        nxt = f"{path.lstrip('/')}?limit={limit}&offset={offset + limit}" if more else ""
        tail = json.dumps(
            {"next": nxt, "offset": offset, "limit": limit, "active_batches": self.active},
            separators=(",", ":"),
        ).encode()
        return b'{"batches":[' + b",".join(page) + b"]," + tail[1:]


def _response(status: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode("latin-1") + body


_NOT_FOUND = _response("404 Not Found", b'{"detail":"not found"}')
_BAD_REQUEST = _response("400 Bad Request", b'{"detail":"bad request"}')


class ReplayServer:
    """State shared by the connections: the pages, the latency and the in-flight count."""

    def __init__(
        self, pages: Pages, latency: float, max_in_flight: int | None, retry_after: str
    ) -> None:
        self.pages = pages
        self.latency = latency
        self.max_in_flight = max_in_flight
        self.too_many = _response(
            "429 Too Many Requests",
            b'{"detail":"too many requests in flight"}',
            f"Retry-After: {retry_after}\r\n",
        )
        self.in_flight = 0
        self.served = 0
        self.refused = 0

    def answer(self, target: str) -> bytes:
        parts = urlsplit(target)
        if parts.path == "/stats":  # the benchmark's counters (not part of the API)
            counts = {"served": self.served, "refused": self.refused, "in_flight": self.in_flight}
            return _response("200 OK", json.dumps(counts).encode())
        match = _PATH.match(parts.path)
        if match is None or int(match.group(1)) != DATASET:
            return _NOT_FOUND
        try:
            body = self.pages.body(parts.path, parse_qs(parts.query))
        except ValueError:
            return _BAD_REQUEST
        return _response("200 OK", body)


class Connection(asyncio.Protocol):
    """One kept-alive HTTP/1.1 connection (requests answered one at a time, in order)."""

    def __init__(self, server: ReplayServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            lines = head.decode("latin-1").split("\r\n")
            try:
                _method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                self._send(_BAD_REQUEST, close=True)
                return
            close = any(line.lower() == "connection: close" for line in lines[1:])
            self._handle(target, close)

    def _handle(self, target: str, close: bool) -> None:
        server = self.server
        if target == "/stats":
            self._send(server.answer(target), close)
            return
        limit = server.max_in_flight
        if limit is not None and server.in_flight >= limit:
            server.refused += 1
            self._send(server.too_many, close)
            return
        server.in_flight += 1
        answer = server.answer(target)
        loop = asyncio.get_running_loop()
        loop.call_later(server.latency, self._done, answer, close)

    def _done(self, answer: bytes, close: bool) -> None:
        self.server.in_flight -= 1
        self.server.served += 1
        self._send(answer, close)

    def _send(self, answer: bytes, close: bool) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(answer)
        if close:
            self.transport.close()


async def serve(args: argparse.Namespace) -> None:
    server = ReplayServer(
        Pages(args.scale, args.mix), args.latency, args.max_in_flight, args.retry_after
    )
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        lambda: Connection(server), args.host, args.port, backlog=1024, reuse_address=True
    )
    port = listener.sockets[0].getsockname()[1]
    print(f"replay server ready at http://{args.host}:{port}", flush=True)
    async with listener:
        await listener.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replay_server", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="batches served")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds before each answer")
    parser.add_argument("--mix", choices=("events", "rich"), default="events")
    parser.add_argument("--max-in-flight", type=int, default=None, help="429 above this many")
    parser.add_argument("--retry-after", default="1", help="Retry-After sent with a 429")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
