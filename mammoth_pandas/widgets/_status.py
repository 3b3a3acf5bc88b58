"""The status line: one line of text saying what a panel did last, coloured by level."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from mammoth_pandas.errors import MammothInputError

__all__ = ["StatusLine"]

#: Colours of the status line by level (text colour, background): JupyterLab's theme
#: variables, so that light and dark themes both read well, with plain fallbacks.
_LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    "info": ("var(--jp-ui-font-color1, #1d2939)", "transparent"),
    "busy": ("var(--jp-brand-color1, #175cd3)", "transparent"),
    "success": (
        "var(--jp-success-color1, #05603a)",
        "color-mix(in srgb, var(--jp-success-color1, #12b76a) 12%, transparent)",
    ),
    "warning": (
        "var(--jp-warn-color1, #93370d)",
        "color-mix(in srgb, var(--jp-warn-color1, #f79009) 12%, transparent)",
    ),
    "error": (
        "var(--jp-error-color1, #b42318)",
        "color-mix(in srgb, var(--jp-error-color1, #d92d20) 12%, transparent)",
    ),
}


class StatusLine(widgets.HTML):
    """One line of text saying what the panel did last, coloured by level.

    ``text`` and ``level`` hold the plain message for notebooks and tests; ``value``
    holds its HTML rendering.
    """

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("mp-status")
        self.text = ""
        self.level = "info"
        self.show(text)

    def show(self, text: str, level: str = "info") -> None:
        if level not in _LEVEL_COLOURS:
            raise MammothInputError(
                "level", f"unknown level {level!r}", accepted=", ".join(_LEVEL_COLOURS)
            )
        colour, background = _LEVEL_COLOURS[level]
        self.text = text
        self.level = level
        self.value = (
            f'<span style="color:{colour};background:{background};padding:1px 4px;'
            f'border-radius:3px">{html.escape(text)}</span>'
            if text
            else ""
        )

    def info(self, text: str) -> None:
        self.show(text, "info")

    def busy(self, text: str) -> None:
        self.show(text, "busy")

    def success(self, text: str) -> None:
        self.show(text, "success")

    def warning(self, text: str) -> None:
        self.show(text, "warning")

    def error(self, text: str) -> None:
        self.show(text, "error")
