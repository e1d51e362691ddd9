"""The checklist as the lead sees it: each plan item with its sign-off state and history.

Pure functions over the plan's checklist items and the ledger entries, so they are tested
with plain data. A discrepancy is anything the plan and the ledger disagree about: a ledger
sign-off whose item no longer exists, an ``[x]`` nobody signed, or a sign-off whose box is
unticked in the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mission_control.signoff.ledger import LedgerEntry
from mission_control.signoff.matching import Titled, best_item


class CheckItem(Titled, Protocol):
    """A checklist item as sign-off reads it: a plan's :class:`~mission_control.plan.ChecklistItem`."""

    @property
    def done(self) -> bool: ...

    @property
    def line(self) -> int: ...


@dataclass(frozen=True)
class ItemState:
    """One checklist item: the plan's box, whether the ledger says it is signed, and its history."""

    item: CheckItem
    signed: bool
    signed_by: str | None = None
    signed_at: datetime | None = None
    note: str = ""
    history: tuple[LedgerEntry, ...] = ()

    @property
    def text(self) -> str:
        return self.item.text

    @property
    def heading(self) -> tuple[str, ...]:
        return tuple(self.item.heading)

    @property
    def done(self) -> bool:
        return bool(self.item.done)

    def to_json(self) -> dict[str, Any]:
        """``{"text", "heading", "done", "signed_by", "signed_at", ...}`` for the CLI."""
        return {
            "text": self.text,
            "heading": list(self.heading),
            "done": self.done,
            "line": self.item.line,
            "signed": self.signed,
            "signed_by": self.signed_by,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "note": self.note,
            "history": [e.to_json() for e in self.history],
        }


@dataclass(frozen=True)
class Discrepancy:
    """Something the plan and the ledger disagree about.

    ``kind``: ``"orphan"`` (a ledger entry whose item is gone), ``"unsigned"`` (``[x]`` with no
    sign-off) or ``"unticked"`` (signed in the ledger, ``[ ]`` in the plan).
    """

    kind: str
    text: str
    heading: tuple[str, ...]
    message: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "heading": list(self.heading),
            "message": self.message,
            "line": self.line,
        }


@dataclass(frozen=True)
class ChecklistState:
    """Every item's state (plan order) and the discrepancies."""

    items: tuple[ItemState, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [i.to_json() for i in self.items],
            "discrepancies": [d.to_json() for d in self.discrepancies],
            "problems": list(self.problems),
        }

    def state_of(self, item: CheckItem) -> ItemState | None:
        """The state of the plan item at ``item``'s line with its text."""
        return next((s for s in self.items if s.item.line == item.line and s.text == item.text), None)


def checklist_state(
    items: Sequence[CheckItem], entries: Sequence[LedgerEntry], problems: Sequence[str] = ()
) -> ChecklistState:
    """Attach sign-off/revoke entries to items (by heading+text) and list the discrepancies."""
    history: dict[int, list[LedgerEntry]] = {}
    orphans: dict[tuple[str, tuple[str, ...]], LedgerEntry] = {}
    for entry in entries:
        if entry.kind not in ("signoff", "revoke"):
            continue
        item = best_item(items, entry.text, entry.heading)
        if item is None:
            orphans[(entry.text, entry.heading)] = entry
        else:
            history.setdefault(id(item), []).append(entry)
    states = tuple(_item_state(item, tuple(history.get(id(item), ()))) for item in items)
    found = [_orphan(e) for e in orphans.values() if e.kind == "signoff"]
    found += [d for s in states for d in _disagreement(s)]
    return ChecklistState(states, tuple(found), tuple(problems))


def _item_state(item: CheckItem, history: tuple[LedgerEntry, ...]) -> ItemState:
    last = history[-1] if history else None
    if last is None or last.kind != "signoff":
        return ItemState(item, False, history=history)
    return ItemState(item, True, last.who or last.email or None, last.at, last.note, history)


def _orphan(entry: LedgerEntry) -> Discrepancy:
    where = " › ".join(entry.heading)
    return Discrepancy(
        "orphan",
        entry.text,
        entry.heading,
        f"signed off by {entry.who or 'someone'} but no longer in the plan ({where}: {entry.text!r}; "
        f"ledger line {entry.line})",
        None,
    )


def _disagreement(state: ItemState) -> list[Discrepancy]:
    item = state.item
    if item.done and not state.signed:
        why = "revoked" if state.history else "no sign-off in the ledger"
        return [Discrepancy("unsigned", item.text, tuple(item.heading), f"ticked in the plan but {why}", item.line)]
    if state.signed and not item.done:
        return [
            Discrepancy(
                "unticked",
                item.text,
                tuple(item.heading),
                f"signed off by {state.signed_by} but unticked in the plan",
                item.line,
            )
        ]
    return []
