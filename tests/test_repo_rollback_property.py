"""Property: random edits across components; rolling one back leaves the others untouched, and
undo restores every byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers import git, tree_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mission_control.repo.baseline import start_mission
from mission_control.repo.rollback import rollback, undo_rollback

COMPONENTS = ("alpha", "beta", "gamma")
FILES = [f"{c}/{name}" for c in COMPONENTS for name in ("a.py", "b.py", "sub/c.py", "tool.sh")]
CONFIG = "".join(f'[components.{c}]\npaths = ["{c}"]\n' for c in COMPONENTS)

edit = st.tuples(
    st.sampled_from(FILES + [f"{c}/new_{i}.py" for c in COMPONENTS for i in range(2)] + ["outside.txt"]),
    st.sampled_from(["write", "delete", "chmod", "stage", "binary"]),
    st.binary(max_size=40),
)


def _template(root: Path) -> Path:
    """A committed repository with three components, built once and copied per example."""
    template = root / "template"
    if not template.exists():
        template.mkdir()
        git(template, "init", "-q", "-b", "main")
        for rel in FILES:
            (template / rel).parent.mkdir(parents=True, exist_ok=True)
            (template / rel).write_text(f"# {rel}\nvalue = 1\n")
        (template / "outside.txt").write_text("outside\n")
        (template / "mission-control.toml").write_text(CONFIG)
        git(template, "add", "-A")
        git(template, "commit", "-q", "-m", "base")
        start_mission(template)
    return template


def _apply(repo: Path, rel: str, action: str, data: bytes) -> None:
    path = repo / rel
    if action == "delete":
        if path.exists():
            path.unlink()
        return
    if action == "chmod":
        if path.exists():
            path.chmod(path.stat().st_mode ^ 0o111)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data + (b"\x00\xff" if action == "binary" else b"\n"))
    if action == "stage":
        git(repo, "add", "--", rel)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(edit, min_size=1, max_size=12), target=st.sampled_from(COMPONENTS))
def test_rollback_one_component_then_undo(tmp_path_factory, edits, target) -> None:
    base = tmp_path_factory.getbasetemp() / "property"
    base.mkdir(exist_ok=True)
    repo = base / "repo"
    if repo.exists():
        shutil.rmtree(repo)
    shutil.copytree(_template(base), repo, symlinks=True)
    for rel, action, data in edits:
        _apply(repo, rel, action, data)
    before = tree_state(repo)
    index_before = git(repo, "ls-files", "-s")

    rollback(repo, target)

    after = tree_state(repo)
    others = lambda state: {k: v for k, v in state.items() if not k.startswith(f"{target}/")}
    assert others(after) == others(before)
    for rel in FILES:
        if rel.startswith(f"{target}/"):
            assert (repo / rel).read_text() == f"# {rel}\nvalue = 1\n"
            assert not os.access(repo / rel, os.X_OK)
    assert not any(k.startswith(f"{target}/new_") for k in after)
    assert f"{target}/" not in git(repo, "status", "--porcelain")

    undo_rollback(repo)
    assert tree_state(repo) == before
    assert git(repo, "ls-files", "-s") == index_before
