"""Issue 18, "Config and components", on a realistic project: a small ``src/``-layout shop with its
own tests, docs and plan in a real git repository (``mission_fixtures.shop_project``).

``!`` negation in component globs, mistakes in the configuration reported at load by file, key and
line, overlapping components, and a component rollback that never rolls back the plan or the config.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mission_fixtures import SHOP_CONFIG, shop_project

from mission_control import cli
from mission_control.repo.rollback import plan_rollback


@pytest.fixture
def shop(git_repo: Path) -> Path:
    return shop_project(git_repo)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.run(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


# -- a component rollback never rolls back Mission Control's own files ---------------------------------


def test_a_component_rollback_whose_glob_covers_the_plan_leaves_the_plan_and_its_sign_offs(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(capsys, "signoff", "Docs reviewed", "--repo", str(shop), "--force")
    assert code == 0, out
    signed = (shop / "docs/plan.md").read_text()
    assert "- [x] Docs reviewed" in signed
    (shop / "docs/usage.md").write_text("# Usage\n\nrewritten\n")
    (shop / "docs/new.md").write_text("# New page\n")

    code, out = run_cli(capsys, "rollback", "--component", "docs", "--repo", str(shop))

    assert code == 0, out
    assert (shop / "docs/plan.md").read_text() == signed  # the plan and its tick stay
    assert (shop / "docs/usage.md").read_text() == "# Usage\n\n```python\nfrom shop.cart import total\n```\n"
    assert not (shop / "docs/new.md").exists()
    assert "Mission Control's own files are kept: docs/plan.md" in out
    code, out = run_cli(capsys, "checklist", "--repo", str(shop), "--json")
    items = {i["text"]: i for i in json.loads(out)["items"]}
    assert items["Docs reviewed"]["done"] is True


def test_a_component_rollback_keeps_the_config_and_a_discovered_plan_unless_named(git_repo: Path) -> None:
    config = SHOP_CONFIG.replace('plan = "docs/plan.md"\n', "")
    config += '[components.meta]\npaths = ["*.toml", "docs/*.md"]\n[components.own]\npaths = ["docs/plan.md"]\n'
    shop = shop_project(git_repo, config)
    (shop / "mission-control.toml").write_text(config + "# edited\n")
    (shop / "docs/plan.md").write_text((shop / "docs/plan.md").read_text() + "\nmore\n")
    (shop / "pyproject.toml").write_text("# changed\n")

    meta = plan_rollback(shop, "meta")

    assert [f.path for f in meta.files] == ["pyproject.toml"]
    assert "docs/plan.md" not in meta.paths and "mission-control.toml" not in meta.paths
    assert [f.path for f in plan_rollback(shop, "own").files] == ["docs/plan.md"]  # asked for by name


# -- "!path" negation: git's rule, the last matching pattern decides -------------------------------------


NEGATED = SHOP_CONFIG.replace('paths = ["docs"]', 'paths = ["docs", "!docs/plan.md", "docs/api.md"]') + (
    '[components.plan]\npaths = ["docs/plan.md"]\n'
)


def test_negation_takes_a_file_out_of_a_component_the_last_matching_pattern_deciding(git_repo: Path) -> None:
    from mission_control.repo.components import Component, paths_matcher

    belongs = paths_matcher(["docs", "!docs/*.md", "docs/api.md", "!docs/sub/**"])
    assert belongs("docs/img.png") and belongs("docs/api.md")
    assert not belongs("docs/index.md") and not belongs("docs/sub/a/b.txt") and not belongs("src/x.py")
    assert paths_matcher(["\\!odd.txt"])("!odd.txt")  # a literal leading "!"
    assert Component("c", ("!docs",)).files(["docs/a.md"]) == []  # exclusions alone own nothing

    shop = shop_project(git_repo, NEGATED)
    (shop / "docs/plan.md").write_text((shop / "docs/plan.md").read_text() + "\nmore\n")
    (shop / "docs/api.md").write_text("# API v2\n")
    from mission_control.repo.status import repo_status

    status = repo_status(shop)
    assert [f.path for f in status.components["docs"].files] == ["docs/api.md"]
    assert [f.path for f in status.components["plan"].files] == ["docs/plan.md"]
    assert not any("shares" in note for note in status.notes)  # the negation removed the overlap


def test_the_audit_and_the_test_selection_use_the_same_globs(git_repo: Path) -> None:
    from mission_control.audit import audit

    shop = shop_project(git_repo, NEGATED)
    result = audit(shop, components={"docs": ["docs", "!docs/plan.md"], "src": ["src/*.py"]}, use_cache=False)
    assert result.components["docs"].files == 3  # index, usage, api: Markdown counts too
    assert result.components["src"].files == 0  # git's "*" stays in one folder (src/shop/... is deeper)

    from mission_control.config import load_config
    from mission_control.testing.selection import Selection, resolve_selection

    with (shop / "mission-control.toml").open("a") as handle:
        handle.write('[components.untested]\npaths = ["src/shop", "!src/shop/pricing.py", "!src/shop/__init__.py"]\n')
    chosen = resolve_selection(shop, Selection("component", "untested"), load_config(shop))
    assert chosen.args == ("tests/test_cart.py",)  # pricing.py excluded: test_pricing is not affected


# -- mistakes reported at load, by file, key and line ---------------------------------------------------


MISTAKES = """\
plan = "docs/plan.md"

[components.pricing]
paths = ["src/shop/pricing.py", "src/shop/pricng_*.py"]
tasks = ["alpha1", "alpha9"]
tests = ["tests/test_pricing.py", "tests/test_prcing.py::test_price"]

[components.cart]
paths = ["src/shop/cart.py", "!src/shop/nothing.py"]
tasks = ["alpha2"]
"""


def test_config_mistakes_are_reported_by_check_with_file_key_and_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = shop_project(git_repo, MISTAKES)
    toml = shop / "mission-control.toml"

    code, out = run_cli(capsys, "check", str(shop / "docs/plan.md"))

    assert code == 0, out  # warnings: the configuration still works
    expected = [
        f"warning: {toml}:4: components.pricing.paths: 'src/shop/pricng_*.py' matches no file",
        f"warning: {toml}:6: components.pricing.tests: 'tests/test_prcing.py::test_price' does not exist",
        f"warning: {toml}:9: components.cart.paths: '!src/shop/nothing.py' excludes none of its files",
        f"warning: {toml}:5: components.pricing.tasks: 'alpha9' is not a task of the plan",
        f"warning: {toml}: components: the plan's rollback command names component 'docs' (plan.md:20), "
        "which is not defined here",
    ]
    for line in expected:
        assert line in out, out
    assert out.count("warning:") == len(expected)
    assert "mission-control.toml: 0 errors, 5 warnings" in out

    code, out = run_cli(capsys, "check", str(shop / "docs/plan.md"), "--json")
    config = json.loads(out)["config"]
    assert config["file"] == str(toml) and config["errors"] == []
    assert {
        "file": str(toml),
        "line": 5,
        "key": "components.pricing.tasks",
        "message": "'alpha9' is not a task of the plan",
    } in config["warnings"]


def test_a_component_whose_paths_match_nothing_is_not_shown_as_clean(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = shop_project(git_repo, SHOP_CONFIG + '[components.typo]\npaths = ["src/shop/pricng.py"]\n')
    code, out = run_cli(capsys, "status", "--repo", str(shop))
    assert code == 0
    assert "typo: no files" in out and "pricing: clean" in out
    assert (
        f"note: {shop / 'mission-control.toml'}:17: components.typo.paths: 'src/shop/pricng.py' matches no file" in out
    )


def test_an_invalid_config_fails_check(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shop = shop_project(git_repo, '[components.x]\npaths = "src"\ntests = [1]\n')
    code, out = run_cli(capsys, "check", str(shop / "docs/plan.md"))
    assert code == 1
    assert f"error: {shop / 'mission-control.toml'}: components.x.tests: must be a list of non-empty strings" in out


def test_a_config_in_pyproject_is_checked_with_its_keys(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shop = shop_project(git_repo, None)
    pyproject = shop / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.mission-control.components.pricing]\npaths = ["src/nope.py"]\n'
    )
    code, out = run_cli(capsys, "check", str(shop / "docs/plan.md"))
    assert code == 0
    assert (
        f"warning: {pyproject}:9: tool.mission-control.components.pricing.paths: 'src/nope.py' matches no file" in out
    )


# -- overlapping components ----------------------------------------------------------------------------


OVERLAP = SHOP_CONFIG + '[components.shop]\npaths = ["src/shop"]\n'


def test_overlapping_components_are_warned_at_load_and_a_rollback_asks_first(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = shop_project(git_repo, OVERLAP)
    code, out = run_cli(capsys, "check", str(shop / "docs/plan.md"))
    assert "components.shop.paths: shares 1 file with component 'pricing': src/shop/pricing.py" in out
    assert "components.shop.paths: shares 1 file with component 'cart': src/shop/cart.py" in out
    (shop / "src/shop/pricing.py").write_text("def price(amount, rate=0.25):\n    return amount\n")
    changed = (shop / "src/shop/pricing.py").read_text()

    code, out = run_cli(capsys, "rollback", "--component", "shop", "--repo", str(shop))  # no terminal: refused
    assert code == 1
    assert "also in component pricing: src/shop/pricing.py" in out and "--yes" in out
    assert (shop / "src/shop/pricing.py").read_text() == changed

    class Terminal:
        def __init__(self, answer: str) -> None:
            self.answer = answer

        def isatty(self) -> bool:
            return True

        def readline(self) -> str:
            return self.answer

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    code, out = run_cli(capsys, "rollback", "--component", "shop", "--repo", str(shop))
    assert code == 1 and "Roll back anyway? [y/N]" in out and "not rolled back" in out
    assert (shop / "src/shop/pricing.py").read_text() == changed
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    code, out = run_cli(capsys, "rollback", "--component", "shop", "--repo", str(shop))
    assert code == 0, out
    assert (shop / "src/shop/pricing.py").read_text() != changed

    (shop / "src/shop/pricing.py").write_text(changed)
    code, out = run_cli(capsys, "rollback", "--component", "shop", "--repo", str(shop), "--yes", "--json")
    assert code == 0, out
    assert json.loads(out)["shared"] == {"pricing": ["src/shop/pricing.py"]}


def test_the_components_dock_shows_the_warnings_and_its_rollback_dialog_the_shared_files(git_repo: Path, qtbot) -> None:
    from PySide6 import QtCore, QtWidgets

    from mission_control.ui import create_window

    shop = shop_project(git_repo, OVERLAP.replace('tasks = ["alpha2"]', 'tasks = ["alpha9"]'))
    (shop / "src/shop/cart.py").write_text("def total(items):\n    return 0\n")
    win = create_window(shop)
    qtbot.addWidget(win)
    panel = win.panels["components_panel"]
    qtbot.waitUntil(lambda: not panel.busy_now and panel.status is not None, timeout=60_000)
    notes = win.findChild(QtWidgets.QLabel, "componentsNotes")
    assert notes.isVisibleTo(win)
    assert "components.cart.tasks: 'alpha9' is not a task of the plan" in notes.text()
    assert "components.shop.paths: shares 1 file with component 'cart'" in notes.text()

    rollback = win.findChild(QtWidgets.QPushButton, "rollbackButton_shop")
    qtbot.mouseClick(rollback, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.findChild(QtWidgets.QDialog, "rollbackConfirmDialog") is not None, timeout=60_000)
    dialog = win.findChild(QtWidgets.QDialog, "rollbackConfirmDialog")
    shared = dialog.findChild(QtWidgets.QLabel, "rollbackShared")
    assert shared is not None and "also in component cart: src/shop/cart.py" in shared.text()
    dialog.reject()
    assert plan_rollback(shop, "pricing").shared == {}  # nothing of pricing changed
