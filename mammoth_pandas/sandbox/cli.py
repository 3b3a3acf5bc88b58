"""``mammoth-pandas sandbox``: run the local Mammoth API sandbox in the foreground.

Prints the base URL on its first stdout line once the server accepts requests, then the
sandbox's own throwaway credentials as ``export`` lines, and serves until Ctrl-C or
SIGTERM. Also runnable as ``python -m mammoth_pandas.sandbox.cli``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from typing import Any

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox import LOCAL_HOSTS, Sandbox
from mammoth_pandas.sandbox.dbfile import SandboxDatabaseError
from mammoth_pandas.sandbox.faults import REQUEST_FAULTS


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas sandbox",
        description="Run a local Mammoth API v2 sandbox (batches, jobs, datasets) on SQLite.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--db", default=None, help="SQLite file kept across restarts")
    parser.add_argument("--scale", type=int, default=0, help="add dataset 900 with N batches")
    parser.add_argument("--no-seed", action="store_true", help="start without the demo data")
    parser.add_argument("--job-delay", type=float, default=0.5, help="seconds a job processes")
    parser.add_argument("--api-key", default=None, help="API key (generated when omitted)")
    parser.add_argument("--api-secret", default=None, help="API secret (generated when omitted)")
    parser.add_argument("--token", default=None, help="bearer token (generated when omitted)")
    serving = parser.add_argument_group("serving")
    serving.add_argument(
        "--threads", type=int, default=32, help="threads running requests (default 32)"
    )
    serving.add_argument(
        "--read-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="close a connection silent this long, or this slow to send a request (default 30)",
    )
    serving.add_argument(
        "--max-connections",
        type=int,
        default=256,
        metavar="N",
        help="client connections open at once (default 256)",
    )
    faults = parser.add_argument_group("fault injection (shares between 0 and 1)")
    faults.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    for name in REQUEST_FAULTS:
        flag = "--" + name.replace("_", "-")
        faults.add_argument(flag, dest=name, type=_share, default=0.0, metavar="SHARE")
    faults.add_argument("--job-failure", type=_share, default=0.0, metavar="SHARE")
    faults.add_argument(
        "--job-disk-full",
        type=_share,
        default=0.0,
        metavar="SHARE",
        help="share of job commits failing as on a full disk",
    )
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds")
    faults.add_argument("--fault-seed", type=int, default=None, help="make faults reproducible")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox server until interrupted; returns the exit status."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    fault_settings: dict[str, Any] = {name: getattr(args, name) for name in REQUEST_FAULTS}
    fault_settings.update(
        latency=args.latency,
        job_failure=args.job_failure,
        job_disk_full=args.job_disk_full,
        retry_after=args.retry_after,
        seed=args.fault_seed,
    )
    if args.host not in LOCAL_HOSTS:
        print(
            f"warning: binding {args.host}: the sandbox is reachable from other machines",
            file=sys.stderr,
        )
    try:
        sandbox = Sandbox(
            args.db,
            host=args.host,
            port=args.port,
            api_key=args.api_key,
            api_secret=args.api_secret,
            token=args.token,
            seed=not args.no_seed,
            scale=args.scale,
            job_delay=args.job_delay,
            faults=fault_settings,
            threads=args.threads,
            read_timeout=args.read_timeout,
            max_connections=args.max_connections,
        )
    except (ValueError, SandboxDatabaseError) as exc:
        print(f"mammoth-pandas sandbox: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _terminate(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _terminate)
    try:
        with warnings.catch_warnings():  # the warning is printed above, once
            warnings.simplefilter("ignore", RuntimeWarning)
            sandbox.start()
    except SandboxDatabaseError as exc:
        print(f"mammoth-pandas sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"mammoth-pandas sandbox: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    try:
        # The sandbox's own throwaway credentials: printing them is how a user gets them.
        print(f"Mammoth sandbox ready at {sandbox.url}", flush=True)
        print(f"  export {contract.ENV_URL}={sandbox.url}")
        print(f"  export {contract.ENV_KEY}={sandbox.api_key}")
        print(f"  export {contract.ENV_SECRET}={sandbox.api_secret}")
        print(f"  export {contract.ENV_TOKEN}={sandbox.token}")
        print(f"  database: {sandbox.db_path or 'temporary (removed on exit)'}")
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
