"""Deterministic seed data: a demo workspace whose datasets differ the way real appends do.

Everything comes from one seeded :class:`random.Random`, so every sandbox starts from the
same ids, names, rows and dates. ``DEMO`` names the ids that the demo, the notebooks and
the tests rely on.

- 101 Customers: the destination of appends, ~60 batches in every state over 14 months.
- 102 CRM export: the same people with renamed, reordered, extra and missing columns,
  numbers and dates stored as text.
- 103 Orders, 104 Orders legacy (the source for 103), 105 Products.
- 201 Partner leads, in project 2: not a valid source for project 1.
- 900 Events (scale): only with ``scale > 0``, ``scale`` batches without stored rows.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from mammoth_pandas.sandbox.store import Db, iso

SEED = 20240204


@dataclass(frozen=True)
class _Demo:
    workspace_id: int = 1
    project_id: int = 1
    other_project_id: int = 2
    customers: int = 101
    crm_export: int = 102
    orders: int = 103
    orders_legacy: int = 104
    products: int = 105
    partner_leads: int = 201
    scale: int = 900


DEMO = _Demo()

FIRST = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Ava",
    "Elijah",
    "Sophia",
    "Lucas",
    "Mia",
    "Mateo",
    "Isabella",
    "Levi",
    "Charlotte",
    "Asher",
    "Luna",
    "James",
    "Harper",
    "Leo",
    "Evelyn",
    "Ethan",
    "Aria",
    "Hudson",
    "Chloe",
    "Mason",
    "Nora",
    "Aiden",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
    "Chiara",
    "Marco",
    "Zoe",
    "Diego",
)
LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Patel",
    "Nakamura",
    "Schmidt",
    "Rossi",
    "Dubois",
)
CITIES = (
    ("Austin", "United States"),
    ("Denver", "United States"),
    ("Chicago", "United States"),
    ("Toronto", "Canada"),
    ("Vancouver", "Canada"),
    ("London", "United Kingdom"),
    ("Manchester", "United Kingdom"),
    ("Berlin", "Germany"),
    ("Munich", "Germany"),
    ("Lyon", "France"),
    ("Milan", "Italy"),
    ("Madrid", "Spain"),
    ("Pune", "India"),
    ("Bengaluru", "India"),
    ("Osaka", "Japan"),
    ("Sydney", "Australia"),
)
DOMAINS = ("example.com", "example.org", "mail.example.net", "corp.example.com")
LEAD_SOURCES = ("webinar", "trade show", "referral", "organic search", "paid social")
ORDER_STATUSES = ("paid", "shipped", "delivered", "refunded", "pending")
CHANNELS = ("web", "phone", "store", "marketplace")
PRODUCTS = (
    ("SKU-1001", "Espresso beans 1kg", 24.5),
    ("SKU-1002", "Pour-over kettle", 59.0),
    ("SKU-1003", "Burr grinder", 129.99),
    ("SKU-1004", "Ceramic mug", 12.0),
    ("SKU-1005", "Paper filters x100", 6.75),
    ("SKU-1006", "Cold brew jar", 34.9),
)
CONNECTORS = (
    ("postgres", {"database": "crm", "host": "db.internal.example.com", "username": "reporter"}),
    ("mysql", {"database": "shop", "host": "mysql.internal.example.com", "username": "etl"}),
)


def _schema(*columns: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"c_id": f"column_{i}", "c_name": name, "c_type": kind}
        for i, (name, kind) in enumerate(columns, start=1)
    ]


SCHEMAS: dict[int, list[dict[str, str]]] = {
    DEMO.customers: _schema(
        ("Customer", "text"),
        ("Email", "text"),
        ("City", "text"),
        ("Country", "text"),
        ("Signup date", "date"),
        ("Lifetime value", "numeric"),
        ("Orders", "numeric"),
    ),
    DEMO.crm_export: _schema(
        ("E-mail address", "text"),
        ("Full name", "text"),
        ("Town", "text"),
        ("Customer since", "text"),
        ("LTV (USD)", "text"),
        ("Phone", "text"),
        ("Lead source", "text"),
    ),
    DEMO.orders: _schema(
        ("Order ID", "text"),
        ("Customer", "text"),
        ("Order date", "date"),
        ("Amount", "numeric"),
        ("Status", "text"),
    ),
    DEMO.orders_legacy: _schema(
        ("order_no", "text"),
        ("customer_name", "text"),
        ("order_dt", "text"),
        ("total", "numeric"),
        ("channel", "text"),
    ),
    DEMO.products: _schema(("SKU", "text"), ("Product", "text"), ("Price", "numeric")),
    DEMO.partner_leads: _schema(
        ("Contact", "text"), ("Email", "text"), ("City", "text"), ("Deal size", "numeric")
    ),
    DEMO.scale: _schema(("Event", "text"), ("At", "date"), ("Value", "numeric")),
}

NAMES: dict[int, str] = {
    DEMO.customers: "Customers",
    DEMO.crm_export: "CRM export",
    DEMO.orders: "Orders",
    DEMO.orders_legacy: "Orders legacy",
    DEMO.products: "Products",
    DEMO.partner_leads: "Partner leads",
    DEMO.scale: "Events (scale)",
}

START = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
FIRST_BATCH_ID = 1001
FIRST_JOB_ID = 5001


def resource_path(dataset_id: int, name: str, project_id: int = 1) -> str:
    return (
        f"/workspace:Demo workspace:{DEMO.workspace_id}/project:Demo project:{project_id}"
        f"/label:Datasets:1/datasource:{name}:{dataset_id}"
    )


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> dict[str, Any]:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, country = rng.choice(CITIES)
        signup = START - timedelta(days=rng.randint(0, 900))
        return {
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}",
            "city": city,
            "country": country,
            "signup": signup.date(),
            "ltv": round(rng.uniform(20, 9000), 2),
            "orders": rng.randint(1, 60),
            "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            "lead": rng.choice(LEAD_SOURCES),
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


def _connector_source(rng: random.Random, moment: datetime) -> tuple[dict[str, Any], dict]:
    connector, details = rng.choice(CONNECTORS)
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


def seed(db: Db) -> None:
    """Write the demo data into an empty database (inside the caller's transaction)."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data
    people = _People(rng)
    db.run(
        "INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('batches', ?)",
        (FIRST_BATCH_ID - 1,),
    )
    db.run(
        "INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)",
        (FIRST_JOB_ID - 1,),
    )
    db.many(
        "INSERT INTO projects (workspace_id, project_id, name) VALUES (?, ?, ?)",
        [(1, 1, "Demo project"), (1, 2, "Partners")],
    )
    for dataset_id in (
        DEMO.customers,
        DEMO.crm_export,
        DEMO.orders,
        DEMO.orders_legacy,
        DEMO.products,
        DEMO.partner_leads,
    ):
        project = DEMO.other_project_id if dataset_id == DEMO.partner_leads else 1
        created = iso(START - timedelta(days=30 + dataset_id % 7))
        db.run(
            "INSERT INTO datasets (id, workspace_id, project_id, name, status, created_at,"
            " updated_at, created_by, data_schema) VALUES (?, 1, ?, ?, 'ready', ?, ?, ?, ?)",
            (
                dataset_id,
                project,
                NAMES[dataset_id],
                created,
                created,
                "demo@example.com",
                json.dumps(SCHEMAS[dataset_id]),
            ),
        )

    _seed_customers(db, rng, people)
    _seed_crm(db, rng, people)
    _seed_orders(db, rng)
    _seed_small(db, rng, people)


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
    )
    if state == "deleting":
        db.run("UPDATE batches SET prev_state = 'active' WHERE id = ?", (batch_id,))
    return batch_id


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
    rows = []
    for _ in range(rng.randint(5, 15)):
        when = moment - timedelta(days=rng.randint(0, 27), minutes=rng.randint(0, 1440))
        number = rng.randint(10000, 99999)
        customer = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        amount = round(rng.uniform(5, 900), 2)
        if legacy:
            rows.append(
                {
                    "column_1": f"L-{number}",
                    "column_2": customer,
                    "column_3": when.strftime("%Y-%m-%d %H:%M"),
                    "column_4": amount,
                    "column_5": rng.choice(CHANNELS),
                }
            )
        else:
            rows.append(
                {
                    "column_1": f"ORD-{number}",
                    "column_2": customer,
                    "column_3": when.date().isoformat(),
                    "column_4": amount,
                    "column_5": rng.choice(ORDER_STATUSES),
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
    rows = [{"column_1": sku, "column_2": name, "column_3": price} for sku, name, price in PRODUCTS]
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


def seed_scale(db: Db, count: int) -> None:
    """Dataset 900 with ``count`` batches (counts only, no stored rows), in bulk."""
    if count <= 0 or db.one("SELECT 1 FROM datasets WHERE id = ?", (DEMO.scale,)):
        return
    rng = random.Random(SEED + count)  # noqa: S311
    created = iso(START - timedelta(days=40))
    db.run(
        "INSERT INTO datasets (id, workspace_id, project_id, name, status, created_at,"
        " updated_at, created_by, data_schema) VALUES (?, 1, 1, ?, 'ready', ?, ?, ?, ?)",
        (
            DEMO.scale,
            NAMES[DEMO.scale],
            created,
            created,
            "demo@example.com",
            json.dumps(SCHEMAS[DEMO.scale]),
        ),
    )
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

    db.many(
        "INSERT INTO batches (id, dataset_id, name, state, created_at, row_count, column_count,"
        " description, source, data_schema) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        generate(),
    )
