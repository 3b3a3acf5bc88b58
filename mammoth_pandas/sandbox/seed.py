"""Deterministic seed data: a demo workspace whose datasets differ the way real appends do.

Everything comes from one seeded :class:`random.Random`, so every sandbox starts from the
same ids, names, rows and dates. ``DEMO`` names the ids that the demo, the notebooks and
the tests rely on.

- 101 Customers: the destination of appends, ~60 batches in every state over 14 months,
  and a file waiting to be appended (``pending_batches``).
- 102 CRM export: the same people with renamed, reordered, extra and missing columns,
  numbers and dates stored as text, and some blank cells.
- 103 Orders, 104 Orders legacy (the source for 103), 105 Products.
- 201 Partner leads, in project 2: not a valid source for project 1.
- 900 Events (scale): only with ``scale > 0``, ``scale`` batches without stored rows.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from mammoth_pandas.sandbox.seed_batches import seed_batches
from mammoth_pandas.sandbox.seed_catalog import (
    ABOUT,
    CREATORS,
    DEMO,
    NAMES,
    PENDING_FILE_DATASET,
    SCHEMAS,
    SEED,
    START,
    resource_path,
)
from mammoth_pandas.sandbox.store import Db, iso

__all__ = ["DEMO", "SCHEMAS", "resource_path", "seed", "seed_scale"]

FIRST_BATCH_ID = 1001
FIRST_JOB_ID = 5001

#: The seeded datasets (the scale dataset is added by :func:`seed_scale`).
SEEDED = (
    DEMO.customers,
    DEMO.crm_export,
    DEMO.orders,
    DEMO.orders_legacy,
    DEMO.products,
    DEMO.partner_leads,
)


def seed(db: Db) -> None:
    """Write the demo data into an empty database (inside the caller's transaction)."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data
    db.set_sequence("batches", FIRST_BATCH_ID - 1)
    db.set_sequence("jobs", FIRST_JOB_ID - 1)
    opened = iso(START - timedelta(days=63))
    db.insert_workspace(
        id=DEMO.workspace_id,
        name="Demo workspace",
        status="ACTIVE",
        created_at=opened,
        updated_at=iso(START),
        date_format="YYYY-MM-DD",
        total_users=3,
    )
    for project_id, name, properties in (
        (DEMO.project_id, "Demo project", {"description": "Customer and order data"}),
        (DEMO.other_project_id, "Partners", {"description": "Data shared with partners"}),
    ):
        created = iso(START - timedelta(days=60 - project_id))
        db.insert_project(
            DEMO.workspace_id,
            project_id,
            name,
            status="active",
            created_at=created,
            updated_at=created,
            properties=properties,
        )
    for dataset_id in SEEDED:
        project = DEMO.other_project_id if dataset_id == DEMO.partner_leads else DEMO.project_id
        _dataset(db, dataset_id, project, iso(START - timedelta(days=30 + dataset_id % 7)))
    seed_batches(db, rng)
    db.insert_pending_batch(
        target_dataset_id=DEMO.customers,
        dataset_id=PENDING_FILE_DATASET,
        status="ready",
        state="pending",
        name="customers_2026_03_02.csv",
        count=18,
        created_at=iso(datetime(2026, 3, 2, 8, 15, 30, 120000, tzinfo=timezone.utc)),
        needs_review=True,
    )
    for dataset_id in SEEDED:
        _settle(db, dataset_id)


def _dataset(db: Db, dataset_id: int, project_id: int, created: str) -> None:
    description, source_type, info = ABOUT[dataset_id]
    creator, updater = CREATORS[dataset_id]
    db.insert_dataset(
        id=dataset_id,
        workspace_id=DEMO.workspace_id,
        project_id=project_id,
        name=NAMES[dataset_id],
        created_at=created,
        created_by=creator,
        updated_by=updater,
        description=description,
        additional_info=info,
        source_type=source_type,
        data_schema=SCHEMAS[dataset_id],
    )


def _settle(db: Db, dataset_id: int) -> None:
    """The dataset's column statistics, computed once its rows are in."""
    db.refresh_column_stats(dataset_id)


def seed_scale(db: Db, count: int) -> None:
    """Dataset 900 with ``count`` batches (counts only, no stored rows), in bulk."""
    if count <= 0 or db.dataset_exists(DEMO.scale):
        return
    rng = random.Random(SEED + count)  # noqa: S311
    _dataset(db, DEMO.scale, DEMO.project_id, iso(START - timedelta(days=40)))
    first = 1_000_001
    step = max(1, int(400 * 24 * 3600 / count))
    base = START.timestamp()
    states = ("active",) * 8 + ("suspended", "sync_pending")
    source = json.dumps({"type": "webhook"})
    schema = json.dumps(SCHEMAS[DEMO.scale])

    def generate() -> Any:
        for index in range(count):
            moment = datetime.fromtimestamp(base + index * step, tz=timezone.utc)
            yield (
                first + index,
                DEMO.scale,
                f"events-{index:07d}",
                states[rng.randrange(10)],
                iso(moment),
                rng.randint(1, 5000),
                3,
                "{}",
                source,
                schema,
            )

    db.insert_batches_bulk(generate())
    _settle(db, DEMO.scale)
