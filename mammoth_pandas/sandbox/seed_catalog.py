"""The seed's catalog: the demo ids, dataset names and schemas, and resource paths.

``DEMO`` names the ids that the demo, the notebooks and the tests rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

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
    """The demo dataset's ``resource_path``."""
    return (
        f"/workspace:Demo workspace:{DEMO.workspace_id}/project:Demo project:{project_id}"
        f"/label:Datasets:1/datasource:{name}:{dataset_id}"
    )


#: What each seeded dataset says of itself: (description, source_type, extra info).
ABOUT: dict[int, tuple[str, str, dict[str, object]]] = {
    DEMO.customers: (
        "Customer master: one batch per upload, sync or append",
        "file",
        {"owner_team": "Growth", "refresh": "weekly"},
    ),
    DEMO.crm_export: ("Export of the CRM, column names as the vendor ships them", "file", {}),
    DEMO.orders: ("Orders, one batch per month", "file", {"owner_team": "Finance"}),
    DEMO.orders_legacy: ("Orders from the retired shop system", "file", {}),
    DEMO.products: ("Product catalogue", "file", {}),
    DEMO.partner_leads: ("Leads shared by partners", "file", {}),
    DEMO.scale: ("Synthetic events for benchmarks", "webhook", {}),
}

#: The seeded people of the workspace, as ``created_by`` / ``updated_by`` show them.
CREATORS: dict[int, tuple[str, str]] = {
    DEMO.customers: ("demo@example.com", "maria.lopez@example.com"),
    DEMO.crm_export: ("crm-bot@example.com", "crm-bot@example.com"),
    DEMO.orders: ("demo@example.com", "demo@example.com"),
    DEMO.orders_legacy: ("maria.lopez@example.com", "demo@example.com"),
    DEMO.products: ("demo@example.com", "demo@example.com"),
    DEMO.partner_leads: ("partners@example.com", "partners@example.com"),
    DEMO.scale: ("demo@example.com", "demo@example.com"),
}

#: The staging dataset of the file waiting to be appended to Customers.
PENDING_FILE_DATASET = 151
