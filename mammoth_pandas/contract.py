"""Constants of the Mammoth API v2 wire contract (batches, jobs, datasets).

The only module the client and the sandbox share: names and values that the wire
contract fixes, no behaviour.
"""

from __future__ import annotations

API_PREFIX = "/api/v2"

#: Batch states, in the order a listing's categorical ``state`` column carries them.
#: ``pending_delete`` is what newer servers add.
BATCH_STATES: tuple[str, ...] = (
    "active",
    "sync_pending",
    "suspended",
    "deleting",
    "pending_delete",
)

#: Every field a batch can carry.
BATCH_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "state",
    "created_at",
    "description",
    "row_count",
    "column_count",
    "source",
    "data_schema",
)

#: ``fields`` presets of the batch listing and of ``get``.
FIELD_PRESETS: dict[str, tuple[str, ...]] = {
    "__min": ("id", "name", "state", "created_at"),
    "__standard": (
        "id",
        "name",
        "state",
        "created_at",
        "description",
        "row_count",
        "column_count",
        "source",
    ),
    "__full": BATCH_FIELDS,
}
DEFAULT_FIELDS = "__standard"

#: Fields a listing may be sorted on.
SORTABLE_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "state",
    "created_at",
    "row_count",
    "column_count",
)
SORT_DIRECTIONS: tuple[str, ...] = ("asc", "desc")
DEFAULT_SORT = "(id:asc)"

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

#: Column types: lowercase in schemas, uppercase in a create mapping.
COLUMN_TYPES: tuple[str, ...] = ("text", "numeric", "date")
MAPPING_TYPES: tuple[str, ...] = ("TEXT", "NUMERIC", "DATE")


def column_type(value: object) -> str | None:
    """A column type as schemas spell it: lowercase, no spaces around; ``None`` if no text.

    The one normalisation of ``c_type``'s case: schemas into frames, the mapping helper's
    schema intake and a create's ``expected_destination_c_type`` (its uppercase) all use
    it. The result may still be no known type: callers check it against
    :data:`COLUMN_TYPES`.
    """
    return value.strip().lower() if isinstance(value, str) else None


JOB_STATUSES: tuple[str, ...] = ("processing", "success", "failure", "error")
JOB_DONE_STATUSES: frozenset[str] = frozenset({"success", "failure", "error"})
JOB_FAILED_STATUSES: frozenset[str] = frozenset({"failure", "error"})

DATASET_STATUSES: tuple[str, ...] = (
    "ready",
    "processing",
    "deleting",
    "deleted",
    "error",
    "need_action",
)

PATCH_OPS: tuple[str, ...] = ("replace", "add", "remove", "command")

HEADER_API_KEY = "X-API-KEY"
HEADER_API_SECRET = "X-API-SECRET"
HEADER_WORKSPACE = "X-WORKSPACE-ID"
HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"

ENV_URL = "MAMMOTH_API_URL"
ENV_KEY = "MAMMOTH_API_KEY"
ENV_SECRET = "MAMMOTH_API_SECRET"
ENV_TOKEN = "MAMMOTH_API_TOKEN"
ENV_SDK_KEY = "MAMMOTHANALYTICS_API_KEY"
ENV_SDK_SECRET = "MAMMOTHANALYTICS_API_SECRET"
