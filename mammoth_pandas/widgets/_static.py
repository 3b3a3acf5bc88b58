"""A panel's static HTML view, kept in its output so a saved notebook shows what it held."""

from __future__ import annotations

import contextlib
import html
from typing import Any

__all__ = ["StaticView"]


class StaticView:
    """Adds a static HTML view beside the live widget in a panel's output.

    A notebook saved with the panel shows what it held (``static_html()``: e.g. the
    current table and status) where the live widget cannot be shown (no kernel, a
    notebook viewer, nbconvert), with a word that acting needs a running kernel. Mix it in
    before the ipywidgets base class and define ``static_html``.
    """

    #: What the saved view says about itself.
    STATIC_NOTE = (
        "A saved view of this panel: it needs a running kernel to act. "
        "Run the cell again to use it."
    )

    def static_html(self) -> str:
        """The HTML shown where the widget cannot be (the panel's title and status)."""
        title = getattr(getattr(self, "title", None), "value", "")
        status = getattr(getattr(self, "status", None), "value", "")
        return self.static_page(f"<div>{title}</div><div>{status}</div>")

    def refresh_static_view(self) -> None:
        """Rewrite the saved view where the panel is shown to its current state (the view is
        taken when the cell shows the panel; this updates the output, which redraws it)."""
        for handle in list(self.__dict__.get("_static_handles", ())):
            with contextlib.suppress(Exception):  # a closed front end must not break the panel
                handle.update(self._repr_mimebundle_(), raw=True)

    def static_page(self, body: str) -> str:
        """``body`` framed with the saved-view note."""
        note = html.escape(self.STATIC_NOTE)
        return (
            '<div class="mp-static-view" style="font-family:var(--jp-ui-font-family,sans-serif)">'
            f'<div style="font-style:italic;opacity:0.8">{note}</div>{body}</div>'
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        parent = getattr(super(), "_repr_mimebundle_", None)
        data: dict[str, Any] = dict(parent(**kwargs) or {}) if parent is not None else {}
        if not data:  # ipywidgets 7 displays through _ipython_display_ instead
            plain = repr(self)
            data = {"text/plain": plain if len(plain) <= 110 else plain[:110] + "…"}
            view = getattr(self, "_view_name", None)
            if view is not None:
                data["application/vnd.jupyter.widget-view+json"] = {
                    "version_major": 2,
                    "version_minor": 0,
                    "model_id": getattr(self, "_model_id", None),
                }
        # the live widget is shown whatever the static view does
        with contextlib.suppress(Exception):
            data["text/html"] = self.static_html()
        return data

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        handle = display(  # type: ignore[no-untyped-call, unused-ignore]
            self._repr_mimebundle_(**kwargs), raw=True, display_id=True
        )
        handles = self.__dict__.setdefault("_static_handles", [])
        if handle is not None:
            handles.append(handle)
        if getattr(super(), "_repr_mimebundle_", None) is None:  # ipywidgets 7
            handle = getattr(self, "_handle_displayed", None)
            if handle is not None:
                handle(**kwargs)
