"""The :class:`Mapping` object: a derived column mapping that explains and corrects itself."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pandas as pd
from tabulate import tabulate

from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping.score import Evidence, Weights, score_pair
from mammoth_pandas.mapping.sides import Column, Side

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job
    from mammoth_pandas.widgets import MappingPanel

__all__ = ["STATUSES", "Mapping", "Row"]

#: Row statuses: derived (``matched``, ``ambiguous``, ``unmatched``) or set by the user
#: (``manual`` after ``override``, ``unset`` after ``unset``, ``confirmed`` after ``confirm``).
STATUSES: tuple[str, ...] = ("matched", "ambiguous", "unmatched", "manual", "unset", "confirmed")

FRAME_COLUMNS: tuple[str, ...] = (
    "destination_c_id",
    "destination_c_name",
    "destination_c_type",
    "source_c_id",
    "source_c_name",
    "source_c_type",
    "confidence",
    "score",
    "evidence",
    "status",
)

#: Statuses the user decided (``override``, ``unset``, ``confirm``).
USER_STATUSES: tuple[str, ...] = ("manual", "unset", "confirmed")


@dataclass(frozen=True)
class Row:
    """The decision for one destination column.

    ``confidence`` is how sure the mapping is of the choice: the computed score for a
    derived pair, 1.0 for a pair the user set or confirmed, 0.0 for an empty destination.
    ``score`` is the computed score of the pair whoever chose it (``None`` when no
    source fills the destination).
    """

    destination: Column
    source: Column | None
    confidence: float
    evidence: str
    status: str
    candidates: tuple[tuple[Column, Evidence], ...] = ()
    computed_score: float | None = None

    @property
    def score(self) -> float | None:
        if self.source is None:
            return None
        return self.computed_score if self.computed_score is not None else self.confidence

    @property
    def by_hand(self) -> bool:
        """Whether the user decided this row (``override``, ``unset`` or ``confirm``)."""
        return self.status in USER_STATUSES


Observer = Callable[["Mapping"], Any]


class Mapping:
    """Which source column fills each destination column, with the evidence.

    Built by :func:`~mammoth_pandas.mapping.derive_mapping`. Corrections
    (:meth:`override`, :meth:`unset`, :meth:`confirm`) change it in place and notify the
    callbacks registered with :meth:`observe`; :meth:`payload` gives the ``mapping`` for
    ``batches.create``, which :meth:`validate` and :meth:`append` send.
    """

    def __init__(
        self,
        source: Side,
        destination: Side,
        rows: list[Row],
        *,
        client: Any = None,
        min_confidence: float = 0.0,
        weights: Weights | None = None,
    ) -> None:
        self.source = source
        self.destination = destination
        self.min_confidence = min_confidence
        self.weights = weights or Weights()
        self._rows = list(rows)
        self._client = client
        self._observers: list[Observer] = []

    # ----------------------------------------------------------------- reading
    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(self._rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per destination column: ids, names, types, confidence, score, evidence, status.

        ``confidence`` is 1.0 for a pair set or confirmed by hand (status ``manual`` or
        ``confirmed``) and the computed score for a derived one; ``score`` is always the
        computed score of the pair (missing when nothing fills the destination).
        """
        records = []
        for row in self._rows:
            src = row.source
            records.append(
                {
                    "destination_c_id": row.destination.c_id,
                    "destination_c_name": row.destination.c_name,
                    "destination_c_type": row.destination.c_type.upper(),
                    "source_c_id": src.c_id if src else None,
                    "source_c_name": src.c_name if src else None,
                    "source_c_type": src.c_type.upper() if src else None,
                    "confidence": row.confidence,
                    "score": row.score,
                    "evidence": row.evidence,
                    "status": row.status,
                }
            )
        frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
        for name in FRAME_COLUMNS:
            if name not in ("confidence", "score"):
                frame[name] = frame[name].astype("string")
        frame["confidence"] = frame["confidence"].astype("Float64")
        frame["score"] = pd.array(
            [pd.NA if v is None else v for v in frame["score"]], dtype="Float64"
        )
        return frame

    @property
    def unmatched_destination(self) -> list[str]:
        """Ids of destination columns that nothing fills (they stay empty when appending)."""
        return [r.destination.c_id for r in self._rows if r.source is None]

    @property
    def unused_source(self) -> list[str]:
        """Ids of source columns that fill nothing (they are not appended)."""
        used = {r.source.c_id for r in self._rows if r.source is not None}
        return [c.c_id for c in self.source.columns if c.c_id not in used]

    @property
    def ambiguous(self) -> list[dict[str, Any]]:
        """Destination columns whose best candidates score too close to call, with evidence."""
        out = []
        for row in self._rows:
            if row.status != "ambiguous":
                continue
            out.append(
                {
                    "destination_c_id": row.destination.c_id,
                    "destination_c_name": row.destination.c_name,
                    "source_c_id": row.source.c_id if row.source else None,
                    "candidates": [
                        {"source_c_id": c.c_id, "source_c_name": c.c_name, "score": ev.score}
                        for c, ev in row.candidates
                    ],
                    "evidence": row.evidence,
                }
            )
        return out

    @property
    def conflicts(self) -> list[dict[str, Any]]:
        """Mapped pairs whose values may not fit the destination's type.

        ``fail_share`` is the share of source values that do not parse (``None`` when the
        source's values are unknown: the server checks them on :meth:`validate`).
        """
        out = []
        for row in self._rows:
            src, dest = row.source, row.destination
            if src is None or src.c_type == dest.c_type or dest.c_type == "text":
                continue
            fail: float | None = None
            if src.profile is not None and not src.profile.empty:
                fail = (
                    src.profile.number_fail if dest.c_type == "numeric" else src.profile.date_fail
                )
                if fail <= 0:
                    continue
            kind = "numbers" if dest.c_type == "numeric" else "dates"
            message = (
                f"{fail:.0%} of {src.c_name!r} values do not parse as {kind}"
                if fail is not None
                else f"{src.c_name!r} is {src.c_type}: values unchecked, the server checks them"
            )
            out.append(
                {
                    "destination_c_id": dest.c_id,
                    "destination_c_name": dest.c_name,
                    "destination_c_type": dest.c_type.upper(),
                    "source_c_id": src.c_id,
                    "source_c_name": src.c_name,
                    "source_c_type": src.c_type.upper(),
                    "fail_share": fail,
                    "message": message,
                }
            )
        return out

    def candidates(self, dest: str) -> list[dict[str, Any]]:
        """Every source column for ``dest``, best first, with its score and evidence."""
        column = self._destination(dest)
        ranked = sorted(
            ((src, score_pair(column, src, self.weights)) for src in self.source.columns),
            key=lambda item: -item[1].score,
        )
        return [
            {
                "source_c_id": src.c_id,
                "source_c_name": src.c_name,
                "source_c_type": src.c_type.upper(),
                "score": ev.score,
                "evidence": ev.words(),
            }
            for src, ev in ranked
        ]

    @property
    def confirmed(self) -> bool:
        """Whether every row has been decided by the user (confirmed, overridden or unset)."""
        return all(r.by_hand for r in self._rows)

    # ----------------------------------------------------------------- changing
    def observe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(mapping)`` after every change; returns a function that stops it."""
        if not callable(callback):
            raise MappingError("callback", f"{callback!r} is not callable", accepted="a callable")
        self._observers.append(callback)

        def stop() -> None:
            if callback in self._observers:
                self._observers.remove(callback)

        return stop

    def _notify(self) -> None:
        for callback in list(self._observers):
            callback(self)

    def _destination(self, key: str) -> Column:
        column = self.destination.find(key)
        if column is None:
            raise MappingError(
                "dest",
                f"no destination column {key!r}",
                accepted=", ".join(c.c_id for c in self.destination.columns),
            )
        return column

    def _source(self, key: str) -> Column:
        column = self.source.find(key)
        if column is None:
            raise MappingError(
                "source",
                f"no source column {key!r}",
                accepted=", ".join(c.c_id for c in self.source.columns),
            )
        return column

    def _index(self, column: Column) -> int:
        return next(i for i, r in enumerate(self._rows) if r.destination.c_id == column.c_id)

    def override(self, dest: str, source: str) -> Mapping:
        """Fill destination ``dest`` from ``source`` (ids, or names), whatever was derived.

        The row reads as the user's choice: status ``manual``, confidence 1.0, the
        evidence starting "set by hand", the computed score kept as ``score``.
        A source column fills one destination: if another destination used it, that one
        becomes unmatched. Raises :class:`MappingError` for unknown columns or a type the
        destination cannot take (a date into a number or the reverse).
        """
        d, s = self._destination(dest), self._source(source)
        evidence = score_pair(d, s, self.weights)
        if evidence.type_fit <= 0:
            raise MappingError(
                "source",
                f"{d.c_name!r} is {d.c_type.upper()} and cannot take "
                f"{s.c_name!r} ({s.c_type.upper()})",
                accepted=_accepted_types(d.c_type),
            )
        rows = list(self._rows)
        for i, row in enumerate(rows):
            if (
                row.source is not None
                and row.source.c_id == s.c_id
                and row.destination.c_id != d.c_id
            ):
                rows[i] = replace(
                    row,
                    source=None,
                    confidence=0.0,
                    computed_score=None,
                    status="unmatched",
                    evidence=f"its source {s.c_name!r} now fills {d.c_name!r}",
                )
        i = self._index(d)
        rows[i] = replace(
            rows[i],
            source=s,
            confidence=1.0,
            computed_score=evidence.score,
            status="manual",
            evidence=f"set by hand; computed score {evidence.score:.2f}: {evidence.words()}",
        )
        self._rows = rows
        self._notify()
        return self

    def unset(self, dest: str) -> Mapping:
        """Leave destination ``dest`` empty in appended rows."""
        d = self._destination(dest)
        i = self._index(d)
        self._rows[i] = replace(
            self._rows[i],
            source=None,
            confidence=0.0,
            computed_score=None,
            status="unset",
            evidence="left empty by hand",
        )
        self._notify()
        return self

    def confirm(self, dest: str | None = None) -> Mapping:
        """Accept the current choice for ``dest``, or for every destination column.

        A confirmed pair has status ``confirmed`` and confidence 1.0 (its computed score
        stays as ``score``); confirming an empty destination leaves it ``unset``.
        """
        targets = (
            [self._destination(dest)] if dest is not None else [r.destination for r in self._rows]
        )
        for column in targets:
            i = self._index(column)
            row = self._rows[i]
            if row.by_hand:
                continue
            if row.source is None:
                self._rows[i] = replace(row, status="unset")
            else:
                self._rows[i] = replace(
                    row,
                    status="confirmed",
                    confidence=1.0,
                    computed_score=row.score,
                    evidence=f"confirmed by hand; computed score {row.score:.2f}: {row.evidence}",
                )
        self._notify()
        return self

    # ----------------------------------------------------------------- submitting
    def payload(self, *, by: str = "id") -> list[dict[str, str]]:
        """The ``mapping`` list for ``batches.create``: one item per filled destination column.

        ``by="id"`` (default) gives ``destination_c_id`` / ``source_c_id``; ``by="name"``
        gives ``destination_c_name`` / ``source_c_name`` (for sides known only by names).
        ``expected_destination_c_type`` is the destination's type in uppercase.
        """
        if by not in ("id", "name"):
            raise MappingError("by", f"is {by!r}", accepted="id, name")
        items = []
        for row in self._rows:
            if row.source is None:
                continue
            if by == "id":
                item = {"destination_c_id": row.destination.c_id, "source_c_id": row.source.c_id}
            else:
                item = {
                    "destination_c_name": row.destination.c_name,
                    "source_c_name": row.source.c_name,
                }
            item["expected_destination_c_type"] = row.destination.c_type.upper()
            items.append(item)
        return items

    def _create(self, *, validate_only: bool, wait: bool) -> Job:
        src, dest = self.source.dataset, self.destination.dataset
        for side, handle in (("source", src), ("destination", dest)):
            if handle is None:
                raise MappingError(
                    side,
                    f"the {side} is a {self._side_kind(side)}, not a dataset",
                    accepted="derive_mapping() with a DatasetHandle (or dataset id) on both sides",
                )
        assert src is not None
        assert dest is not None
        if (src.workspace_id, src.project_id, src.dataset_id) == (
            dest.workspace_id,
            dest.project_id,
            dest.dataset_id,
        ):
            raise MappingError(
                "source",
                f"dataset {src.dataset_id} is the destination itself",
                accepted="another dataset of the destination's project",
            )
        if (src.workspace_id, src.project_id) != (dest.workspace_id, dest.project_id):
            raise MappingError(
                "source",
                "the source dataset is in another workspace or project",
                accepted="a source dataset in the destination's project",
            )
        payload = self.payload()
        if not payload:
            raise MappingError(
                "mapping", "no destination column is filled", accepted="at least one mapped column"
            )
        client = self._client or dest.client
        return client.batches.create(
            dest.workspace_id,
            dest.project_id,
            dest.dataset_id,
            source_id=src.dataset_id,
            mapping=payload,
            validate_only=validate_only,
            wait=wait,
        )

    def _side_kind(self, role: str) -> str:
        side = self.source if role == "source" else self.destination
        return {"frame": "DataFrame", "schema": "schema"}.get(side.kind, side.kind)

    def validate(self) -> Job:
        """Ask the server to check the append (``validate_only=True``) and wait for the job."""
        return self._create(validate_only=True, wait=True)

    def append(self, wait: bool = True) -> Job:
        """Append the source's rows to the destination as a new batch; returns the job."""
        return self._create(validate_only=False, wait=wait)

    def panel(self) -> MappingPanel:
        """An ipywidgets panel to review and correct this mapping."""
        from mammoth_pandas.widgets import MappingPanel

        return MappingPanel(self)

    # ----------------------------------------------------------------- display
    def _summary(self) -> str:
        filled = sum(1 for r in self._rows if r.source is not None)
        parts = [f"Mapping: {filled} of {len(self._rows)} destination columns filled"]
        unmatched, unused = self.unmatched_destination, self.unused_source
        ambiguous, conflicts = self.ambiguous, self.conflicts
        if unmatched:
            parts.append(f"unmatched destination: {', '.join(unmatched)}")
        if unused:
            parts.append(f"unused source: {', '.join(unused)}")
        if ambiguous:
            parts.append(f"ambiguous: {', '.join(a['destination_c_id'] for a in ambiguous)}")
        if conflicts:
            parts.append(f"type conflicts: {', '.join(c['destination_c_id'] for c in conflicts)}")
        return "; ".join(parts)

    def _display_rows(self) -> list[list[str]]:
        out = []
        for row in self._rows:
            d, s = row.destination, row.source
            out.append(
                [
                    f"{d.c_name} ({d.c_id})",
                    d.c_type.upper(),
                    f"{s.c_name} ({s.c_id})" if s else "—",
                    s.c_type.upper() if s else "",
                    _confidence_text(row),
                    row.status,
                ]
            )
        return out

    _HEADERS = ("destination", "type", "source", "source type", "confidence", "status")

    def __str__(self) -> str:
        table = tabulate(
            self._display_rows(),
            headers=list(self._HEADERS),
            tablefmt="simple",
            disable_numparse=True,
        )
        return f"{self._summary()}\n{table}"

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        colours = {
            "matched": "#e6f4ea",
            "confirmed": "#e6f4ea",
            "manual": "#e8f0fe",
            "ambiguous": "#fef7e0",
        }
        body = []
        for row, cells in zip(self._rows, self._display_rows(), strict=True):
            style = f' style="background:{colours[row.status]}"' if row.status in colours else ""
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            body.append(f'<tr{style} title="{html.escape(row.evidence)}">{tds}</tr>')
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEADERS)
        return (
            f'<div class="mammoth-mapping"><p>{html.escape(self._summary())}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )


def _confidence_text(row: Row) -> str:
    """``0.82`` for a derived pair, ``1.00 (score 0.00)`` for one set by hand, "" for none."""
    if row.source is None:
        return ""
    if row.by_hand and row.score is not None:
        return f"{row.confidence:.2f} (score {row.score:.2f})"
    return f"{row.confidence:.2f}"


def _accepted_types(dest_type: str) -> str:
    return {
        "numeric": "NUMERIC or TEXT source columns",
        "date": "DATE or TEXT source columns",
    }.get(dest_type, "any source column")
