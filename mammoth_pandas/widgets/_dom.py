"""Small helpers over stock widgets: CSS class hooks, hover text, closing a tree of widgets.

Everything composes stock ipywidgets controls (no custom front end), so it renders
wherever ipywidgets 7.7 or 8 does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import ipywidgets as widgets

__all__ = ["close_all", "css", "set_tooltip"]


W = TypeVar("W", bound=widgets.DOMWidget)


def css(widget: W, *classes: str) -> W:
    """Add stable CSS class hooks (``mp-…``) to ``widget`` and return it.

    Styles and browser tests find controls by these classes, not by their text.
    ``add_class`` exists in ipywidgets 7.7 and 8; in the page, a Button's class lands on
    its ``<button>``, a Checkbox's or Dropdown's on the ``div`` around the ``<input>`` or
    ``<select>``.
    """
    for name in classes:
        widget.add_class(name)
    return widget


def set_tooltip(widget: widgets.Widget, text: str) -> None:
    """Hover text: ``tooltip`` in ipywidgets 8, ``description_tooltip`` in 7."""
    for name in ("tooltip", "description_tooltip"):
        if widget.has_trait(name):
            setattr(widget, name, text)
            return


def close_all(roots: Iterable[widgets.Widget]) -> None:
    """Close these widgets, everything inside them, and their layouts and styles."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        stack.extend(getattr(widget, "children", ()))
        for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
            if isinstance(part, widgets.Widget):
                part.close()
        widget.close()
