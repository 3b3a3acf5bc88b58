"""State chips: one toggle per batch state, with its count; on ones filter the table.

No chip on means every state. The counts are those of the other filters (name, dates,
rows), so a chip says how many batches turning it on would show; they come from the
dataset's index and read ``…`` until it is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from mammoth_pandas import contract as C
from mammoth_pandas.widgets._dom import Shared

__all__ = ["StateChips"]


class StateChips(widgets.HBox):
    """``chips["active"]`` is the ToggleButton of that state; ``value`` the states on."""

    def __init__(self, on_change: Callable[[], None], shared: Shared | None = None) -> None:
        self.chips: dict[str, widgets.ToggleButton] = {}
        self._holding = False
        self._on_change = on_change
        make = (shared or Shared()).make  # the panel's shared layout and styles, if given
        for state in C.BATCH_STATES:
            chip = make(
                widgets.ToggleButton,
                "mp-chip",
                f"mp-chip-{state}",
                description=state,
                value=False,
                tip=f"Show {state} batches (several chips can be on; none: all)",
            )
            chip.observe(lambda _c: None if self._holding else on_change(), names="value")
            self.chips[state] = chip
        self.label = make(widgets.HTML, value="States")
        super().__init__(
            [self.label, *self.chips.values()],
            layout={"flex_flow": "row wrap"},
            _dom_classes=["mp-state-chips"],
        )

    @property
    def value(self) -> tuple[str, ...]:
        """The states whose chip is on, in the contract's order."""
        return tuple(s for s, chip in self.chips.items() if chip.value)

    @value.setter
    def value(self, states: tuple[str, ...] | list[str]) -> None:
        """Turn on exactly ``states`` and filter once (as clicking the chips would)."""
        self.set(states)
        self._on_change()

    def set(self, states: tuple[str, ...] | list[str]) -> None:
        """Turn on exactly ``states`` (one filter change, not one per chip)."""
        self._holding = True
        try:
            for state, chip in self.chips.items():
                chip.value = state in states
        finally:
            self._holding = False

    def show_counts(self, counts: Mapping[str, int] | None) -> None:
        """``active 5,980`` on each chip (``active …`` while unknown)."""
        for state, chip in self.chips.items():
            count: Any = "…" if counts is None else f"{counts.get(state, 0):,}"
            chip.description = f"{state} {count}"
