"""Small helpers over stock widgets: CSS class hooks, hover text, closing a tree of widgets.

Everything composes stock ipywidgets controls (no custom front end), so it renders
wherever ipywidgets 7.7 or 8 does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import ipywidgets as widgets

__all__ = ["Shared", "close_all", "css", "set_tooltip"]


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


class Shared:
    """One layout, and one style per kind of control, for the controls that never change
    theirs.

    A layout or a style is a widget of its own, sent to the page when it is made; shared
    (ipywidgets lets several controls hold the same one), a panel sends a third fewer
    widgets when it opens. ``make(cls, *classes, **kwargs)`` builds a control with them,
    and with its CSS class hooks set from the start (no message per class); a ``layout`` or
    ``style`` in ``kwargs`` gives the control its own instead.
    """

    def __init__(
        self, layout: widgets.Layout | None = None, style: widgets.Widget | None = None
    ) -> None:
        """Share ``layout`` (a new one unless given) and ``style`` (given: the same one for
        every control; else one per kind of control)."""
        self.layout = layout if layout is not None else widgets.Layout()
        self._styles: dict[type, widgets.Widget] = {}
        self._style = style

    def make(self, cls: type[W], *classes: str, tip: str | None = None, **kwargs: Any) -> W:
        """A ``cls(**kwargs)`` with the shared layout and style, carrying ``classes`` (and
        ``tip`` as its hover text)."""
        kwargs.setdefault("layout", self.layout)
        if tip is not None:
            names = cls.class_trait_names()
            kwargs["tooltip" if "tooltip" in names else "description_tooltip"] = tip
        if self._style is not None:
            kwargs.setdefault("style", self._style)
        own_style = "style" in kwargs
        if not own_style and cls in self._styles:
            kwargs["style"] = self._styles[cls]
        if classes:
            kwargs["_dom_classes"] = [*kwargs.get("_dom_classes", ()), *classes]
        widget = cls(**kwargs)
        style = getattr(widget, "style", None)
        if not own_style and isinstance(style, widgets.Widget):
            self._styles.setdefault(cls, style)
        return widget

    def widgets(self) -> list[widgets.Widget]:
        """The shared parts (to close with the panel)."""
        return [self.layout, *self._styles.values()]


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
