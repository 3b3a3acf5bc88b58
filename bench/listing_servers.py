"""The listing benchmark's servers, each in a process of its own: the replay server and
the sandbox (their work must not share the measured client's interpreter)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def _started(command: list[str], marker: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert process.stdout is not None
    first = process.stdout.readline()
    if marker not in first:
        process.terminate()
        process.wait(timeout=30)
        raise RuntimeError(f"the server did not start: {first!r}")
    return process, first.rsplit(" ", 1)[-1].strip()


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def replay_process(
    scale: int,
    latency: float,
    *,
    mix: str = "events",
    max_in_flight: int | None = None,
    retry_after: str = "1",
) -> Iterator[str]:
    """A replay server in its own process; yields its base URL (``…/api/v2``)."""
    command = [sys.executable, "-m", "bench.replay_server", "--scale", str(scale)]
    command += ["--latency", str(latency), "--mix", mix, "--retry-after", retry_after]
    if max_in_flight is not None:
        command += ["--max-in-flight", str(max_in_flight)]
    process, url = _started(command, "ready at")
    try:
        yield url + "/api/v2"
    finally:
        _stop(process)


@contextlib.contextmanager
def sandbox_process(scale: int, latency: float) -> Iterator[tuple[str, dict[str, str]]]:
    """A sandbox in its own process; yields its base URL and the auth headers."""
    key, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    command = [sys.executable, "-m", "mammoth_pandas.sandbox.cli", "--port", "0"]
    command += ["--scale", str(scale), "--latency", str(latency)]
    # The "=" form: a generated key may begin with "-", which argparse would read as a flag.
    command += [f"--api-key={key}", f"--api-secret={secret}"]
    process, url = _started(command, "ready at")
    try:
        yield url, {"X-API-KEY": key, "X-API-SECRET": secret}
    finally:
        _stop(process)


def served(base: str) -> dict[str, int]:
    """The replay server's counters (pages served, requests refused)."""
    root = base.removesuffix("/api/v2")
    counts: dict[str, int] = requests.get(root + "/stats", timeout=10).json()
    return counts
