"""The mapping panel: review and correct a derived mapping, validate it, append.

::

    mapping = derive_mapping(crm_export, customers)
    mapping.panel()                                  # or MappingPanel(mapping)
    MappingPanel(mapping, linked=[batch_panel])      # refreshes batch_panel after Append

One row per destination column, in two groups: the pairs to review (suggestions, columns
nothing fills, conversions that would lose values) and the confident or decided ones. Each
row has the destination's name and type, a dropdown of the source columns ranked by score
(the score, a sample value and the destination a source already fills are in each
entry), the score, a coloured status and the explanation, with sample values of both
columns when the mapping was derived with rows. Choosing a source that already fills
another destination never moves it silently: the row offers a swap (or a move) and waits.
A dropdown change calls ``mapping.override`` or ``mapping.unset``; any change to the
mapping (from code too) updates the rows and clears Validate's verdict. Validate and
Append run in a background thread that only sets widget values.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets import _mapping_text as text
from mammoth_pandas.widgets._confirm import Confirmation
from mammoth_pandas.widgets._dom import close_all, css
from mammoth_pandas.widgets._mapping_actions import MappingActions
from mammoth_pandas.widgets._mapping_row import (
    NONE_LABEL,
    NONE_VALUE,
    MappingRow,
    SwapOffer,
    options_for,
    summary_text,
)
from mammoth_pandas.widgets._mapping_static import static_mapping
from mammoth_pandas.widgets._runner import ActionResult, ActionRunner
from mammoth_pandas.widgets._static import StaticView
from mammoth_pandas.widgets._status import StatusLine
from mammoth_pandas.widgets._text import describe_error

if TYPE_CHECKING:
    from mammoth_pandas.mapping import Mapping

__all__ = ["NONE_LABEL", "MappingPanel", "SwapOffer"]

_NONE = NONE_VALUE


class MappingPanel(StaticView, MappingActions, widgets.VBox):
    """Review, correct, validate and append a :class:`~mammoth_pandas.mapping.Mapping`.

    Args:
        mapping: the mapping to show and change (from :func:`derive_mapping`).
        linked: panels (anything with ``refresh()``, such as a
            :class:`~mammoth_pandas.widgets.BatchPanel`) refreshed after each append.

    ``panel.dropdowns`` maps each destination column id to its source dropdown;
    ``rows[dest]`` holds that row's widgets (``swap_button``, ``keep_button`` of the swap
    offer among them); ``validate_button``, ``append_button``, ``confirm_button``,
    ``cancel_button``, ``unused_label``, ``summary``, ``progress`` and ``status`` are the
    other controls. ``pending_swap`` is the :class:`SwapOffer` waiting, if any;
    ``verdict`` the last Validate result until the mapping changes. ``panel.wait()``
    blocks until Validate or Append has finished; ``new_batch_id`` holds the batch the
    last append created; ``on_action_finished(callback)`` and the ``busy`` trait report
    the end of each action.
    """

    busy = traitlets.Bool(False, help="True while Validate or Append runs")

    def __init__(self, mapping: Mapping, *, linked: Iterable[Any] = ()) -> None:
        for attribute in ("rows", "override", "unset", "observe", "validate", "append"):
            if not hasattr(mapping, attribute):
                raise MammothInputError(
                    "mapping",
                    f"{type(mapping).__name__} has no {attribute!r}",
                    accepted="a Mapping from derive_mapping()",
                )
        self.mapping = mapping
        self.new_batch_id: int | None = None
        self.last_result: ActionResult | None = None
        self.verdict: ActionResult | None = None
        self.pending_swap: SwapOffer | None = None
        self.linked: list[Any] = []
        self._callbacks: list[Callable[[ActionResult], Any]] = []
        self._syncing = False
        self._conversions: dict[tuple[str, str], text.Conversion | None] = {}
        self._score_cache: dict[str, dict[str, float]] = {}
        for panel in linked:
            self.link(panel)

        self.style_sheet = widgets.HTML(text.stylesheet())
        self.title = css(widgets.HTML(f"<b>{html.escape(self._title())}</b>"), "mp-title")
        self.header = css(
            widgets.HTML(
                '<span class="mp-muted"><b>destination · type</b> &nbsp;→&nbsp; <b>source</b>, '
                "best first · score · status · why</span>"
            ),
            "mp-mapping-header",
        )
        self.rows: dict[str, MappingRow] = {}
        for row in mapping.rows:
            dest = row.destination.c_id
            widget_row = MappingRow(dest)
            widget_row.source.observe(
                lambda change, dest=dest: self._on_choice(dest, change["new"]), names="value"
            )
            widget_row.swap_button.on_click(lambda _b: self.accept_swap())
            widget_row.keep_button.on_click(lambda _b: self.keep())
            self.rows[dest] = widget_row
        self.dropdowns: dict[str, widgets.Dropdown] = {k: r.source for k, r in self.rows.items()}
        self.review_heading = css(
            widgets.HTML('<div class="mp-section">To review: suggestions, empty columns, '
                         "conversions unchecked or losing values</div>"),
            "mp-review-heading",
        )  # fmt: skip
        self.settled_heading = css(
            widgets.HTML('<div class="mp-section">Confident or decided by hand</div>'),
            "mp-settled-heading",
        )
        self.row_groups = css(widgets.VBox(), "mp-mapping-rows")
        self._group: dict[str, bool] = {}  # destination id -> in "to review"
        self.unused_label = css(widgets.HTML(), "mp-unused")
        self.summary = css(widgets.HTML(), "mp-summary")
        self.validate_button = css(
            widgets.Button(description="Validate", icon="check"), "mp-validate"
        )
        self.append_button = css(
            widgets.Button(description="Append", icon="plus", button_style="primary"),
            "mp-append",
        )
        self.confirmation = Confirmation()
        self.confirm_button = self.confirmation.confirm_button
        self.cancel_button = self.confirmation.cancel_button
        self.progress = css(
            widgets.IntProgress(value=0, min=0, max=100, description="Job"), "mp-progress"
        )
        self.status = StatusLine()
        self._runner = ActionRunner(self.progress, on_busy=self._set_busy)

        super().__init__(
            [
                self.style_sheet,
                self.title,
                self.header,
                self.row_groups,
                self.unused_label,
                self.summary,
                css(widgets.HBox([self.validate_button, self.append_button]), "mp-actions"),
                self.confirmation,
                widgets.HBox([self.progress, self.status]),
            ]
        )
        self.add_class("mp-mapping-panel")
        self.validate_button.on_click(lambda _b: self.validate())
        self.append_button.on_click(lambda _b: self._ask_append())
        self._stop_observing = mapping.observe(lambda _m: self._on_mapping_changed())
        self._sync()
        self.status.info("Check the suggestions, then Validate or Append.")

    # -- programmatic access ------------------------------------------------------------

    def close(self) -> None:
        """Stop observing the mapping and close every widget of the panel."""
        stop = getattr(self, "_stop_observing", None)
        if callable(stop):
            stop()
        runner = getattr(self, "_runner", None)  # None when __init__ failed early
        if runner is not None:
            runner.stop()
        close_all([*self.children, *(row.box for row in getattr(self, "rows", {}).values())])
        self.layout.close()
        super().close()

    def static_html(self) -> str:
        """The saved view: title, the rows as a table, summary and status (no kernel needed)."""
        return self.static_page(static_mapping(self))

    def accept_swap(self) -> None:
        """Carry out the waiting :class:`SwapOffer` (the row's Swap button)."""
        offer = self.pending_swap
        if offer is None:
            return
        self._hide_swap()
        try:
            self.mapping.override(offer.dest, offer.source)
            if offer.give_back is not None:
                self.mapping.override(offer.other, offer.give_back)
            else:
                self.mapping.unset(offer.other)
        except Exception as exc:  # refused: said, and the rows show the mapping as it is
            self.status.error(describe_error(exc))
            self._sync()
            return
        dest, other, src = (self._dest_name(offer.dest), self._dest_name(offer.other),
                            self._src_name(offer.source))  # fmt: skip
        tail = (
            f"{other} now comes from {self._src_name(offer.give_back)}"
            if offer.give_back is not None
            else f"{other} is left empty"
        )
        self.status.info(f"Swapped: {dest} now comes from {src}; {tail}.")

    def keep(self) -> None:
        """Drop the waiting :class:`SwapOffer`: nothing changes."""
        offer = self.pending_swap
        self._hide_swap()
        self._sync()
        if offer is not None:
            self.status.info(
                f"Kept as it was: {self._src_name(offer.source)} still fills "
                f"{self._dest_name(offer.other)}."
            )

    # -- keeping widgets and mapping in sync --------------------------------------------

    def _title(self) -> str:
        def side(which: str) -> str:
            obj = getattr(self.mapping, which)
            dataset = getattr(obj, "dataset", None)
            if dataset is not None:
                return f"dataset {dataset.dataset_id}"
            return {"frame": "a DataFrame", "schema": "a schema"}.get(obj.kind, obj.kind)

        return f"Append {side('source')} into {side('destination')}"

    def _regroup(self) -> None:
        """Place each row under "To review" or "Confident or decided by hand".

        A derived row moves when its level changes (thresholds moved); a row the user
        decided stays where it was, so that the row being edited does not jump away.
        """
        changed = False
        for row in self.mapping.rows:
            dest = row.destination.c_id
            if dest in self._group and row.by_hand:
                continue
            needs = text.review_of(row).to_review or self._loses_values(row)
            changed = changed or self._group.get(dest) != needs
            self._group[dest] = needs
        if not changed:
            return
        review = [self.rows[d].box for d, needs in self._group.items() if needs]
        settled = [self.rows[d].box for d, needs in self._group.items() if not needs]
        children: list[widgets.Widget] = []
        if review:
            children += [self.review_heading, *review]
        if settled:
            children += [self.settled_heading, *settled]
        self.row_groups.children = children

    def _conversion(self, row: Any) -> text.Conversion | None:
        if row.source is None:
            return None
        key = (row.source.c_id, row.destination.c_type)
        if key not in self._conversions:
            self._conversions[key] = text.conversion(row.source, row.destination)
        return self._conversions[key]

    def _loses_values(self, row: Any) -> bool:
        conv = self._conversion(row)
        return conv is not None and conv.tone != "confident"

    def _on_choice(self, dest: str, value: str) -> None:
        if self._syncing:
            return
        self._hide_swap()
        try:
            if value == _NONE:
                self.mapping.unset(dest)
                self.status.info(f"{self._dest_name(dest)} will stay empty.")
                return
            other = self._filled_by(value)
            source_type = self._source_type(value)
            fits = not text.incompatible(source_type, self._row(dest).destination.c_type)
            if other is not None and other != dest and fits:
                self._offer_swap(dest, value, other)
                return
            self.mapping.override(dest, value)
            self.status.info(f"{self._dest_name(dest)} now comes from {self._src_name(value)}.")
        except Exception as exc:  # a refused choice is explained and undone, never raised
            self.status.error(describe_error(exc))
            self._sync()

    def _filled_by(self, source: str) -> str | None:
        for row in self.mapping.rows:
            if row.source is not None and row.source.c_id == source:
                return str(row.destination.c_id)
        return None

    def _source_type(self, source: str) -> str:
        for column in self.mapping.source.columns:
            if column.c_id == source:
                return str(column.c_type)
        return ""

    def _row(self, dest: str) -> Any:
        return next(r for r in self.mapping.rows if r.destination.c_id == dest)

    def _offer_swap(self, dest: str, source: str, other: str) -> None:
        """Put the dropdown back and ask, in the row, whether to swap."""
        current = self._row(dest).source
        other_row = self._row(other)
        give_back = None
        if current is not None and not text.incompatible(
            current.c_type, other_row.destination.c_type
        ):
            give_back = str(current.c_id)
        self.pending_swap = SwapOffer(dest, source, other, give_back)
        self._sync()  # the dropdown shows the mapping as it still is
        widget_row = self.rows[dest]
        src, other_name = self._src_name(source), self._dest_name(other)
        if give_back is not None:
            back = self._src_name(give_back)
            question = f"{src} already fills {other_name}. Swap: {other_name} gets {back}?"
            widget_row.swap_button.description = f"Swap ({other_name} gets {back})"
        else:
            question = (
                f"{src} already fills {other_name}. Move it here, leaving {other_name} empty?"
            )
            widget_row.swap_button.description = f"Move ({other_name} left empty)"
        widget_row.swap_question = question
        widget_row.swap_message.value = f"<b>{html.escape(question, quote=False)}</b>"
        widget_row.swap.layout.display = "flex"
        self.status.warning(f"{src} already fills {other_name}: swap it, or keep it there.")

    def _hide_swap(self) -> None:
        offer, self.pending_swap = self.pending_swap, None
        if offer is not None and offer.dest in self.rows:
            widget_row = self.rows[offer.dest]
            widget_row.swap.layout.display = "none"
            widget_row.swap_question = ""
            widget_row.swap_message.value = ""

    def _dest_name(self, dest: str) -> str:
        for row in self.mapping.rows:
            if row.destination.c_id == dest:
                return repr(row.destination.c_name)
        return repr(dest)

    def _src_name(self, source: str) -> str:
        for column in self.mapping.source.columns:
            if column.c_id == source:
                return repr(column.c_name)
        return repr(source)

    def _on_mapping_changed(self) -> None:
        if self.pending_swap is not None and not self._syncing:
            self._hide_swap()
        if self.verdict is not None:
            self.verdict = None
            self.progress.value = self.progress.min
            self.progress.bar_style = ""
            self.status.info("The mapping changed since Validate: validate again.")
        self._sync()

    def _scores(self, dest: str) -> dict[str, float]:
        """Each source column's computed score for ``dest`` (cached: columns do not change)."""
        if dest not in self._score_cache:
            ranked = getattr(self.mapping, "candidates", None)
            found = ranked(dest) if callable(ranked) else []
            self._score_cache[dest] = {c["source_c_id"]: float(c["score"]) for c in found}
        return self._score_cache[dest]

    def _sync(self) -> None:
        """Set every row's widgets from the mapping (the only way values flow to the widgets)."""
        conflicts = {c["destination_c_id"]: c for c in self.mapping.conflicts}
        used = {
            r.source.c_id: r.destination.c_id for r in self.mapping.rows if r.source is not None
        }
        self._syncing = True
        try:
            for row in self.mapping.rows:
                widget_row = self.rows.get(row.destination.c_id)
                if widget_row is not None:
                    widget_row.show(
                        row,
                        options=options_for(
                            self.mapping, row, used, self._scores(row.destination.c_id)
                        ),
                        conversion=self._conversion(row),
                        conflict=conflicts.get(row.destination.c_id),
                    )
        finally:
            self._syncing = False
        self._regroup()
        names = {c.c_id: c.c_name for c in self.mapping.source.columns}
        unused = [names.get(c, c) for c in self.mapping.unused_source]
        self.unused_label.value = (
            "Unused source columns: " + html.escape(", ".join(unused))
            if unused
            else "Every source column is used."
        )
        self.summary.value = html.escape(summary_text(self.mapping, self._conversion, conflicts))
