"""The reliability figures quoted in the README, from a run of ``tests/reliability``.

::

    python -m bench.reliability_figures            # run the suites (pytest -n 2), then report
    python -m bench.reliability_figures --no-run   # report the last run's figures

Each pytest worker of the suites writes its counters to
``test-artifacts/reliability/figures-<worker>-<run>.json``; this adds up the newest run's
files, writes the total to ``test-artifacts/reliability-figures.json`` and prints it as
a markdown table. (Not a ``bench_*`` module: ``python -m bench`` does not run it.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
PARTS = ARTIFACTS / "reliability"
TOTAL = ARTIFACTS / "reliability-figures.json"


def newest_run() -> tuple[str, Counter[str], int]:
    files = sorted(PARTS.glob("figures-*.json"), key=lambda p: p.stat().st_mtime)
    if not files:
        raise SystemExit(f"no figures in {PARTS}: run the suites first (without --no-run)")
    run = json.loads(files[-1].read_text())["run"]
    total: Counter[str] = Counter()
    workers = 0
    for path in files:
        data = json.loads(path.read_text())
        if data["run"] == run:
            total.update(data["counts"])
            workers += 1
    return run, total, workers


def report(counts: Counter[str]) -> dict[str, Any]:
    faults = {k.split(".", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("faults_")}
    return {
        "faults_injected": sum(faults.values()),
        "faults_by_kind": faults,
        "reads_survived": counts["reads_survived"],
        "writes_exactly_once": counts["writes_exactly_once"],
        "typed_errors": counts["typed_errors"],
        "bad_inputs_client": counts["bad_inputs_client"],
        "bad_inputs_client_fuzzed": counts["bad_inputs_client_fuzzed"],
        "bad_inputs_server": counts["bad_inputs_server"],
        "bad_inputs_server_rejected": counts["bad_inputs_server_rejected"],
        "listing_pages": counts["listing_pages"],
        "listing_batches_read": counts["listing_batches_read"],
        "listing_concurrent_appends": counts["listing_concurrent_appends"],
        "listing_concurrent_deletes": counts["listing_concurrent_deletes"],
        "listing_duplicates": counts["listing_duplicates"],
        "listing_missed_under_deletes_behind": counts["listing_missed_under_deletes_behind"],
        "security_refusals": counts["security_refusals"],
        "security_secret_checks": counts["security_secret_checks"],
        "durability_kills": counts["durability_kills"],
        "durability_jobs_interrupted": counts["durability_jobs_interrupted"],
        "durability_jobs_recovered": counts["durability_jobs_recovered"],
        "hostile_tried": counts["hostile_tried"],
        "hostile_held": counts["hostile_held"],
    }


def table(f: dict[str, Any]) -> str:
    """The README's table, from the summary of :func:`report`. The zeros that are not
    counters (writes lost or doubled, batches missed) are what the suites assert: the
    figures are only reported after a passing run."""
    rows = [
        ("faults injected (429, 500, 502, 503, drops, drops after applying, cut-off and "
         "non-JSON answers)", f"{f['faults_injected']:,}"),
        ("reads run under injected faults, each equal to the no-fault result",
         f"{f['reads_survived']:,}"),
        ("writes run under injected faults, each applied exactly once",
         f"{f['writes_exactly_once']:,}"),
        ("unrecoverable cases, each a typed error (writes: `applied` stated)",
         f"{f['typed_errors']:,}"),
        ("writes lost or applied twice", "0"),
        ("bad client inputs refused before any request (requests sent: 0)",
         f"{f['bad_inputs_client']:,}"),
        ("random values fed to every parameter parser and the mapping helper (a result "
         "or `MammothInputError`, never another exception)", f"{f['bad_inputs_client_fuzzed']:,}"),
        ("hostile requests sent to the sandbox (injection strings in every text parameter)",
         f"{f['bad_inputs_server']:,}"),
        ("of which rejected (4xx), with no state change; 5xx answers: 0",
         f"{f['bad_inputs_server_rejected']:,}"),
        ("pages read while batches were appended and deleted", f"{f['listing_pages']:,}"),
        ("batches appended / deleted during those reads",
         f"{f['listing_concurrent_appends']:,} / {f['listing_concurrent_deletes']:,}"),
        ("duplicate batches in those listings / batches that stayed but were missed",
         f"{f['listing_duplicates']:,} / 0"),
        ("refused requests with missing or wrong credentials (and redirects)",
         f"{f['security_refusals']:,}"),
        ("SIGKILLs of the sandbox process / jobs caught `processing`, all ended after "
         "restart", f"{f['durability_kills']} / {f['durability_jobs_interrupted']}"),
        ("misbehaving-server cases tried (`tests/reliability/hostile.py`) / held (a "
         "complete answer or a typed error, in bounded time and memory, no secret shown)",
         f"{f['hostile_tried']} / {f['hostile_held']}"),
    ]  # fmt: skip
    lines = ["| figure | count |", "|---|---:|"]
    lines += [f"| {label} | {number} |" for label, number in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-run", action="store_true", help="only report the last run")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not args.no_run:
        command = [sys.executable, "-m", "pytest", "tests/reliability", "-n", "2", "-q",
                   "-p", "no:cacheprovider"]  # fmt: skip
        result = subprocess.run(command, cwd=REPO, check=False)
        if result.returncode != 0:
            print("the reliability suites failed; figures not reported", file=sys.stderr)
            return result.returncode
    run, counts, workers = newest_run()
    summary = {"run": run, "workers": workers, **report(counts)}
    TOTAL.write_text(json.dumps(summary, indent=2) + "\n")
    print(table(summary))
    print(f"\nfaults by kind: {summary['faults_by_kind']}")
    print(f"(run {run}, {workers} worker(s); written to {TOTAL.relative_to(REPO)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
