"""pytest's test outcomes and which of them count as failing: the one definition.

It lives at the bottom layer because two domain packages need it and one depends on the other:
``testing`` (which runs pytest and re-exports these as ``mission_control.testing.results``) uses
``history`` to store its runs, so ``history`` cannot import ``testing`` without an import cycle.
Import it from ``mission_control.testing.results`` everywhere above the domain layer.
"""

from __future__ import annotations

#: Every outcome a finished test can have, in the order totals are shown.
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
#: The outcomes that make a run red.
FAILING = frozenset({"failed", "error"})
