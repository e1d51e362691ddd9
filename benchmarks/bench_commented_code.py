"""Benchmark: precision of ``remove-commented-code`` on click 8.5.1 and boltons 26.2.0.

Usage: ``python benchmarks/bench_commented_code.py [--corpus /work/corpus/src]``

Every line the codemod would remove from the two projects was read in its context and judged
by eye; the verdicts are the data below (``JUDGED``: path:line -> "code" or "prose", with why).
The run lists what the codemod removes now and prints:

- precision: removed lines judged code / all removed lines (target: 1.0, no prose removed);
- the judged-code lines it no longer finds (recall against the judged list);
- any removed line not judged yet (review it and add it to ``JUDGED``: the figure is only as
  good as that list).

Lines judged prose are the shapes issue 16 names (kept since): a line inside a block of prose
(click parser.py:357), ``###`` banners and ``# default=True`` labels (click test_termui.py),
commented code under a ``# TODO:`` (boltons iterutils.py:1295, tbutils.py:61, test_urlutils.py:353).
Also printed: the load average (figures are counts, not times, so load does not change them)
and the time the scan took, against ``tokenize`` alone over the same files (the floor).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mission_control.codemods.base import Source
from mission_control.codemods.remove_commented_code import code_comment_lines
from mission_control.codemods.resolve import module_and_package
from mission_control.util.files import python_files

PROJECTS = ("click-8.5.1", "boltons-26.2.0")

#: Every removal reviewed in context, before and after the precision work (issue 16).
JUDGED: dict[str, tuple[str, str]] = {
    # click
    "click-8.5.1/src/click/parser.py:357": ("prose", "an indented example line inside a paragraph of explanation"),
    "click-8.5.1/tests/test_options.py:698": ("code", "a disabled runner.invoke call"),
    "click-8.5.1/tests/test_options.py:699": ("code", "the assert that went with it"),
    "click-8.5.1/tests/test_termui.py:1607": ("prose", "### banner"),
    "click-8.5.1/tests/test_termui.py:1608": ("prose", "### banner title"),
    "click-8.5.1/tests/test_termui.py:1609": ("prose", "### banner"),
    "click-8.5.1/tests/test_termui.py:1610": ("prose", "# default=True: a label of the cases below"),
    "click-8.5.1/tests/test_termui.py:1619": ("prose", "# default=False label"),
    "click-8.5.1/tests/test_termui.py:1626": ("prose", "# default=None label"),
    # boltons
    "boltons-26.2.0/boltons/cacheutils.py:421": ("code", "an old way of building the key"),
    "boltons-26.2.0/boltons/cacheutils.py:422": ("code", "key.extend(args), same block"),
    "boltons-26.2.0/boltons/iterutils.py:1051": ("code", "a debugging print"),
    "boltons-26.2.0/boltons/iterutils.py:1060": ("code", "a debugging print"),
    "boltons-26.2.0/boltons/iterutils.py:1076": ("code", "a debugging print (first line)"),
    "boltons-26.2.0/boltons/iterutils.py:1077": ("code", "its continuation"),
    "boltons-26.2.0/boltons/iterutils.py:1295": ("prose", "code under '# TODO: typecheck?': kept on purpose"),
    "boltons-26.2.0/boltons/iterutils.py:1296": ("prose", "same, continuation"),
    "boltons-26.2.0/boltons/strutils.py:688": ("code", "a debugging print"),
    "boltons-26.2.0/boltons/strutils.py:689": ("code", "a dead assignment"),
    "boltons-26.2.0/boltons/strutils.py:692": ("code", "a debugging print"),
    "boltons-26.2.0/boltons/tableutils.py:260": ("code", "an unused pair of tag constants"),
    "boltons-26.2.0/boltons/tbutils.py:61": ("prose", "__all__ under '# TODO: print_* for backwards compatibility'"),
    "boltons-26.2.0/boltons/tbutils.py:62": ("prose", "same block"),
    "boltons-26.2.0/boltons/tbutils.py:63": ("prose", "same block"),
    "boltons-26.2.0/boltons/tbutils.py:64": ("prose", "same block"),
    "boltons-26.2.0/boltons/urlutils.py:317": ("code", "a pdb breakpoint"),
    "boltons-26.2.0/boltons/urlutils.py:905": ("code", "a disabled raise"),
    "boltons-26.2.0/tests/test_urlutils.py:218": ("code", "a disabled assert"),
    "boltons-26.2.0/tests/test_urlutils.py:353": ("prose", "a test under '# TODO: RFC3986 6.2.3': kept on purpose"),
    "boltons-26.2.0/tests/test_urlutils.py:354": ("prose", "same block"),
    "boltons-26.2.0/tests/test_urlutils.py:355": ("prose", "same block"),
    "boltons-26.2.0/tests/test_urlutils.py:356": ("prose", "same block"),
}


def removals(corpus: Path) -> tuple[list[str], int, float, float]:
    """``(path:line removed, files scanned, seconds, seconds of tokenize alone)``."""
    found: list[str] = []
    scanned = 0
    spent = floor = 0.0
    for project in PROJECTS:
        root = corpus / project
        for rel in python_files(root):
            text = (root / rel).read_text(encoding="utf-8")
            scanned += 1
            started = time.perf_counter()
            list(tokenize.generate_tokens(io.StringIO(text).readline))
            floor += time.perf_counter() - started
            started = time.perf_counter()
            module, package = module_and_package(rel)
            lines = code_comment_lines(Source(rel, module, package, text)) if "#" in text else set()
            spent += time.perf_counter() - started
            found.extend(f"{project}/{rel}:{n}" for n in sorted(lines))
    return found, scanned, spent, floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus/src"))
    ns = parser.parse_args()
    load = os.getloadavg()[0]
    found, scanned, spent, floor = removals(ns.corpus)
    verdicts = [JUDGED.get(key, ("unjudged", ""))[0] for key in found]
    code = verdicts.count("code")
    judged_code = sorted(k for k, (v, _why) in JUDGED.items() if v == "code")
    missed = [k for k in judged_code if k not in found]
    print(f"remove-commented-code on {' + '.join(PROJECTS)} ({scanned} files), load average {load:.2f}")
    print(
        f"  lines removed: {len(found)}; judged code {code}, prose {verdicts.count('prose')}, "
        f"not judged {verdicts.count('unjudged')}"
    )
    precision = code / len(found) if found else 1.0
    before = sum(1 for v, _why in JUDGED.values() if v == "code") / len(JUDGED)
    print(
        f"  precision: {precision:.3f}  (target 1.000: no prose removed; before issue 16: {before:.3f}, "
        f"{len(JUDGED)} lines removed)"
    )
    print(
        f"  recall against the {len(judged_code)} lines judged code: "
        f"{(len(judged_code) - len(missed)) / len(judged_code):.3f}"
    )
    for key, verdict in zip(found, verdicts, strict=True):
        if verdict != "code":
            print(f"  REMOVED {verdict.upper()}: {key}  {JUDGED.get(key, ('', 'review it and add it to JUDGED'))[1]}")
    for key in missed:
        print(f"  no longer found (judged code): {key}")
    print(
        f"  scan {spent * 1000:.0f} ms; tokenize alone {floor * 1000:.0f} ms ({spent / floor:.1f}x the floor)"
        + (" — the machine is busy, times are inflated" if load > 1.5 else "")
    )
    return 0 if precision == 1.0 and "unjudged" not in verdicts else 1


if __name__ == "__main__":
    raise SystemExit(main())
