"""``mission-control audit``, ``metrics`` and ``watch`` through real subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from helpers import git

from mission_control.history import open_history


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mission_control", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def make_repo(repo: Path) -> None:
    (repo / "app").mkdir()
    (repo / "app/__init__.py").write_text("")
    (repo / "app/a.py").write_text("class AManager:\n    pass\n")
    (repo / "app/b.py").write_text("from app.a import Gone\n\nclass BManager:\n    pass\n")
    (repo / "mission-control.toml").write_text(
        'baseline = "pre"\nplan = "plan.md"\n[components.app]\npaths = ["app/*"]\n'
    )
    (repo / "plan.md").write_text("## Success Metrics\n- 50% reduction in manager classes\n- Zero broken imports\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "pre")


def test_audit_json_and_history(git_repo: Path) -> None:
    make_repo(git_repo)
    proc = run("audit", "--repo", str(git_repo), "--json")
    assert proc.returncode == 1, proc.stderr  # a broken import is a problem
    data = json.loads(proc.stdout)
    assert data["broken_imports"] == [{"path": "app/b.py", "line": 1, "import": "app.a.Gone"}]
    assert data["components"] == {"app": {"files": 3, "lines": 6}}
    assert data["roles"]["Manager"] == 2
    with open_history(git_repo) as history:
        assert [v for _, v in history.metric_series("roles.Manager", source="audit")] == [2.0]


def test_audit_baseline_and_metrics(git_repo: Path) -> None:
    make_repo(git_repo)
    (git_repo / "app/b.py").write_text("from app.a import AManager\n")
    base = json.loads(run("audit", "--repo", str(git_repo), "--json", "--baseline").stdout)
    assert base["roles"]["Manager"] == 2 and len(base["broken_imports"]) == 1
    proc = run("metrics", "--repo", str(git_repo), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    gauges = {g["text"]: g for g in json.loads(proc.stdout)}
    assert gauges["50% reduction in manager classes"]["baseline"] == 2
    assert gauges["50% reduction in manager classes"]["now"] == 1
    assert gauges["Zero broken imports"]["met"] is True


def test_clear_errors_without_traceback(tmp_path: Path, git_repo: Path) -> None:
    proc = run("audit", "--repo", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "no such folder" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("audit", "--repo", str(git_repo), "--baseline", "nope")
    assert proc.returncode == 2 and "unknown git ref 'nope'" in proc.stderr
    (git_repo / "mission-control.toml").write_text("[metrics]\nOdd = 3\n")
    proc = run("metrics", "--repo", str(git_repo), "--plan", str(git_repo / "README.md"))
    assert proc.returncode == 2 and 'metrics."Odd"' in proc.stderr and "Traceback" not in proc.stderr


def test_watch_prints_one_json_line_per_change_set(git_repo: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mission_control", "watch", "--repo", str(git_repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "watching" in proc.stderr.readline()  # ready: the observer is running
        for i in range(50):
            (git_repo / f"f{i}.py").write_text("x = 1\n")
        line = json.loads(proc.stdout.readline())
        assert len(line["created"]) == 50 and line["mode"] == "native"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert os.path.exists(git_repo / "f0.py")
