"""The conflict forecast on real git: textual, modify/delete, rename, overlap, semantic, planned, clean,
the cache, and the lead's checkout and object store left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import git
from mission_fixtures import TEAMS_PLAN as PLAN
from mission_fixtures import commit, launched_teams
from mission_fixtures import team_worktree as wt

from mission_control import cli
from mission_control.services import teams as flows
from mission_control.teams import forecast as fc


@pytest.fixture
def launched(git_repo: Path) -> Path:
    return launched_teams(git_repo)


def test_forecast_finds_each_kind_and_leaves_no_objects_behind(launched, capsys):
    repo = launched
    commit(
        wt(repo, "alpha"),
        {"app/settings.py": "A = 10\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\n", "app/legacy.py": "LEGACY = 2\n"},
        "alpha1: settings",
    )
    commit(
        wt(repo, "bravo"),
        {"app/settings.py": "A = 20\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\n", "app/legacy.py": None},
        "bravo1: settings",
    )
    commit(
        wt(repo, "charlie"),
        {
            "app/core.py": "def engine():\n    return 1\n",
            "app/helpers.py": None,
            "app/settings.py": "A = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 60\n",
        },
        "charlie1: drop old_api and helpers",
    )
    commit(
        wt(repo, "alpha"),
        {"app/dispatch.py": "from app.core import old_api\nfrom app import helpers\n\nold_api()\n"},
        "alpha1: dispatch",
    )
    objects_before = git(repo, "count-objects", "-v")
    status_before = git(repo, "status", "--porcelain")

    assert cli.run(["teams", "conflicts", "--repo", str(repo), "--json"]) == 1  # conflicts found
    data = json.loads(capsys.readouterr().out)

    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    textual = pairs[("alpha", "bravo")]
    assert textual["status"] == "conflict" and textual["files"] == ["app/legacy.py", "app/settings.py"]
    assert textual["kinds"] == {"app/settings.py": "content", "app/legacy.py": "modify/delete"}
    semantic = pairs[("alpha", "charlie")]
    assert semantic["status"] == "semantic"
    messages = sorted(s["message"] for s in semantic["semantic"])
    assert messages == [
        "alpha: app/dispatch.py:1 imports old_api, removed by charlie in app/core.py",
        "alpha: app/dispatch.py:2 imports helpers, removed by charlie in app/helpers.py",
    ]
    assert pairs[("bravo", "charlie")]["status"] == "overlap" and pairs[("bravo", "charlie")]["files"] == [
        "app/settings.py"
    ]
    assert pairs[("alpha", "integration")]["status"] == "clean"
    assert ("delta", "integration") in pairs and pairs[("delta", "integration")]["status"] == "clean"
    assert data["planned"] == [{"a_task": "alpha1", "b_task": "bravo1", "paths": ["app/core.py"]}]
    assert git(repo, "count-objects", "-v") == objects_before  # merge-tree wrote to a scratch folder
    assert git(repo, "status", "--porcelain") == status_before


def test_a_renamed_module_still_imported_is_semantic_and_the_cache_follows_the_branches(launched, monkeypatch):
    repo = launched
    commit(
        wt(repo, "charlie"),
        {"app/helpers.py": None, "app/support.py": "def helper():\n    return 3\n"},
        "charlie1: rename helpers to support",
    )
    commit(wt(repo, "delta"), {"app/report.py": "from app.helpers import helper\n"}, "delta1: report")
    context = flows.open_teams(repo)
    first = fc.forecast(context.git, flows.overview(context), context.project.plan)
    assert first.pair("charlie", "delta").status == "semantic"

    computed: list[tuple[str, str]] = []
    real = fc._compute
    monkeypatch.setattr(
        fc,
        "_compute",
        lambda git, env, a, ah, b, bh, base, sides: (
            computed.append((a, b)) or real(git, env, a, ah, b, bh, base, sides)
        ),
    )
    fc._MEMORY.clear()  # a new process: the disk cache still knows every pair
    again = fc.forecast(context.git, flows.overview(context), context.project.plan)
    assert computed == [] and again == first

    commit(wt(repo, "delta"), {"app/report.py": "from app.support import helper\n"}, "delta1: follow the rename")
    moved = fc.forecast(context.git, flows.overview(context), context.project.plan)
    # only pairs with delta are computed again; alpha and bravo have no commits yet, so their pairs with
    # delta are the same commit triple and computed once
    assert sorted(computed) == [("alpha", "delta"), ("charlie", "delta"), ("delta", "integration")]
    assert moved.pair("charlie", "delta").status == "clean"


def test_merge_tree_output_is_parsed_with_kinds():
    out = (
        b"c40c\0f.txt\0g.txt\0\0"
        + b"1\0f.txt\0Auto-merging\0Auto-merging f.txt\n\0"
        + (
            b"1\0f.txt\0CONFLICT (contents)\0CONFLICT (content): Merge conflict in f.txt\n\0"
            b"1\0g.txt\0CONFLICT (modify/delete)\0CONFLICT (modify/delete): g.txt deleted\n\0"
        )
    )
    assert fc._parse_merge_tree(out) == ("c40c", ["f.txt", "g.txt"], {"f.txt": "content", "g.txt": "modify/delete"})


def test_the_order_follows_dependencies_then_fewest_conflicts_and_says_why(launched, capsys):
    repo = launched
    (repo / "plan.md").write_text(
        PLAN.replace("Config work    :bravo1, 01:00, 2h", "Config work    :bravo1, after charlie1, 2h")
    )
    commit(wt(repo, "alpha"), {"app/settings.py": "A = 10\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\n"}, "alpha1")
    commit(wt(repo, "delta"), {"app/settings.py": "A = 40\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\n"}, "delta1")

    assert cli.run(["teams", "order", "--repo", str(repo), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)

    order = data["order"]
    assert order.index("charlie") < order.index("bravo")  # bravo's task waits on charlie's
    assert order[-1] in ("alpha", "delta")  # the second of the two clashing teams goes last
    last = data["reasons"][order[-1]]
    assert "1 predicted conflict(s) with what is integrated before it" in last
    assert "after charlie (its tasks wait on theirs)" in data["reasons"]["bravo"]
