"""The demo: a seeded sandbox, a listing as a table, one batch suspended and restored.

Run it with ``make demo`` or ``python -m mammoth_pandas demo``. It needs no account: it
starts the local sandbox in this process and talks to it over HTTP like any server.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mammoth_pandas import display

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo against an embedded sandbox; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas demo", description="list, suspend and restore against a sandbox"
    )
    parser.add_argument("--rows", type=int, default=12, help="listing rows to show (12)")
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)

    from mammoth_pandas.sandbox import DEMO, Sandbox

    ws, pr, ds = DEMO.workspace_id, DEMO.project_id, DEMO.customers
    with Sandbox(job_delay=0.05) as sandbox, sandbox.client() as client:
        print(f"Sandbox running at {sandbox.url}\n")
        info = client.datasets.get(ws, pr, ds)
        batches = client.batches.list(ws, pr, ds)
        print(
            f"Dataset {ds} ({info.get('name')}): {len(batches)} batches, "
            f"{int(batches.row_count.sum())} rows in all\n"
        )
        shown = batches.sort_values("created_at", ascending=False).head(args.rows)
        columns = ["name", "state", "created_at", "row_count", "source_type"]
        print(display.to_table(shown[columns]))
        print(f"\n(the newest {len(shown)} of {len(batches)}; states:", end=" ")
        counts = batches.state.value_counts()
        print(", ".join(f"{state} {n}" for state, n in counts.items() if n) + ")\n")

        active = batches[batches.state == "active"]
        batch_id = int(active.index[0])
        print(f"Suspending batch {batch_id} ({active.loc[batch_id, 'name']}) …")
        job = client.batches.update(ws, pr, ds, suspend=[batch_id])
        print(f"  submitted: {job!r}")
        job.wait(timeout=30)
        print(display.job_table(job))
        print(f"  batch {batch_id} is now {client.batches.get(ws, pr, ds, batch_id)['state']}\n")

        print(f"Restoring batch {batch_id} …")
        job = client.batches.update(ws, pr, ds, restore=[batch_id], wait=True, timeout=30)
        print(display.job_table(job))
        after = client.batches.get(ws, pr, ds, batch_id)
        print(f"  batch {batch_id} is now {after['state']}\n")
        print("Result:")
        print(display.to_table(after[["name", "state", "created_at", "row_count"]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
