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
