"""The :class:`Mapping` object: a derived column mapping that explains and corrects itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from mammoth_pandas import params as P
from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping import display, store, submit
from mammoth_pandas.mapping.decide import DEFAULT_MIN_CONFIDENCE, DEFAULT_SUGGEST_MIN, decide
from mammoth_pandas.mapping.score import Evidence, Weights, score_pair, side_names
from mammoth_pandas.mapping.sides import Column, Side, to_side

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job

__all__ = ["REVIEW_LEVELS", "STATUSES", "Mapping", "Row"]

from mammoth_pandas.mapping.rows import (
    REVIEW_LEVELS,
    STATUSES,
    Row,
    ambiguous_of,
    conflicts_of,
    frame_of,
)

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
        suggest_min: float | None = None,
        matrix: list[list[Evidence]] | None = None,
    ) -> None:
        self.source = source
        self.destination = destination
        #: Pairs scoring at least this are confident (``set_thresholds`` moves it).
        self.min_confidence = min_confidence
        #: Pairs scoring at least this, below ``min_confidence``, are suggested for review.
        self.suggest_min = min_confidence if suggest_min is None else suggest_min
        self.weights = weights or Weights()
        self._rows = list(rows)
        self._client = client
        self._observers: list[Observer] = []
        self._matrix = matrix

    @classmethod
    def derive(
        cls,
        source: Side,
        destination: Side,
        *,
        client: Any = None,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        suggest_min: float = DEFAULT_SUGGEST_MIN,
        weights: Weights | None = None,
        matrix: list[list[Evidence]],
    ) -> Mapping:
        """A mapping decided from the evidence ``matrix[dest][source]`` at both thresholds."""
        mapping = cls(
            source,
            destination,
            [],
            client=client,
            min_confidence=min_confidence,
            weights=weights,
            suggest_min=suggest_min,
            matrix=matrix,
        )
        mapping._rows = mapping._decided({})
        return mapping

    def _decided(self, keep: dict[int, Row]) -> list[Row]:
        matrix = self._matrix
        assert matrix is not None
        src_index = {c.c_id: j for j, c in enumerate(self.source.columns)}
        fixed = {i: (src_index[r.source.c_id] if r.source else None) for i, r in keep.items()}
        decisions = decide(
            self.destination.columns,
            self.source.columns,
            matrix,
            min_confidence=self.min_confidence,
            suggest_min=self.suggest_min,
            fixed=fixed,
        )
        rows = []
        for i, decision in enumerate(decisions):
            if decision is None:
                rows.append(keep[i])
                continue
            src, score, words, status, candidates = decision
            rows.append(Row(self.destination.columns[i], src, score, words, status, candidates))
        return rows

    def set_thresholds(
        self, min_confidence: float | None = None, suggest_min: float | None = None
    ) -> Mapping:
        """Move the thresholds and decide the derived rows again (rows set by hand stay).

        ``min_confidence``: pairs at least this sure are confident; ``suggest_min``: pairs
        at least this sure (and below ``min_confidence``) are suggested for review.
        """
        new_min = self.min_confidence if min_confidence is None else min_confidence
        new_suggest = self.suggest_min if suggest_min is None else suggest_min
        new_min = P.fraction("min_confidence", new_min, error=MappingError)
        new_suggest = P.fraction("suggest_min", new_suggest, error=MappingError)
        if new_suggest > new_min:
            raise MappingError(
                "suggest_min",
                f"is {new_suggest} above min_confidence {new_min}",
                accepted="a number at most min_confidence",
            )
        if self._matrix is None:
            raise MappingError(
                "mapping", "was loaded without its evidence", accepted="a derived mapping"
            )
        self.min_confidence, self.suggest_min = float(new_min), float(new_suggest)
        keep = {i: r for i, r in enumerate(self._rows) if r.by_hand}
        self._rows = self._decided(keep)
        self._notify()
        return self

    @property
    def client(self) -> Any:
        """The client that ``validate`` and ``append`` use (``None``: the destination's)."""
        return self._client

    @property
    def evidence(self) -> dict[str, tuple[str, ...]]:
        """The evidence each side brought: ``schema``, ``rows``, ``stats``."""
        return {"source": self.source.evidence, "destination": self.destination.evidence}

    @property
    def suggested(self) -> list[str]:
        """Ids of destination columns filled by a suggestion (in the payload; check them)."""
        return [r.destination.c_id for r in self._rows if r.status == "suggested"]

    # ----------------------------------------------------------------- reading
    @property
    def rows(self) -> tuple[Row, ...]:
        """One row per destination column, in the destination's order."""
        return tuple(self._rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per destination column (see :func:`~mammoth_pandas.mapping.rows.frame_of`).

        Its columns: ids, names, types, ``confidence`` (1.0 for a pair set or confirmed by hand),
        ``score`` (the computed score, whoever chose the pair), ``evidence``, ``status``,
        ``review``.
        """
        return frame_of(self._rows)

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
        return ambiguous_of(self._rows)

    @property
    def conflicts(self) -> list[dict[str, Any]]:
        """Mapped pairs whose values may not fit the destination's type.

        ``fail_share`` is the share of source values that do not parse (``None`` when the
        source's values are unknown: the server checks them on :meth:`validate`).
        """
        return conflicts_of(self._rows)

    def candidates(self, dest: str) -> list[dict[str, Any]]:
        """Every source column for ``dest``, best first, with its score and evidence."""
        column = self._destination(dest)
        ranked = sorted(
            (
                (src, score_pair(column, src, self.weights, self._names(column, src)))
                for src in self.source.columns
            ),
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

    def _names(self, dest: Column, source: Column) -> tuple[str, str]:
        """The names compared for a pair: each side's shared affixes set aside."""
        dest_names = dict(
            zip(self.destination.columns, side_names(self.destination.columns), strict=True)
        )
        src_names = dict(zip(self.source.columns, side_names(self.source.columns), strict=True))
        return dest_names[dest], src_names[source]

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
        evidence = score_pair(d, s, self.weights, self._names(d, s))
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
        return submit.create(self, validate_only=validate_only, wait=wait)

    def validate(self) -> Job:
        """Ask the server to check the append (``validate_only=True``) and wait for the job."""
        return self._create(validate_only=True, wait=True)

    def append(self, wait: bool = True) -> Job:
        """Append the source's rows to the destination as a new batch; returns the job."""
        return self._create(validate_only=False, wait=wait)

    def panel(self) -> Any:
        """An ipywidgets panel to review and correct this mapping.

        Returns:
            A :class:`~mammoth_pandas.widgets.MappingPanel` on this mapping.
        """
        # Deliberate lazy import: the widgets sit above the mapping in the layering, and
        # importing the mapping must not import ipywidgets.
        from mammoth_pandas.widgets import MappingPanel

        return MappingPanel(self)

    # ----------------------------------------------------------------- reuse
    def to_json(self) -> str:
        """The mapping as JSON: both schemas, every row's decision and the thresholds."""
        rows = [
            {
                "destination_c_id": r.destination.c_id,
                "source_c_id": r.source.c_id if r.source else None,
                "status": r.status,
                "confidence": r.confidence,
                "score": r.score,
                "evidence": r.evidence,
            }
            for r in self._rows
        ]
        settings = {"min_confidence": self.min_confidence, "suggest_min": self.suggest_min}
        return store.dump(self.source, self.destination, rows, settings)

    @classmethod
    def from_json(cls, text: str | bytes | dict[str, Any], *, client: Any = None) -> Mapping:
        """A mapping stored with :meth:`to_json`, its sides as the stored schemas.

        :meth:`check` it against the datasets as they are now, then :meth:`rebind` it to
        them to validate or append. Raises :class:`MappingError` for text that is not a
        stored mapping.
        """
        src, dest, rows, settings = store.restore(text)
        return cls(
            src,
            dest,
            rows,
            client=client,
            min_confidence=settings["min_confidence"],
            suggest_min=settings["suggest_min"],
        )

    def rebind(self, source: Any, destination: Any, *, client: Any = None) -> Mapping:
        """The same pairs on the sides as they are now (datasets, to validate or append).

        Sides are taken as by ``derive_mapping``. Pairs whose columns are gone are dropped
        (their destination left unmatched); :meth:`check` says what changed.
        """
        context = {"client": client or self._client}
        src = to_side(source, "source", **context)
        dest = to_side(destination, "destination", **context)
        handle_client = client or self._client or getattr(dest.dataset, "client", None)
        return Mapping(
            src,
            dest,
            store.rebound(self._rows, src, dest),
            client=handle_client,
            min_confidence=self.min_confidence,
            weights=self.weights,
            suggest_min=self.suggest_min,
        )

    def check(self, source: Any, destination: Any, *, client: Any = None) -> store.MappingCheck:
        """What changed in the sides since this mapping was made.

        Sides are taken as by ``derive_mapping`` (datasets, schemas, DataFrames). The result
        lists new, gone, renamed and retyped columns on each side, and the destination
        columns whose pair they touch; ``print`` it, or read ``ok``.
        """
        context = {"client": client or self._client}
        src = to_side(source, "source", **context)
        dest = to_side(destination, "destination", **context)
        return store.check(self._rows, (self.source, self.destination), (src, dest))

    # ----------------------------------------------------------------- display
    def __str__(self) -> str:
        return display.text_table(self)

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        return display.html_table(self)

    def style(self) -> Any:
        """:meth:`to_frame` as a pandas Styler, rows coloured by review level.

        pandas' Styler needs ``jinja2`` (JupyterLab and Notebook bring it).
        """
        return display.styler(self)


def _accepted_types(dest_type: str) -> str:
    return {
        "numeric": "NUMERIC or TEXT source columns",
        "date": "DATE or TEXT source columns",
    }.get(dest_type, "any source column")
