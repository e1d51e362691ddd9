"""Matching ledger entries and typed queries to checklist items by heading and text.

Line numbers change whenever the plan is edited, so a sign-off is attached to its item's
heading and text. Matching goes from strict to loose: the same normalised text under the same
headings; the same text under other headings when only one item has it (the item moved); then
a fuzzy match (``difflib`` ratio >= :data:`FUZZY_MIN`) for slight rewording, preferring the same
headings, and only when one candidate is clearly best.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Final, Protocol, TypeVar

FUZZY_MIN: Final = 0.82
_CLEAR_MARGIN: Final = 0.05


class Titled(Protocol):
    """What matching reads of an item: its text and the headings it stands under.

    A plan's :class:`~mission_control.plan.ChecklistItem` is one; so is anything else with the two.
    """

    @property
    def text(self) -> str: ...

    @property
    def heading(self) -> Sequence[str]: ...


T = TypeVar("T", bound=Titled)


def normalise(text: str) -> str:
    """Lower case, Markdown emphasis/code marks and punctuation removed, spaces collapsed."""
    text = re.sub(r"[*_`~]+", "", text.lower())
    text = re.sub(r"[^\w%<>=.+-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def heading_key(heading: Iterable[str]) -> tuple[str, ...]:
    """The normalised heading path, emoji and trailing colons dropped."""
    return tuple(normalise(h) for h in heading)


def similarity(left: str, right: str) -> float:
    """How alike two texts are, 0..1, after normalising."""
    return difflib.SequenceMatcher(None, normalise(left), normalise(right)).ratio()


def best_item(items: Sequence[T], text: str, heading: Sequence[str]) -> T | None:
    """The item a ledger entry (``text`` under ``heading``) belongs to, or None."""
    norm, head = normalise(text), heading_key(heading)
    same_text = [i for i in items if normalise(i.text) == norm]
    exact = [i for i in same_text if heading_key(i.heading) == head]
    if len(exact) == 1:
        return exact[0]
    if len(same_text) == 1:
        return same_text[0]
    if exact or same_text:
        return None  # several identical items: never guess
    return _fuzzy(items, norm, head)


def _fuzzy(items: Sequence[T], norm: str, head: tuple[str, ...]) -> T | None:
    scored: list[tuple[float, T]] = []
    for item in items:
        score = difflib.SequenceMatcher(None, norm, normalise(item.text)).ratio()
        if heading_key(item.heading) == head:
            score += 0.03  # same place breaks near-ties
        scored.append((score, item))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or scored[0][0] < FUZZY_MIN:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < _CLEAR_MARGIN:
        return None
    return scored[0][1]


def find_items(items: Sequence[T], query: str, heading: str | None = None) -> list[T]:
    """The items a person means by ``query`` (exact text, else unique substring, else fuzzy).

    More than one result means the query is ambiguous; the caller refuses it.
    """
    pool = [i for i in items if heading is None or normalise(heading) in normalise(" ".join(i.heading))]
    norm = normalise(query)
    exact = [i for i in pool if normalise(i.text) == norm]
    if exact:
        return exact
    partial = [i for i in pool if norm and norm in normalise(i.text)]
    if partial:
        return partial
    found = _fuzzy(pool, norm, ())
    return [found] if found is not None else []
