"""The seed's batches: people, orders and products whose values look like the real thing.

Every value comes from the caller's seeded :class:`random.Random` and the word lists in
``data/words.json`` (package data), so every sandbox starts from the same rows: names,
emails, cities, dates in several formats (ISO, ``03/14/2025``, ``2025-03-14 09:30``),
amounts as numbers and as formatted text, and a few blanks.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from mammoth_pandas.sandbox.seed_catalog import DEMO, NAMES, SCHEMAS, START, resource_path
from mammoth_pandas.sandbox.store import Db, iso


@cache
def words() -> dict[str, Any]:
    """The word lists (package data), lists of lists turned into tuples."""
    text = resources.files("mammoth_pandas.sandbox").joinpath("data/words.json").read_text()
    return {
        key: tuple(tuple(v) if isinstance(v, list) else v for v in values)
        for key, values in json.loads(text).items()
    }


class _People:
    """Plausible people: name, email, city, signup date, lifetime value, phone."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> dict[str, Any]:
        rng, w = self.rng, words()
        first, last = rng.choice(w["first_names"]), rng.choice(w["last_names"])
        city, country = rng.choice(w["cities"])
        signup = START - timedelta(days=rng.randint(0, 900))
        number = rng.randint(1, 99)
        domain = rng.choice(w["email_domains"])
        return {
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{number}@{domain}",
            "city": city,
            "country": country,
            "signup": signup.date(),
            "ltv": round(rng.uniform(20, 9000), 2),
            "orders": rng.randint(1, 60),
            "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            "lead": rng.choice(w["lead_sources"]),
        }


def _customer_row(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "column_1": p["name"],
        "column_2": p["email"],
        "column_3": p["city"],
        "column_4": p["country"],
        "column_5": p["signup"].isoformat(),
        "column_6": p["ltv"],
        "column_7": p["orders"],
    }


def _crm_row(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "column_1": p["email"],
        "column_2": p["name"],
        "column_3": p["city"],
        "column_4": p["signup"].strftime("%m/%d/%Y"),
        "column_5": f"{p['ltv']:,.2f}",
        "column_6": p["phone"],
        "column_7": p["lead"],
    }


def _file_source(name: str, moment: datetime) -> dict[str, Any]:
    file_name = f"{name.lower().replace(' ', '_')}_{moment:%Y_%m_%d}.csv"
    return {
        "type": "file",
        "file_name": file_name,
        "url": f"https://files.example.com/uploads/{moment:%Y%m%d%H%M}/{file_name}",
    }


def _dataset_source(dataset_id: int) -> dict[str, Any]:
    name = NAMES[dataset_id]
    return {
        "type": "dataset",
        "dataset_id": dataset_id,
        "dataset_name": name,
        "resource_path": resource_path(dataset_id, name),
    }


def _connector_source(
    rng: random.Random, moment: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    connector, details = rng.choice(words()["connectors"])
    source = {
        "type": "cloud",
        "connector_name": connector,
        "query": "SELECT * FROM customers WHERE updated_at >= :since",
        "profile": "nightly",
        "connector_details": dict(details),
    }
    description = {
        "space_id": 1,
        "from_date": iso(moment - timedelta(days=1)),
        "to_date": iso(moment),
        "data_file_path": f"/project-1/cloud_{connector}/{moment:%Y%m%d}.csv",
        "on_refresh_action": "append",
    }
    return source, description


def _states(rng: random.Random, count: int) -> list[str]:
    """Mostly active, with every other state present; the newest batch is the deleting one."""
    states = ["active"] * count
    pool = list(range(count - 1))
    rng.shuffle(pool)
    for index in pool[:6]:
        states[index] = "suspended"
    for index in pool[6:9]:
        states[index] = "sync_pending"
    states[count - 2] = "deleting"
    return states


def _batch(
    db: Db,
    dataset_id: int,
    *,
    name: str,
    state: str,
    moment: datetime,
    rows: list[dict[str, Any]],
    description: dict[str, Any],
    source: dict[str, Any],
) -> int:
    schema = SCHEMAS[dataset_id]
    batch_id = db.insert_batch(
        dataset_id=dataset_id,
        name=name,
        state=state,
        created_at=iso(moment),
        rows=rows,
        column_count=len(schema),
        description=description,
        source=source,
        data_schema=schema,
        prev_state="active" if state == "deleting" else None,
    )
    return batch_id


def seed_batches(db: Db, rng: random.Random) -> None:
    """Every seeded dataset's batches and rows, drawn from ``rng`` in a fixed order."""
    people = _People(rng)
    _seed_customers(db, rng, people)
    _seed_crm(db, rng, people)
    _seed_orders(db, rng)
    _seed_small(db, rng, people)


def _seed_customers(db: Db, rng: random.Random, people: _People) -> None:
    count = 60
    states = _states(rng, count)
    moment = START
    for index in range(count):
        moment += timedelta(days=rng.randint(5, 9), minutes=rng.randint(0, 600))
        moment = moment.replace(microsecond=rng.randint(0, 999_999))
        kind = ("file", "file", "dataset", "cloud")[index % 4]
        description: dict[str, Any] = {}
        if kind == "file":
            source = _file_source("customers", moment)
            name = source["file_name"]
            if rng.random() < 0.3:
                description = {"numeric_error_columns": ["column_6"], "date_error_columns": []}
            elif rng.random() < 0.2:
                description = {"numeric_error_columns": [], "date_error_columns": ["column_5"]}
        elif kind == "dataset":
            source = _dataset_source(DEMO.crm_export)
            name = f"CRM export {moment:%Y-%m-%d}"
        else:
            source, description = _connector_source(rng, moment)
            name = f"{source['connector_name']} sync {moment:%Y-%m-%d}"
        rows = [_customer_row(people.person()) for _ in range(rng.randint(4, 24))]
        _batch(
            db,
            DEMO.customers,
            name=name,
            state=states[index],
            moment=moment,
            rows=rows,
            description=description,
            source=source,
        )


def _seed_crm(db: Db, rng: random.Random, people: _People) -> None:
    moment = START + timedelta(days=200)
    for index, state in enumerate(("active", "active", "suspended")):
        moment += timedelta(days=21, hours=rng.randint(0, 8))
        source = _file_source("crm_export", moment)
        rows = [_crm_row(people.person()) for _ in range(rng.randint(8, 16))]
        for position, row in enumerate(rows):  # a CRM export has holes
            if position % 5 == 3:
                row["column_6"] = ""
            if position % 6 == 4:
                row["column_7"] = None
        _batch(
            db,
            DEMO.crm_export,
            name=f"crm_export_part_{index + 1}.csv",
            state=state,
            moment=moment,
            rows=rows,
            description={},
            source=source,
        )


def _order_rows(rng: random.Random, moment: datetime, legacy: bool) -> list[dict[str, Any]]:
    w = words()
    rows = []
    for _ in range(rng.randint(5, 15)):
        when = moment - timedelta(days=rng.randint(0, 27), minutes=rng.randint(0, 1440))
        number = rng.randint(10000, 99999)
        customer = rng.choice(w["first_names"]) + " " + rng.choice(w["last_names"])
        amount = round(rng.uniform(5, 900), 2)
        if legacy:
            rows.append(
                {
                    "column_1": f"L-{number}",
                    "column_2": customer,
                    "column_3": when.strftime("%Y-%m-%d %H:%M"),
                    "column_4": amount,
                    "column_5": rng.choice(w["channels"]),
                }
            )
        else:
            rows.append(
                {
                    "column_1": f"ORD-{number}",
                    "column_2": customer,
                    "column_3": when.date().isoformat(),
                    "column_4": amount,
                    "column_5": rng.choice(w["order_statuses"]),
                }
            )
    return rows


def _seed_orders(db: Db, rng: random.Random) -> None:
    moment = START
    for month in range(14):
        moment += timedelta(days=30, hours=rng.randint(0, 5))
        state = "suspended" if month in (4, 9) else "active"
        if month == 12:
            state = "sync_pending"
        source: dict[str, Any]
        if month % 3 == 2:
            source = _dataset_source(DEMO.orders_legacy)
            name = f"Orders legacy {moment:%Y-%m}"
        else:
            source = _file_source("orders", moment)
            name = source["file_name"]
        _batch(
            db,
            DEMO.orders,
            name=name,
            state=state,
            moment=moment,
            rows=_order_rows(rng, moment, legacy=False),
            description={},
            source=source,
        )
    moment = START + timedelta(days=60)
    for part in (1, 2):
        moment += timedelta(days=45)
        _batch(
            db,
            DEMO.orders_legacy,
            name=f"legacy_orders_{part}.csv",
            state="active",
            moment=moment,
            rows=_order_rows(rng, moment, legacy=True),
            description={"numeric_error_columns": [], "date_error_columns": ["column_3"]},
            source=_file_source("legacy_orders", moment),
        )


def _seed_small(db: Db, rng: random.Random, people: _People) -> None:
    moment = START + timedelta(days=10)
    rows = [
        {"column_1": sku, "column_2": name, "column_3": price}
        for sku, name, price in words()["products"]
    ]
    _batch(
        db,
        DEMO.products,
        name="products.csv",
        state="active",
        moment=moment,
        rows=rows,
        description={},
        source=_file_source("products", moment),
    )
    leads = []
    for _ in range(9):
        p = people.person()
        leads.append(
            {
                "column_1": p["name"],
                "column_2": p["email"],
                "column_3": p["city"],
                "column_4": float(rng.randint(5, 200) * 100),
            }
        )
    _batch(
        db,
        DEMO.partner_leads,
        name="partner_leads.csv",
        state="active",
        moment=moment,
        rows=leads,
        description={},
        source=_file_source("partner_leads", moment),
    )
