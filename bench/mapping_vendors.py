"""Vendor-export pairs for the mapping benchmark: one system's export into another's dataset.

Each domain (CRM contacts, deals, shop orders, payments, ticketing, invoicing, ad reports,
web analytics, HR, product catalogues) lists its concepts: what the values look like and
what each vendor calls the column. A case takes the destination from one vendor and the
source from another, with that vendor's habits: a prefix or suffix on most columns
(``hs_``, ``__c``, ``_v2``), opaque names (``field_12``), its own date and boolean formats,
columns without a counterpart on either side, and id-versus-name traps (the destination
holds an account's name, the source only the account's id). Labels are by meaning.

The split is decided by a fixed hash of the domain name, before any tuning: the held-out
domains' scores are reported, never examined while tuning. New draws (other seeds) of the
held-out domains make the second held-out set (variants from :data:`FRESH_VARIANT`) and
the third (from :data:`NEW_DRAW_VENDOR_VARIANT`), the fourth (from
:data:`BLIND_DRAW_VENDOR_VARIANT`) and the fifth (from :data:`SEALED_DRAW_VENDOR_VARIANT`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.mapping_cases import Case, _stable_seed

__all__ = ["DOMAINS", "build_vendor_cases", "held_out_domain"]

Gen = Callable[[np.random.Generator, int, int], list[object]]

_FIRST = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea"]
_LAST = ["Smith", "Brown", "Garcia", "Khan", "Lee", "Novak", "Okafor", "Rossi", "Silva", "Wong"]
_COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
              "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Aperture", "Gringotts"]  # fmt: skip
_CITIES = ["Lisbon", "Oslo", "Lima", "Pune", "Kyoto", "Austin", "Leeds", "Lyon", "Porto"]
_COUNTRIES = ["Portugal", "Norway", "Peru", "India", "Japan", "United States", "France"]
_WORDS = ["great", "slow", "delivery", "refund", "broken", "thanks", "login", "issue", "price"]


def _pick(options: list[str]) -> Gen:
    return lambda rng, n, style: [options[i] for i in rng.integers(0, len(options), n)]


def _person(rng: np.random.Generator, n: int, style: int) -> list[object]:
    return [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(n)]


def _first(rng: np.random.Generator, n: int, style: int) -> list[object]:
    return list(rng.choice(_FIRST, n))


def _last(rng: np.random.Generator, n: int, style: int) -> list[object]:
    return list(rng.choice(_LAST, n))


def _email(rng: np.random.Generator, n: int, style: int) -> list[object]:
    return [
        f"{rng.choice(_FIRST).lower()}{rng.integers(1, 999)}@{rng.choice(_COMPANIES).lower()}.com"
        for _ in range(n)
    ]


def _phone(rng: np.random.Generator, n: int, style: int) -> list[object]:
    if style % 2:
        return [f"+1 ({rng.integers(200, 999)}) {rng.integers(200, 999)}-{rng.integers(1000, 9999)}"
                for _ in range(n)]  # fmt: skip
    return [f"+44 {rng.integers(7000, 7999)} {rng.integers(100000, 999999)}" for _ in range(n)]


def _ids(low: int, high: int) -> Gen:
    return lambda rng, n, style: [int(x) for x in rng.integers(low, high, n)]


def _codes(prefix: str) -> Gen:
    return lambda rng, n, style: [f"{prefix}-{int(x):05d}" for x in rng.integers(1, 99999, n)]


def _uuid(rng: np.random.Generator, n: int, style: int) -> list[object]:
    out: list[object] = []
    for _ in range(n):
        a, b, c, d, e = (int(v) for v in rng.integers(0, 2**31, 5))
        out.append(f"{a:08x}-{b % 2**16:04x}-4{c % 2**12:03x}-a{d % 2**12:03x}-{e:012x}")
    return out


def _date(start: str, days: int, with_time: bool = False) -> Gen:
    def gen(rng: np.random.Generator, n: int, style: int) -> list[object]:
        base = pd.Timestamp(start)
        stamps = [base + pd.Timedelta(seconds=int(s)) for s in rng.integers(0, days * 86400, n)]
        fmt = ["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%SZ", "%d %b %Y"][style % 5]
        if with_time and style % 5 in (0, 1, 2):
            fmt += " %H:%M"
        return [s.strftime(fmt) for s in stamps]

    return gen


def _money(scale: float, decimals: int = 2) -> Gen:
    def gen(rng: np.random.Generator, n: int, style: int) -> list[object]:
        values = rng.gamma(2.0, scale, n).round(decimals)
        if style % 3 == 2:
            return [f"${v:,.2f}" for v in values]
        return [float(v) for v in values]

    return gen


def _count(low: int, high: int) -> Gen:
    return lambda rng, n, style: [int(x) for x in rng.integers(low, high, n)]


def _ratio(rng: np.random.Generator, n: int, style: int) -> list[object]:
    values = rng.beta(2, 30, n)
    return [f"{v:.2%}" for v in values] if style % 2 else [round(float(v), 4) for v in values]


def _flag(rng: np.random.Generator, n: int, style: int) -> list[object]:
    yes, no = [("true", "false"), ("Yes", "No"), ("1", "0"), ("Y", "N")][style % 4]
    return [yes if x else no for x in rng.random(n) < 0.6]


def _text(rng: np.random.Generator, n: int, style: int) -> list[object]:
    return [" ".join(rng.choice(_WORDS, int(rng.integers(3, 9)))).capitalize() for _ in range(n)]


def _url(rng: np.random.Generator, n: int, style: int) -> list[object]:
    return [f"https://www.{rng.choice(_COMPANIES).lower()}.com/{rng.integers(1, 99)}"
            for _ in range(n)]  # fmt: skip


@dataclass(frozen=True)
class Concept:
    """One meaning: its values, and each vendor's name for it (None: the vendor lacks it)."""

    key: str
    gen: Gen
    names: tuple[str | None, ...]
    #: The concept whose id/name this is the other half of (an id-versus-name trap).
    twin: str | None = None


@dataclass(frozen=True)
class Domain:
    """A kind of export and the vendors that produce it (``vendors[i]`` names column i)."""

    name: str
    vendors: tuple[str, ...]
    concepts: tuple[Concept, ...]


C = Concept
DOMAINS: tuple[Domain, ...] = (
    Domain(
        "crm contacts",
        ("hubspot", "salesforce", "pipedrive", "zoho"),
        (
            C("id", _ids(10_000, 99_999), ("hs_object_id", "Id", "person_id", "CONTACTID")),
            C("first", _first, ("firstname", "FirstName", "first_name", "First Name")),
            C("last", _last, ("lastname", "LastName", "last_name", "Last Name")),
            C("email", _email, ("email", "Email", "primary_email", "Email")),
            C("phone", _phone, ("phone", "Phone", "phone_number", "Mobile")),
            C(
                "company",
                _pick(_COMPANIES),
                ("company", "Account.Name", "org_name", "Account Name"),
                twin="company_id",
            ),
            C(
                "company_id",
                _ids(100, 999),
                (None, "AccountId", "org_id", "ACCOUNTID"),
                twin="company",
            ),
            C("city", _pick(_CITIES), ("city", "MailingCity", "city", "Mailing City")),
            C(
                "country",
                _pick(_COUNTRIES),
                ("country", "MailingCountry", "country", "Mailing Country"),
            ),
            C(
                "created",
                _date("2022-01-01", 700, True),
                ("createdate", "CreatedDate", "add_time", "Created Time"),
            ),
            C(
                "optin",
                _flag,
                ("hs_email_optin", "HasOptedInEmail", "marketing_status", "Email Opt In"),
            ),
            C("owner", _person, ("hubspot_owner_id", "Owner.Name", "owner_name", "Contact Owner")),
            C(
                "source",
                _pick(["web", "referral", "ads", "event"]),
                ("hs_lead_source", "LeadSource", None, "Lead Source"),
            ),
            C(
                "lifecycle",
                _pick(["lead", "mql", "sql", "customer"]),
                ("lifecyclestage", None, "label", "Lifecycle Stage"),
            ),
        ),
    ),
    Domain(
        "crm deals",
        ("hubspot", "salesforce", "pipedrive"),
        (
            C("id", _ids(1_000_000, 9_999_999), ("hs_object_id", "Id", "deal_id")),
            C("name", _pick([f"{c} renewal" for c in _COMPANIES]), ("dealname", "Name", "title")),
            C("amount", _money(8000), ("amount", "Amount", "value")),
            C(
                "stage",
                _pick(["prospect", "proposal", "won", "lost"]),
                ("dealstage", "StageName", "stage_name"),
            ),
            C("close", _date("2023-01-01", 500), ("closedate", "CloseDate", "expected_close_date")),
            C(
                "currency",
                _pick(["USD", "EUR", "GBP"]),
                ("deal_currency_code", "CurrencyIsoCode", "currency"),
            ),
            C("owner", _person, ("hubspot_owner_id", "Owner.Name", "owner_name")),
            C("probability", _ratio, ("hs_deal_stage_probability", "Probability", "probability")),
            C(
                "account",
                _pick(_COMPANIES),
                ("associated_company", "Account.Name", "org_name"),
                twin="account_id",
            ),
            C(
                "account_id",
                _ids(100, 999),
                ("associatedcompanyid", "AccountId", "org_id"),
                twin="account",
            ),
            C("created", _date("2022-06-01", 400, True), ("createdate", "CreatedDate", "add_time")),
            C("pipeline", _pick(["sales", "renewals"]), ("pipeline", None, "pipeline_name")),
        ),
    ),
    Domain(
        "shop orders",
        ("shopify", "woocommerce", "magento"),
        (
            C("id", _ids(1000, 99999), ("id", "order_id", "entity_id")),
            C("number", _codes("#"), ("name", "order_number", "increment_id")),
            C("email", _email, ("email", "billing_email", "customer_email")),
            C(
                "created",
                _date("2024-01-01", 300, True),
                ("created_at", "date_created", "created_at"),
            ),
            C("total", _money(90), ("total_price", "order_total", "grand_total")),
            C("subtotal", _money(80), ("subtotal_price", "cart_subtotal", "subtotal")),
            C("tax", _money(8), ("total_tax", "cart_tax", "tax_amount")),
            C("shipping", _money(6), ("total_shipping", "shipping_total", "shipping_amount")),
            C(
                "currency",
                _pick(["USD", "EUR", "GBP"]),
                ("currency", "currency", "order_currency_code"),
            ),
            C(
                "status",
                _pick(["paid", "pending", "refunded"]),
                ("financial_status", "status", "state"),
            ),
            C("country", _pick(_COUNTRIES), ("shipping_country", "shipping_country", "country_id")),
            C("items", _count(1, 9), ("line_items_count", "items_count", "total_item_count")),
            C(
                "customer",
                _person,
                ("customer_name", "billing_full_name", "customer_firstname"),
                twin="customer_id",
            ),
            C("customer_id", _ids(1, 5000), (None, "customer_id", "customer_id"), twin="customer"),
        ),
    ),
    Domain(
        "payments",
        ("stripe", "paypal", "adyen"),
        (
            C("id", _codes("ch"), ("id", "Transaction ID", "pspReference")),
            C("amount", _money(60), ("amount", "Gross", "Value")),
            C("fee", _money(2), ("fee", "Fee", "Commission")),
            C("net", _money(58), ("net", "Net", "Payable")),
            C("currency", _pick(["usd", "eur", "gbp"]), ("currency", "Currency", "Currency Code")),
            C("created", _date("2024-03-01", 200, True), ("created", "Date", "Creation Date")),
            C("status", _pick(["succeeded", "failed", "pending"]), ("status", "Status", "Status")),
            C("email", _email, ("customer_email", "From Email Address", "Shopper Email")),
            C("description", _text, ("description", "Item Title", "Shopper Statement")),
            C("country", _pick(_COUNTRIES), ("card_country", "Country", "Issuer Country")),
            C(
                "method",
                _pick(["card", "wallet", "bank"]),
                ("payment_method_type", "Type", "Payment Method"),
            ),
            C("refunded", _flag, ("refunded", None, "Refunded")),
        ),
    ),
    Domain(
        "ticketing",
        ("zendesk", "freshdesk", "jira service", "intercom"),
        (
            C("id", _ids(1, 90000), ("id", "Ticket ID", "Issue id", "conversation_id")),
            C("subject", _text, ("subject", "Subject", "Summary", "title")),
            C(
                "status",
                _pick(["open", "pending", "solved"]),
                ("status", "Status", "Status", "state"),
            ),
            C(
                "priority",
                _pick(["low", "normal", "high", "urgent"]),
                ("priority", "Priority", "Priority", "priority"),
            ),
            C("requester", _email, ("requester_email", "Contact Email", "Reporter", "user_email")),
            C(
                "assignee",
                _person,
                ("assignee_name", "Agent", "Assignee", "admin_assignee"),
                twin="assignee_id",
            ),
            C(
                "assignee_id",
                _ids(100, 400),
                ("assignee_id", "Agent ID", None, "admin_assignee_id"),
                twin="assignee",
            ),
            C(
                "created",
                _date("2024-01-01", 250, True),
                ("created_at", "Created time", "Created", "created_at"),
            ),
            C(
                "solved",
                _date("2024-02-01", 250, True),
                ("solved_at", "Resolved time", "Resolved", "closed_at"),
            ),
            C(
                "group",
                _pick(["billing", "tech", "sales"]),
                ("group_name", "Group", "Team", "team"),
            ),
            C("tags", _pick(["vip", "bug", "refund", ""]), ("tags", "Tags", "Labels", "tags")),
            C("csat", _count(1, 6), ("satisfaction_score", "Survey Rating", None, "rating")),
        ),
    ),
    Domain(
        "invoicing",
        ("quickbooks", "xero", "freshbooks"),
        (
            C("number", _codes("INV"), ("DocNumber", "InvoiceNumber", "invoice_number")),
            C(
                "customer",
                _pick(_COMPANIES),
                ("CustomerRef.name", "ContactName", "organization"),
                twin="customer_id",
            ),
            C(
                "customer_id",
                _ids(1, 900),
                ("CustomerRef.value", "ContactID", "customerid"),
                twin="customer",
            ),
            C("date", _date("2024-01-01", 360), ("TxnDate", "InvoiceDate", "create_date")),
            C("due", _date("2024-02-01", 360), ("DueDate", "DueDate", "due_date")),
            C("total", _money(1500), ("TotalAmt", "Total", "amount")),
            C("balance", _money(300), ("Balance", "AmountDue", "outstanding")),
            C("tax", _money(120), ("TxnTaxDetail.TotalTax", "TotalTax", "tax_amount")),
            C(
                "currency",
                _pick(["USD", "EUR", "GBP"]),
                ("CurrencyRef", "CurrencyCode", "currency_code"),
            ),
            C("status", _pick(["paid", "open", "overdue"]), (None, "Status", "v3_status")),
            C("email", _email, ("BillEmail.Address", "EmailAddress", "email")),
            C("memo", _text, ("CustomerMemo", "Reference", "notes")),
        ),
    ),
    Domain(
        "ad reports",
        ("google ads", "facebook ads", "linkedin ads"),
        (
            C(
                "campaign",
                _pick([f"Spring {w}" for w in _WORDS]),
                ("Campaign", "campaign_name", "Campaign Name"),
                twin="campaign_id",
            ),
            C(
                "campaign_id",
                _ids(10**8, 10**9),
                ("Campaign ID", "campaign_id", "Campaign ID"),
                twin="campaign",
            ),
            C("day", _date("2024-05-01", 90), ("Day", "date_start", "Start Date (in UTC)")),
            C("impressions", _count(100, 90000), ("Impr.", "impressions", "Impressions")),
            C("clicks", _count(0, 3000), ("Clicks", "clicks", "Clicks")),
            C("cost", _money(300), ("Cost", "spend", "Total Spent")),
            C("ctr", _ratio, ("CTR", "ctr", "Click Through Rate")),
            C("conversions", _count(0, 90), ("Conversions", "actions_purchase", "Conversions")),
            C("cpc", _money(2), ("Avg. CPC", "cpc", "Average CPC")),
            C("account", _pick(_COMPANIES), ("Account", "account_name", "Account Name")),
            C("currency", _pick(["USD", "EUR"]), ("Currency code", "account_currency", "Currency")),
            C("reach", _count(100, 50000), (None, "reach", "Reach")),
        ),
    ),
    Domain(
        "web analytics",
        ("google analytics", "matomo", "plausible"),
        (
            C("date", _date("2024-01-01", 120), ("date", "Date", "date")),
            C("page", _url, ("pagePath", "Page URL", "page")),
            C("sessions", _count(1, 5000), ("sessions", "Visits", "visits")),
            C("users", _count(1, 4000), ("totalUsers", "Unique visitors", "visitors")),
            C("pageviews", _count(1, 9000), ("screenPageViews", "Pageviews", "pageviews")),
            C("bounce", _ratio, ("bounceRate", "Bounce rate", "bounce_rate")),
            C(
                "duration",
                _money(120, 1),
                ("averageSessionDuration", "Avg. time on website", "visit_duration"),
            ),
            C("country", _pick(_COUNTRIES), ("country", "Country", "country")),
            C(
                "source",
                _pick(["google", "direct", "newsletter"]),
                ("sessionSource", "Referrer", "source"),
            ),
            C(
                "device",
                _pick(["desktop", "mobile", "tablet"]),
                ("deviceCategory", "Device type", "device"),
            ),
            C("goals", _count(0, 40), ("conversions", "Conversions", "goal_conversions")),
        ),
    ),
    Domain(
        "hr",
        ("workday", "bamboohr", "personio"),
        (
            C("id", _codes("EMP"), ("Employee_ID", "employeeNumber", "id")),
            C("first", _first, ("Legal_First_Name", "firstName", "first_name")),
            C("last", _last, ("Legal_Last_Name", "lastName", "last_name")),
            C("email", _email, ("Work_Email", "workEmail", "email")),
            C("hire", _date("2015-01-01", 3000), ("Hire_Date", "hireDate", "hire_date")),
            C(
                "department",
                _pick(["Sales", "R&D", "Finance", "Support"]),
                ("Cost_Center", "department", "department"),
            ),
            C(
                "title",
                _pick(["Engineer", "Manager", "Analyst"]),
                ("Job_Title", "jobTitle", "position"),
            ),
            C(
                "manager",
                _person,
                ("Manager_Name", "supervisor", "supervisor_name"),
                twin="manager_id",
            ),
            C("manager_id", _codes("EMP"), ("Manager_ID", "supervisorEId", None), twin="manager"),
            C("salary", _money(30000, 0), ("Annual_Base_Pay", "payRate", "fix_salary")),
            C("location", _pick(_CITIES), ("Work_Location", "location", "office")),
            C(
                "status",
                _pick(["active", "terminated", "leave"]),
                ("Worker_Status", "status", "status"),
            ),
            C(
                "birth",
                _date("1960-01-01", 15000),
                ("Date_of_Birth", "dateOfBirth", "date_of_birth"),
            ),
        ),
    ),
    Domain(
        "product catalogues",
        ("shopify", "amazon", "akeneo"),
        (
            C("sku", _codes("SKU"), ("Variant SKU", "seller-sku", "sku")),
            C("title", _pick([f"{w} widget" for w in _WORDS]), ("Title", "item-name", "name")),
            C("description", _text, ("Body (HTML)", "product-description", "description")),
            C("price", _money(40), ("Variant Price", "price", "price-EUR")),
            C("stock", _count(0, 500), ("Variant Inventory Qty", "quantity", "stock_level")),
            C("brand", _pick(_COMPANIES), ("Vendor", "brand-name", "brand")),
            C(
                "category",
                _pick(["tools", "garden", "kitchen"]),
                ("Product Category", "item-type", "categories"),
            ),
            C("weight", _money(2, 3), ("Variant Grams", "item-weight", "weight")),
            C("barcode", _ids(10**12, 10**13), ("Variant Barcode", "external-product-id", "ean")),
            C("image", _url, ("Image Src", "main-image-url", "image_url")),
            C("published", _flag, ("Published", None, "enabled")),
            C("colour", _pick(["red", "blue", "black"]), ("Option1 Value", "color-name", "colour")),
        ),
    ),
)

_AFFIXES = (("hs_", ""), ("", "__c"), ("src_", ""), ("", "_v2"), ("stg_", ""), ("", "_field"))


def held_out_domain(name: str) -> bool:
    """Whether a domain is held out from tuning (a fixed hash, decided before tuning)."""
    return _stable_seed("vendor-split", name) % 10 < 4


def _affix(name: str, affix: tuple[str, str]) -> str:
    return f"{affix[0]}{name}{affix[1]}"


def build_vendor_case(domain: Domain, dest_vendor: int, src_vendor: int, variant: int) -> Case:
    """One labelled pair: ``src_vendor``'s export appended into ``dest_vendor``'s dataset."""
    pair = f"{domain.vendors[src_vendor]}->{domain.vendors[dest_vendor]}"
    case_id = f"vendor:{domain.name}/{pair}/{variant}"
    rng = np.random.default_rng(_stable_seed(case_id))
    held_out = held_out_domain(domain.name)
    n_dest, n_src = 120, 100
    concepts = list(domain.concepts)
    dest_names: dict[str, str] = {}
    src_names: dict[str, str] = {}
    for concept in concepts:
        d, s = concept.names[dest_vendor], concept.names[src_vendor]
        if d is not None:
            dest_names[concept.key] = d
        if s is not None:
            src_names[concept.key] = s
    # Columns without a counterpart: drop a few on each side (never both halves of nothing).
    for names in (dest_names, src_names):
        for key in list(rng.choice(list(names), size=min(2, len(names) - 4), replace=False)):
            if rng.random() < 0.6:
                names.pop(str(key), None)
    # An id-versus-name trap: the destination keeps the name, the source only the id.
    twins = [c for c in concepts if c.twin and c.key in dest_names and c.twin in src_names]
    if twins and rng.random() < 0.7:
        trap = twins[int(rng.integers(0, len(twins)))]
        src_names.pop(trap.key, None)
        dest_names.pop(trap.twin or "", None)
    # The source vendor's habits: an affix on most columns, an opaque name or two.
    if rng.random() < 0.5:
        affix = _AFFIXES[int(rng.integers(0, len(_AFFIXES)))]
        keys = list(src_names)
        for key in keys:
            if rng.random() < 0.85:
                src_names[key] = _affix(src_names[key], affix)
    if rng.random() < 0.6:
        for key in rng.choice(list(src_names), size=int(rng.integers(1, 3)), replace=False):
            src_names[str(key)] = f"field_{int(rng.integers(1, 60))}"
    dest_style, src_style = int(rng.integers(0, 5)), int(rng.integers(0, 5))
    gens = {c.key: c for c in concepts}
    destination = pd.DataFrame(
        {name: gens[k].gen(rng, n_dest, dest_style) for k, name in dest_names.items()}
    )
    seen: set[str] = set()
    src_cols: dict[str, list[object]] = {}
    for key, name in src_names.items():
        while name in seen:
            name = f"{name}_2"
        seen.add(name)
        src_names[key] = name
        src_cols[name] = gens[key].gen(rng, n_src, src_style)
    source = pd.DataFrame(src_cols)
    source = source[list(rng.permutation(list(source.columns)))]
    truth: dict[str, str | None] = {name: src_names.get(k) for k, name in dest_names.items()}
    return Case(
        case_id=case_id,
        table=f"vendor:{domain.name}",
        level="vendor",
        held_out=held_out,
        fresh=held_out and FRESH_VARIANT <= variant < NEW_DRAW_VENDOR_VARIANT,
        new_draw=held_out and NEW_DRAW_VENDOR_VARIANT <= variant < BLIND_DRAW_VENDOR_VARIANT,
        blind_draw=held_out and BLIND_DRAW_VENDOR_VARIANT <= variant < SEALED_DRAW_VENDOR_VARIANT,
        sealed_draw=held_out and variant >= SEALED_DRAW_VENDOR_VARIANT,
        source=source,
        destination=destination,
        truth=truth,
    )


#: Variants from this number on are the second held-out set (new draws of the held-out
#: domains, added after the first held-out scores had been read once).
FRESH_VARIANT = 100
#: Variants from this number on are the third held-out set (new draws of the held-out
#: domains, declared once the first two sets had been read during tuning).
NEW_DRAW_VENDOR_VARIANT = 200
#: Variants from this number on are the fourth held-out set (further draws of the held-out
#: domains, declared before any tuning after the third set's blind run).
BLIND_DRAW_VENDOR_VARIANT = 300
#: Variants from this number on are the fifth held-out set (sealed draws of the held-out
#: domains, declared before any tuning once all four held-out sets had been read, to be run
#: once on the final matcher).
SEALED_DRAW_VENDOR_VARIANT = 500


def build_vendor_cases(
    variants: int = 1,
    fresh: bool = True,
    new_draws: bool = False,
    blind_draws: bool = False,
    sealed_draws: bool = False,
) -> list[Case]:
    """Every ordered vendor pair of every domain, ``variants`` times; with ``fresh``, as
    many new draws of the held-out domains (the second held-out set); with ``new_draws``,
    as many again (the third); with ``blind_draws``, as many again (the fourth); with
    ``sealed_draws``, as many again (the fifth)."""
    if not 0 < variants <= FRESH_VARIANT:
        raise ValueError(f"variants must be 1 to {FRESH_VARIANT}, not {variants}")
    cases = []
    for domain in DOMAINS:
        numbers = list(range(variants))
        if fresh and held_out_domain(domain.name):
            numbers += [FRESH_VARIANT + v for v in range(variants)]
        if new_draws and held_out_domain(domain.name):
            numbers += [NEW_DRAW_VENDOR_VARIANT + v for v in range(variants)]
        if blind_draws and held_out_domain(domain.name):
            numbers += [BLIND_DRAW_VENDOR_VARIANT + v for v in range(variants)]
        if sealed_draws and held_out_domain(domain.name):
            numbers += [SEALED_DRAW_VENDOR_VARIANT + v for v in range(variants)]
        for d in range(len(domain.vendors)):
            for s in range(len(domain.vendors)):
                if d != s:
                    cases.extend(build_vendor_case(domain, d, s, v) for v in numbers)
    return cases
