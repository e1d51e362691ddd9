"""Repositories shaped like a mission, shared by the teams, forecast, integration and sync tests.

Plain functions (the test modules wrap them in fixtures): a four-team repository launched from a
plan with components, a commit helper for team worktrees, and two leads' clones of one bare remote.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import git

from mission_control import cli
from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows

TEAMS_PLAN = """# Mission

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  Core work      :alpha1, 00:00, 2h
  section Team Bravo
  Config work    :bravo1, 01:00, 2h
  section Team Charlie
  Tools work     :charlie1, 05:00, 1h
  section Team Delta
  Nothing yet    :delta1, 00:00, 1h
```
"""
TEAMS_CONFIG = """\
[components.core]
paths = ["app/core.py"]
tasks = ["alpha1"]
[components.settings]
paths = ["app/core.py", "app/settings.py"]
tasks = ["bravo1"]
[components.tools]
paths = ["app/tools.py"]
tasks = ["charlie1"]
"""
CORE = "def engine():\n    return 1\n\n\ndef old_api():\n    return 2\n"
SETTINGS = "A = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\n"
SECTIONS_PLAN = """# Mission

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha (Critical Path)
  Split the core     :alpha1, 00:00, 2h
  Move the registry  :alpha2, after alpha1, 2h
  section Team Bravo
  Config in one place :bravo1, 00:00, 3h
  section Infrastructure
  Wire the services   :infra1, after alpha2, 1h
```
"""
SYNC_PLAN = """# Plan

- [ ] Backups verified
- [ ] Teams briefed
- [ ] Rollback tested

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  Core :alpha1, 00:00, 2h
  section Team Bravo
  Config :bravo1, 00:00, 2h
```
"""


def commit(folder: Path, files: dict[str, str | None], message: str) -> str:
    """Write (or, for None, delete) ``files`` in ``folder`` and commit them; the new commit."""
    for rel, text in files.items():
        if text is None:
            git(folder, "rm", "-q", rel)
            continue
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
        git(folder, "add", rel)
    git(folder, "commit", "-qm", message)
    return git(folder, "rev-parse", "HEAD").strip()


def team_worktree(repo: Path, team: str) -> Path:
    """Where ``teams launch`` puts a team's worktree (beside the repository)."""
    return repo.parent / f"{repo.name}.teams" / team


def launched_teams(repo: Path) -> Path:
    """``repo`` (a fresh git repository) with the four-team plan and components, started and launched."""
    (repo / "plan.md").write_text(TEAMS_PLAN)
    (repo / "mission-control.toml").write_text(TEAMS_CONFIG)
    (repo / ".gitignore").write_text(".mission-control/\n")
    files = {
        "app/__init__.py": "",
        "app/core.py": CORE,
        "app/settings.py": SETTINGS,
        "app/tools.py": "from app.core import engine\n",
        "app/legacy.py": "LEGACY = 1\n",
        "app/helpers.py": "def helper():\n    return 3\n",
        "notes.txt": "one\n",
    }
    commit(repo, files, "baseline")
    start_mission(repo)
    flows.launch(flows.open_teams(repo))
    return repo


def clone(remote: Path, folder: Path, who: str) -> Path:
    """A clone of ``remote`` with its own user name."""
    git(remote.parent, "clone", "-q", str(remote), str(folder))
    git(folder, "config", "user.name", who)
    git(folder, "config", "user.email", f"{who.lower()}@example.com")
    return folder


def two_leads(tmp_path: Path) -> tuple[Path, Path]:
    """Ann started the mission and synced; Bob cloned and synced: both have the same mission."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    ann = clone(remote, tmp_path / "ann", "Ann")
    (ann / "plan.md").write_text(SYNC_PLAN)
    git(ann, "add", "plan.md")
    git(ann, "commit", "-qm", "plan")
    git(ann, "push", "-q", "origin", "main")
    assert cli.run(["mission", "start", "--repo", str(ann)]) == 0
    assert cli.run(["sync", "--repo", str(ann)]) == 0
    bob = clone(remote, tmp_path / "bob", "Bob")
    assert cli.run(["sync", "--repo", str(bob)]) == 0
    return ann, bob


SHOP_PLAN = """# Shop refactoring

## Checklist
- [x] Backups verified
- [ ] Docs reviewed

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  Split pricing  :alpha1, 00:00, 2h
  Tidy the cart  :alpha2, after alpha1, 1h
  section Team Docs
  Rewrite docs   :docs1, 00:00, 2h
```

## Rollback
```bash
mission-control rollback --component pricing
mission-control rollback --component docs
```
"""
SHOP_CONFIG = """\
plan = "docs/plan.md"

[components.pricing]
paths = ["src/shop/pricing.py"]
tasks = ["alpha1"]
tests = ["tests/test_pricing.py"]

[components.cart]
paths = ["src/shop/cart.py"]
tasks = ["alpha2"]
tests = ["tests/test_cart.py"]

[components.docs]
paths = ["docs"]
tasks = ["docs1"]
"""
SHOP_FILES = {
    "pyproject.toml": '[project]\nname = "shop"\nversion = "1.0"\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    "src/shop/__init__.py": '"""A small shop."""\n',
    "src/shop/pricing.py": "def price(amount, rate=0.2):\n    return round(amount * (1 + rate), 2)\n",
    "src/shop/cart.py": (
        "from shop.pricing import price\n\n\ndef total(items):\n    return sum(price(i) for i in items)\n"
    ),
    "tests/test_pricing.py": "from shop.pricing import price\n\n\ndef test_price():\n    assert price(10) == 12.0\n",
    "tests/test_cart.py": "from shop.cart import total\n\n\ndef test_total():\n    assert total([10, 10]) == 24.0\n",
    "docs/index.md": "# Shop\n\nSee [usage](usage.md).\n",
    "docs/usage.md": "# Usage\n\n```python\nfrom shop.cart import total\n```\n",
    "docs/api.md": "# API\n\n- `price`\n- `total`\n",
}


def shop_project(repo: Path, config: str | None = SHOP_CONFIG, plan: str = SHOP_PLAN) -> Path:
    """``repo`` (a fresh git repository) as a small ``src/``-layout shop with its own tests, docs,
    a plan in ``docs/plan.md`` and (unless ``config`` is None) ``mission-control.toml``; the
    mission is started (baseline recorded)."""
    files: dict[str, str | None] = {**SHOP_FILES, "docs/plan.md": plan, ".gitignore": ".mission-control/\n"}
    if config is not None:
        files["mission-control.toml"] = config
    commit(repo, files, "the shop")
    start_mission(repo)
    return repo


CORE_COMPONENT = '[components.core]\npaths = ["app/core*.py"]\ntasks = ["a1"]\n'


def core_component_repo(repo: Path, config: str) -> Path:
    """``repo`` with ``config`` as mission-control.toml, app/core.py and app/other.py, committed and tagged ``pre``."""
    (repo / "mission-control.toml").write_text(config)
    (repo / "app").mkdir()
    (repo / "app" / "core.py").write_text("CORE = 1\n")
    (repo / "app" / "other.py").write_text("OTHER = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "mission")
    git(repo, "tag", "pre")
    return repo
