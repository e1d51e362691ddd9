"""Issue 18, "Audit and metrics", on a realistic project (the ``src/``-layout shop of
``mission_fixtures``) and, where the issue names them, on the real boltons and click sources.

Names written with ``globals()[...]`` are unknown, not broken imports; pairs with nothing in common,
and wrappers around the definition they import, are not SSOT candidates; a component's non-Python
files count.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import git, write_file
from mission_fixtures import shop_project

from mission_control.audit import Auditor, audit

CORPUS = Path("/work/corpus/src")
STATS = """\
import math

_FUNCS = {"mean": lambda xs: sum(xs) / len(xs), "spread": lambda xs: max(xs) - min(xs)}

for _name, _func in _FUNCS.items():
    globals()[_name] = _func


def _register(name, func):
    globals().update({name: func})


_register("root_mean", lambda xs: math.sqrt(sum(x * x for x in xs) / len(xs)))
"""
IMPL = """\
import sys


def getchar(echo=False):
    char = sys.stdin.read(1)
    if echo:
        sys.stdout.write(char)
    return char
"""
WRAPPER = """\
def getchar(echo=False):
    from shop._impl import getchar as f

    return f(echo)
"""


@pytest.fixture
def shop(git_repo: Path) -> Path:
    shop = shop_project(git_repo)
    write_file(shop, "src/shop/stats.py", STATS)
    write_file(
        shop, "src/shop/report.py", "from shop.stats import mean, spread, root_mean\nfrom shop.cart import nothing\n"
    )
    write_file(shop, "src/shop/_impl.py", IMPL)
    write_file(shop, "src/shop/terminal.py", WRAPPER)
    write_file(shop, "scripts/export.py", "import json\n\n\ndef main():\n    print(json.dumps({}))\n")
    write_file(shop, "scripts/seed.py", "def main():\n    for i in range(3):\n        print(i)\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-qm", "more of the shop")
    return shop


def test_names_written_through_globals_are_unknown_not_broken(shop: Path) -> None:
    broken = [(b.path, b.import_) for b in audit(shop, use_cache=False).broken_imports]
    assert broken == [("src/shop/report.py", "shop.cart.nothing")]  # a real mistake is still found


def test_wrappers_and_bodies_with_nothing_in_common_are_not_ssot_candidates(shop: Path) -> None:
    new_id = "import uuid\n\n\ndef new_id(prefix):\n    stamp = uuid.uuid4()\n    return {}\n"
    write_file(shop, "src/shop/ids.py", new_id.format("prefix + stamp.hex"))
    write_file(shop, "src/shop/orders.py", new_id.format("f'{prefix}-{stamp}'"))
    duplicates = {d.name: d for d in audit(shop, use_cache=False).duplicates}
    assert "main" not in duplicates  # two scripts' entry points, 0 % alike
    assert "getchar" not in duplicates  # terminal.getchar only calls _impl.getchar
    assert duplicates["new_id"].modules == ("shop.ids", "shop.orders")  # two ID sources share a line: kept
    assert all(d.similarity >= 0.1 for d in duplicates.values())


def test_a_components_non_python_files_count(shop: Path) -> None:
    auditor = Auditor(shop, components={"docs": ["docs", "!docs/plan.md"], "pricing": ["src/shop/pricing.py"]})
    first = auditor.run()
    assert (first.components["docs"].files, first.components["docs"].lines) == (3, 3 + 5 + 4)
    assert first.components["pricing"].files == 1
    baseline = auditor.run_ref("HEAD")
    assert baseline.components["docs"] == first.components["docs"]

    (shop / "docs/usage.md").write_text("# Usage\n")
    (shop / "docs/faq.md").write_text("# FAQ\n\nQ?\n")
    again = auditor.run(changed=[shop / "docs/usage.md", shop / "docs/faq.md"])
    assert (again.components["docs"].files, again.components["docs"].lines) == (4, 3 + 1 + 4 + 3)
    (shop / "docs/faq.md").unlink()
    gone = auditor.run(changed=[shop / "docs/faq.md"])
    assert (gone.components["docs"].files, gone.components["docs"].lines) == (3, 3 + 1 + 4)


@pytest.mark.skipif(not (CORPUS / "boltons-26.2.0").is_dir(), reason="the boltons sources are not on this machine")
def test_pristine_boltons_has_zero_broken_imports_and_no_zero_percent_pairs() -> None:
    result = audit(CORPUS / "boltons-26.2.0", use_cache=False, jobs=1)
    assert result.broken_imports == ()  # statsutils.mode is made with globals()[...]
    assert "main" not in {d.name for d in result.duplicates}
    assert "OrderedMultiDict" in {d.name for d in result.duplicates}  # a fallback copy is still a copy


@pytest.mark.skipif(not (CORPUS / "click-8.5.1").is_dir(), reason="the click sources are not on this machine")
def test_clicks_termui_wrappers_are_not_ssot_candidates() -> None:
    names = {d.name for d in audit(CORPUS / "click-8.5.1", use_cache=False, jobs=1).duplicates}
    assert not names & {"getchar", "raw_terminal", "get_pager_file", "_get_windows_console_stream"}


METRICS_PLAN = """\
# Shop refactoring

## Success Metrics
- All tests passing
- Zero broken imports
- Single discount engine

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  Split pricing :alpha1, 00:00, 2h
```
"""


def test_metrics_on_the_command_line_read_recorded_runs_and_an_unmatched_gauge_has_no_data(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from mission_control import cli

    shop = shop_project(git_repo, plan=METRICS_PLAN)

    def gauges() -> dict[str, dict]:
        assert cli.run(["metrics", "--repo", str(shop), "--json"]) == 1  # not every gauge is met
        return {g["text"]: g for g in json.loads(capsys.readouterr().out)}

    before = gauges()
    assert before["All tests passing"]["met"] is None and before["All tests passing"]["note"] == "no recorded test run"
    discount = before["Single discount engine"]
    assert (discount["now"], discount["met"]) == (None, None)  # 0 definitions <= 1 would say "met"
    assert discount["note"] == "nothing in the code matches 'discount engine'"
    assert before["Zero broken imports"]["met"] is True

    assert cli.run(["test", "--repo", str(shop), "--no-parallel"]) == 0  # a real pytest run, recorded
    capsys.readouterr()
    after = gauges()
    assert (after["All tests passing"]["now"], after["All tests passing"]["met"]) == (0, True)

    (shop / "src/shop/pricing.py").write_text("def price(amount, rate=0.2):\n    return amount\n")
    assert cli.run(["test", "--repo", str(shop), "--no-parallel"]) == 1
    capsys.readouterr()
    red = gauges()["All tests passing"]
    assert (red["now"], red["met"]) == (2, False)
    assert cli.run(["metrics", "--repo", str(shop)]) == 1
    text = capsys.readouterr().out
    assert "[no data]  Single discount engine: defs~discount engine ? -> ? (target <= 1): nothing in the code" in text
    assert "[NOT met]  All tests passing: tests.failed" in text
