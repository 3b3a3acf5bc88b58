"""A batch listing's request, validated: wire parameters, paging, and the local sort key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas.errors import MammothInputError

__all__ = ["LIST_DEFAULTS", "ListQuery", "sort_key"]


def sort_key(name: str, last: bool) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    """A record's sort key on ``name``, missing values last (``last``: for a reversed sort)."""
    return lambda record: ((record.get(name) is None) != last, record.get(name))


class ListQuery:
    """A validated listing request: wire parameters plus paging."""

    def __init__(
        self,
        *,
        fields: Any,
        id: Any,
        created_at: Any,
        status: Any,
        state: Any,
        row_count: Any,
        limit: Any,
        offset: Any,
        sort: Any,
        page_size: Any,
    ) -> None:
        if status is not None and state is not None:
            raise MammothInputError("state", "give status= or state=, not both", accepted="one")
        id, row_count, status, state, created_at, sort = (
            None if isinstance(v, str) and not v.strip() else v
            for v in (id, row_count, status, state, created_at, sort)
        )
        self.fields = P.fields(fields)
        ids = None if id is None else P.id_list("id", id)
        counts = None if row_count is None else P.row_counts(row_count)
        states = status if state is None else state
        state_list = (
            None if states is None else P.states(states, "status" if state is None else "state")
        )
        self.ids = ids
        self.empty = any(x == [] for x in (ids, counts, state_list))
        self.params = {
            "fields": P.fields_wire(self.fields),
            "id": ",".join(map(str, ids or [])),
            "created_at": P.created_at(created_at),
            "status": ",".join(state_list or []),
            "row_count": ",".join(map(str, counts or [])),
        }
        wire_sort = P.sort(sort)
        if wire_sort:
            self.params["sort"] = wire_sort
        self.limit = P.limit(limit)
        self.offset = P.non_negative_int("offset", offset)
        self.page_size = P.page_size(page_size)
        if self.limit == 0:
            self.empty = True


LIST_DEFAULTS: dict[str, Any] = {
    "fields": None,
    "id": None,
    "created_at": None,
    "status": None,
    "state": None,
    "row_count": None,
    "limit": None,
    "offset": 0,
    "sort": None,
    "page_size": C.MAX_LIMIT,
}
