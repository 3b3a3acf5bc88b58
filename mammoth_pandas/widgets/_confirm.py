"""The inline confirmation: "Do this?" with Confirm and Cancel, next to the button that asked."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from mammoth_pandas.widgets._dom import css

__all__ = ["Confirmation"]


class Confirmation(widgets.HBox):
    """An inline "Do this?" with Confirm and Cancel buttons, hidden until asked.

    ``ask(message, on_confirm, ...)`` shows the question; Confirm calls ``on_confirm``,
    Cancel calls ``on_cancel``; either hides the question again.
    """

    def __init__(self) -> None:
        self.message = css(widgets.HTML(), "mp-confirm-message")
        self.confirm_button = css(
            widgets.Button(description="Confirm", button_style="warning"), "mp-confirm"
        )
        self.cancel_button = css(widgets.Button(description="Cancel"), "mp-cancel")
        self.typed = css(
            widgets.Text(placeholder="type the count", layout={"width": "9em"}),
            "mp-confirm-typed",
        )
        self.typed.layout.display = "none"
        self._expected = ""
        super().__init__(
            [self.message, self.typed, self.confirm_button, self.cancel_button],
            layout={"flex_flow": "row wrap"},
        )
        self.add_class("mp-confirmation")
        self.layout.display = "none"
        self.question = ""
        self._on_confirm: Callable[[], None] | None = None
        self._on_cancel: Callable[[], None] | None = None
        self.confirm_button.on_click(self._confirm)
        self.cancel_button.on_click(self._cancel)
        self.typed.observe(self._typing, names="value")

    @property
    def pending(self) -> bool:
        return self._on_confirm is not None

    def ask(
        self,
        question: str,
        on_confirm: Callable[[], None],
        *,
        on_cancel: Callable[[], None] | None = None,
        confirm_label: str = "Confirm",
        danger: bool = False,
        type_to_confirm: int | None = None,
    ) -> None:
        """Show ``question``; with ``type_to_confirm``, Confirm stays disabled until that
        number is typed (commas and spaces allowed)."""
        self.question = question
        text = html.escape(question)
        if type_to_confirm is not None:
            self._expected = str(int(type_to_confirm))
            text += f" Type {int(type_to_confirm):,} to confirm."
            self.typed.value = ""
            self.typed.layout.display = None
        else:
            self._expected = ""
            self.typed.layout.display = "none"
        self.message.value = f"<b>{text}</b>"
        self.confirm_button.description = confirm_label
        self.confirm_button.button_style = "danger" if danger else "warning"
        self.confirm_button.disabled = bool(self._expected)
        self._on_confirm = on_confirm
        self._on_cancel = on_cancel
        self.layout.display = "flex"

    def _typing(self, change: Any) -> None:
        if self._expected:
            typed = "".join(c for c in str(change["new"]) if c.isdigit())
            self.confirm_button.disabled = typed != self._expected

    def dismiss(self) -> None:
        self._expected = ""
        self.typed.layout.display = "none"
        self._on_confirm = None
        self._on_cancel = None
        self.question = ""
        self.message.value = ""
        self.layout.display = "none"

    def _confirm(self, _button: widgets.Button) -> None:
        if self._expected and self.confirm_button.disabled:
            return  # the count has not been typed (a click from code on a disabled button)
        callback = self._on_confirm
        self.dismiss()
        if callback is not None:
            callback()

    def _cancel(self, _button: widgets.Button) -> None:
        callback = self._on_cancel
        self.dismiss()
        if callback is not None:
            callback()
