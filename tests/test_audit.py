"""The SSOT audit on crafted repositories: duplicates, roles, sizes, broken imports, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import git, write_file

from mission_control.audit import AuditError, Auditor, audit, engine

MANAGER_A = """
class SessionManager:
    def open(self):
        self.sessions = {}
        return self.sessions
"""
MANAGER_B = """
class SessionManager:
    def open(self):
        self.sessions = {}
        return self.sessions
"""
ID_A = """
def generate_id(prefix):
    import uuid
    return f"{prefix}-{uuid.uuid4()}"
"""
ID_B = """
def generate_id(prefix):
    import uuid
    counter = 0
    counter += 1
    return prefix + str(counter) + uuid.uuid4().hex[:4]
"""


@pytest.fixture
def crafted(git_repo: Path) -> Path:
    """A small app with two copies of a manager, two different ID functions and bad imports."""
    write_file(git_repo, "app/__init__.py", "from .core import Engine\n")
    write_file(git_repo, "app/core.py", "class Engine:\n    pass\n\nclass ToolDispatcher:\n    pass\n")
    write_file(git_repo, "app/sessions/__init__.py", "")
    write_file(git_repo, "app/sessions/one.py", MANAGER_A + ID_A)
    write_file(git_repo, "app/sessions/two.py", MANAGER_B + ID_B)
    write_file(
        git_repo,
        "app/users.py",
        """
        import os
        import app.core
        from app.core import Engine, Missing
        from app import nowhere
        from .sessions import one, three
        from .sessions.one import SessionManager
        import app.ghost
        try:
            import app.optional_extra
        except ImportError:
            app = None

        def handler():
            from app.sessions.two import generate_id, vanished
            return generate_id
        """,
    )
    write_file(git_repo, "app/broken.py", "def oops(:\n    pass\n")
    write_file(git_repo, "tests/test_users.py", "def generate_id():\n    return 1\n")
    return git_repo


def test_json_has_exactly_the_documented_shape(crafted: Path) -> None:
    data = audit(crafted).to_json()
    assert set(data) == {"files", "lines", "parse_errors", "duplicates", "roles", "broken_imports", "components"}
    json.dumps(data)  # serialisable
    assert data["files"] == 8
    assert set(data["duplicates"][0]) == {"name", "kind", "modules", "similarity"}
    assert set(data["broken_imports"][0]) == {"path", "line", "import"}


def test_duplicates_with_body_similarity(crafted: Path) -> None:
    result = audit(crafted)
    by_name = {d.name: d for d in result.duplicates}
    manager, ids = by_name["SessionManager"], by_name["generate_id"]
    assert manager.kind == "class" and manager.modules == ("app.sessions.one", "app.sessions.two")
    assert manager.similarity == 1.0
    assert ids.kind == "function" and 0.0 <= ids.similarity < 0.5
    assert "tests.test_users" not in ids.modules  # tests are left out of the SSOT search
    assert result.duplicates[0].name == "SessionManager"  # most alike first


def test_syntax_errors_are_skipped_and_listed(crafted: Path) -> None:
    result = audit(crafted)
    assert [(p.path, p.line) for p in result.parse_errors] == [("app/broken.py", 1)]
    assert "oops" not in {d.name for d in result.duplicates}


def test_broken_internal_imports_only(crafted: Path) -> None:
    found = {(b.path, b.line, b.import_) for b in audit(crafted).broken_imports}
    assert found == {
        ("app/users.py", 4, "app.core.Missing"),
        ("app/users.py", 5, "app.nowhere"),
        ("app/users.py", 6, ".sessions.three"),
        ("app/users.py", 8, "app.ghost"),
        ("app/users.py", 15, "app.sessions.two.vanished"),
    }  # os (external), the guarded optional import and the good ones are not reported


def test_star_import_and_module_getattr_are_trusted(git_repo: Path) -> None:
    write_file(git_repo, "pkg/__init__.py", "from pkg.impl import *\n")
    write_file(git_repo, "pkg/impl.py", "X = 1\n")
    write_file(git_repo, "pkg/lazy.py", "def __getattr__(name):\n    return name\n")
    write_file(
        git_repo, "pkg/use.py", "from pkg import Anything\nfrom pkg.lazy import whatever\nfrom pkg.impl import Y\n"
    )
    broken = [b.import_ for b in audit(git_repo).broken_imports]
    assert broken == ["pkg.impl.Y"]


def test_roles_lines_and_components(crafted: Path) -> None:
    result = audit(crafted, components={"sessions": ["app/sessions/*"], "core": ["app/core.py"], "none": ["zzz/*"]})
    assert result.roles["Manager"] == 2 and result.roles["Engine"] == 1 and result.roles["Dispatcher"] == 1
    assert result.roles["Factory"] == 0
    one = len((crafted / "app/sessions/one.py").read_text().splitlines())
    two = len((crafted / "app/sessions/two.py").read_text().splitlines())
    assert result.to_json()["components"]["sessions"] == {"files": 3, "lines": one + two}
    assert result.components["core"].files == 1 and result.components["none"].files == 0
    metrics = result.metrics()
    assert metrics["roles.Manager"] == 2 and metrics["components.core.files"] == 1
    assert metrics["broken_imports"] == 5 and metrics["parse_errors"] == 1


def test_warm_run_reads_nothing_and_one_change_costs_one_file(crafted: Path) -> None:
    cold = audit(crafted)
    assert cold.parsed == 8
    warm = audit(crafted)
    assert (warm.parsed, warm.read) == (0, 0)
    assert warm.to_json() == cold.to_json()
    write_file(crafted, "app/core.py", "class Engine:\n    pass\n\nclass NewManager:\n    pass\n")
    again = audit(crafted)
    assert (again.parsed, again.read) == (1, 1)
    assert again.roles["Manager"] == 3


def test_touched_but_unchanged_file_is_read_not_parsed(crafted: Path) -> None:
    audit(crafted)
    path = crafted / "app/core.py"
    path.write_bytes(path.read_bytes())
    import os

    os.utime(path, ns=(1, 1))
    result = audit(crafted)
    assert (result.parsed, result.read) == (0, 1)


def test_auditor_follows_changed_paths_without_relisting(crafted: Path) -> None:
    auditor = Auditor(crafted)
    auditor.run()
    write_file(crafted, "app/extra.py", "class ExtraFactory:\n    pass\n")
    (crafted / "app/broken.py").unlink()
    result = auditor.run(changed=[crafted / "app/extra.py", "app/broken.py"])
    assert result.roles["Factory"] == 1
    assert result.parse_errors == ()
    assert result.parsed == 1


def test_baseline_tree_values(crafted: Path) -> None:
    git(crafted, "add", "-A")
    git(crafted, "commit", "-q", "-m", "before")
    git(crafted, "tag", "pre-ssot")
    (crafted / "app/sessions/two.py").unlink()
    write_file(crafted, "app/sessions/one.py", "from app.core import Engine\n")
    auditor = Auditor(crafted)
    now = auditor.run()
    base = auditor.run_ref("pre-ssot")
    assert base.ref == "pre-ssot"
    assert {d.name for d in base.duplicates} >= {"SessionManager", "generate_id"}
    assert now.roles["Manager"] == 0 and base.roles["Manager"] == 2
    assert base.parsed == 2  # only the two blobs that differ from the working tree
    assert audit(crafted, ref="pre-ssot").parsed == 0  # cached by content


def test_unknown_ref_and_missing_folder_are_clear_errors(git_repo: Path, tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="unknown git ref 'nope'"):
        audit(git_repo, ref="nope")
    with pytest.raises(AuditError, match="no such folder"):
        audit(tmp_path / "missing")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(AuditError, match="not a git repository"):
        audit(plain, ref="main")


def test_plain_folder_is_walked_skipping_venvs_and_caches(tmp_path: Path) -> None:
    write_file(tmp_path, "proj/src/lib/__init__.py", "from lib.mod import f\n")
    write_file(tmp_path, "proj/src/lib/mod.py", "def f():\n    return 1\n")
    write_file(tmp_path, "proj/env/pyvenv.cfg", "home = /usr\n")
    write_file(tmp_path, "proj/env/lib/site.py", "import nowhere_at_all\n")
    write_file(tmp_path, "proj/__pycache__/x.py", "x = (\n")
    result = audit(tmp_path / "proj")
    assert result.files == 2
    assert result.broken_imports == () and result.parse_errors == ()
    assert {m.module for m in result.modules} == {"lib", "lib.mod"}  # src/ layout


def test_git_ignored_files_are_not_audited(git_repo: Path) -> None:
    write_file(git_repo, ".gitignore", "generated/\n")
    write_file(git_repo, "generated/out.py", "x = (\n")
    write_file(git_repo, "kept.py", "x = 1\n")
    assert audit(git_repo).files == 1


def test_parallel_cold_run_matches_in_process(crafted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(12):
        write_file(crafted, f"gen/m{i}.py", f"class Thing{i % 3}Manager:\n    value = {i}\n")
    single = audit(crafted, jobs=1, use_cache=False)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 5)
    parallel = audit(crafted, jobs=2, use_cache=False)
    assert parallel.parsed == single.parsed == 20
    assert parallel.to_json() == single.to_json()


def test_progress_and_cancel(crafted: Path) -> None:
    from mission_control.util.progress import Cancelled, CancelToken

    reports = []
    audit(crafted, jobs=1, use_cache=False, on_progress=reports.append)
    assert reports and reports[-1].done == reports[-1].total == 8
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        audit(crafted, jobs=1, use_cache=False, cancel=token)


def test_incremental_runs_are_flushed_to_the_disk_cache(crafted: Path) -> None:
    auditor = Auditor(crafted)
    auditor.run()
    write_file(crafted, "app/core.py", "class Engine:\n    pass\n")
    assert auditor.run(changed=["app/core.py"]).parsed == 1
    (crafted / "app/sessions").rename(crafted / "app/moved")  # a folder: forces a relist
    moved = auditor.run(changed=[crafted / "app/sessions", crafted / "app/moved"])
    assert {"app.moved.one", "app.moved.two"} <= {m.module for m in moved.modules}
    auditor.flush()
    warm = audit(crafted)
    assert (warm.parsed, warm.read) == (0, 0)
    assert warm.to_json() == moved.to_json()
