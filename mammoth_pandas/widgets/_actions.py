"""What a bulk action would do, said before it runs: the breakdown, the no-ops, the undo.

``plan(action, states)`` splits the selected batches into those the action changes and
those it would skip (already in the target state, or being deleted), and words the
question: ``6,196 selected: 5,980 active will be suspended, 216 already suspended are
skipped.`` Only the batches that change are sent. Suspend and restore can be undone
(restore what was suspended, suspend what was restored) within the session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["TYPED_CONFIRM_AT", "VERBS", "Plan", "plan", "undo_of"]

#: From this many batches on, the confirmation asks for the count to be typed.
TYPED_CONFIRM_AT = 1_000

#: action -> (button label, present participle, past tense, past participle)
VERBS: dict[str, tuple[str, str, str, str]] = {
    "suspend": ("Suspend", "Suspending", "Suspended", "suspended"),
    "restore": ("Restore", "Restoring", "Restored", "restored"),
    "delete": ("Delete", "Deleting", "Deleted", "deleted"),
}

#: States an action changes; every other state is skipped.
_APPLIES: dict[str, frozenset[str]] = {
    "suspend": frozenset({"active", "sync_pending"}),
    "restore": frozenset({"suspended"}),
    "delete": frozenset({"active", "sync_pending", "suspended"}),
}

#: Why a state is skipped, per action ("already suspended", "being deleted"…).
_WHY: dict[str, str] = {
    "suspended": "already suspended",
    "active": "already active",
    "sync_pending": "syncing, not suspended",
    "deleting": "being deleted",
    "pending_delete": "waiting to be deleted",
    "gone": "no longer on the server",
}


@dataclass(frozen=True)
class Plan:
    """The selected ids split into those the action changes and those it skips."""

    action: str
    selected: tuple[int, ...]
    acting: tuple[int, ...]
    changing: Mapping[str, int]
    skipped: Mapping[str, int]

    @property
    def nothing_to_do(self) -> bool:
        return not self.acting

    @property
    def typed(self) -> bool:
        """True when the count must be typed to confirm."""
        return len(self.acting) >= TYPED_CONFIRM_AT

    def question(self) -> str:
        """``6,196 selected: 5,980 active will be suspended, 216 already suspended are
        skipped.`` (a delete adds that it cannot be undone)."""
        done = VERBS[self.action][3]
        parts = [f"{n:,} {state} will be {done}" for state, n in sorted(self.changing.items()) if n]
        parts += [
            f"{n:,} {_WHY.get(state, state)} {'is' if n == 1 else 'are'} skipped"
            for state, n in sorted(self.skipped.items())
            if n
        ]
        text = f"{len(self.selected):,} selected: " + ", ".join(parts) + "."
        if self.action == "delete" and self.acting:
            text += " This cannot be undone."
        return text

    def nothing_message(self) -> str:
        """Why nothing would be sent (every selected batch is a no-op)."""
        label = VERBS[self.action][0].lower()
        reasons = ", ".join(f"{n:,} {_WHY.get(s, s)}" for s, n in sorted(self.skipped.items()))
        return f"Nothing to {label}: of {len(self.selected):,} selected, {reasons}."


def plan(action: str, ids: Sequence[int], states: Mapping[int, str]) -> Plan:
    """Split ``ids`` by what ``action`` would do to each, from their current ``states``
    (an id missing from ``states`` is gone)."""
    applies = _APPLIES[action]
    acting: list[int] = []
    changing: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for batch_id in ids:
        state = states.get(batch_id, "gone") or "gone"
        if state in applies:
            acting.append(batch_id)
            changing[state] += 1
        else:
            skipped[state] += 1
    return Plan(action, tuple(ids), tuple(acting), dict(changing), dict(skipped))


def undo_of(action: str) -> str | None:
    """The action that reverses ``action`` (``None`` for delete)."""
    return {"suspend": "restore", "restore": "suspend"}.get(action)
