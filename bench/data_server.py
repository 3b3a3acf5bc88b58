"""A replay server for data reads: one batch's row pages rendered ahead, served after a
fixed latency, each page answered as a job the way the API does.

::

    python -m bench.data_server --rows 10000 --latency 0.02

prints ``data server ready at http://127.0.0.1:PORT`` once it listens. Routes (any
workspace and project): ``GET …/datasets/950`` (schema and row count), ``GET
…/datasets/950/batches/9501`` (the batch's ``row_count``), ``GET
…/batches/9501/data?limit=&offset=`` (202 with a job id) and ``GET /jobs/{id}`` (the
finished job whose ``response`` holds the page, pre-rendered). HTTP/1.1 keep-alive, a
thread per connection; the latency is slept on that thread, so concurrent requests
overlap as on a real service.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATASET, BATCH, PAGE = 950, 9501, 100
SCHEMA = [
    {"c_id": "column_1", "c_name": "Customer", "c_type": "text"},
    {"c_id": "column_2", "c_name": "Email", "c_type": "text"},
    {"c_id": "column_3", "c_name": "City", "c_type": "text"},
    {"c_id": "column_4", "c_name": "Signup date", "c_type": "date"},
    {"c_id": "column_5", "c_name": "Lifetime value", "c_type": "numeric"},
    {"c_id": "column_6", "c_name": "Orders", "c_type": "numeric"},
]
_FIRST = ("Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun")
_LAST = ("Smith", "Brown", "Okafor", "Tanaka", "Garcia", "Müller", "Rossi", "Novak")
_CITIES = ("Milan", "Pune", "Madrid", "Manchester", "Osaka", "Lagos", "Lyon", "Austin")


def rows(n: int, *, mixed_dates: bool = False, seed: int = 3) -> list[list[Any]]:
    """``n`` rows of cells in schema order, as a server sends them (numbers as JSON
    numbers or, for a share of them, strings; dates ISO, or in several formats)."""
    rng = random.Random(seed)  # benchmark data, not secrets
    out = []
    start = date(2021, 1, 1)
    formats = ("%Y-%m-%d", "%m/%d/%Y", "%d %b %Y", "%Y-%m-%dT%H:%M:%SZ")
    for i in range(n):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        day = start + timedelta(days=rng.randrange(1500))
        fmt = formats[i % len(formats)] if mixed_dates else formats[0]
        value = round(rng.uniform(10, 9000), 2)
        orders = rng.randrange(200)
        out.append(
            [
                f"{first} {last}",
                f"{first.lower()}.{last.lower()}{i}@example.com",
                rng.choice(_CITIES),
                day.strftime(fmt),
                str(value) if i % 5 == 0 else value,
                str(orders) if i % 7 == 0 else orders,
            ]
        )
    return out


def job_bodies(cells: list[list[Any]]) -> list[bytes]:
    """Each page's ``GET /jobs/{id}`` body, page ``k`` holding rows ``k*100 …``."""
    headers = [c["c_name"] for c in SCHEMA]
    bodies = []
    for k, offset in enumerate(range(0, len(cells), PAGE)):
        page = cells[offset : offset + PAGE]
        response = {
            "headers": headers,
            "data": {str(offset + i): row for i, row in enumerate(page)},
            "offset": offset,
            "limit": PAGE,
            "row_count": len(cells),
        }
        job = {"id": k + 1, "status": "success", "response": response}
        bodies.append(json.dumps({"job": job}).encode())
    return bodies


_DATA = re.compile(rf".*/datasets/{DATASET}/batches/{BATCH}/data$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        time.sleep(self.server.latency)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        total = self.server.rows
        if path.endswith(f"/datasets/{DATASET}"):
            dataset = {"id": DATASET, "data_schema": SCHEMA, "stats": {"row_count": total}}
            self._send(200, json.dumps({"dataset": dataset}).encode())
        elif path.endswith(f"/batches/{BATCH}"):
            batch = {"id": BATCH, "state": "active", "row_count": total}
            self._send(200, json.dumps({"batch": batch}).encode())
        elif _DATA.match(path):
            offset = int(query.get("offset", ["0"])[0])  # pages of 100 only: as the client reads
            body = json.dumps({"status_code": 202, "job_id": offset // PAGE + 1}).encode()
            self._send(202, body)
        elif path.startswith("/api/v2/jobs/"):
            number = int(path.rsplit("/", 1)[-1])
            self._send(200, self.server.bodies[number - 1])
        else:
            self._send(404, b'{"detail": "not found"}')


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    latency: float
    rows: int
    bodies: list[bytes]


def main(argv: list[str] | None = None) -> int:
    """Serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m bench.data_server")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--mixed-dates", action="store_true")
    args = parser.parse_args(argv)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.latency = args.latency
    server.rows = args.rows
    server.bodies = job_bodies(rows(args.rows, mixed_dates=args.mixed_dates))
    print(f"data server ready at http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
