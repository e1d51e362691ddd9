"""Codemods on real files in real git repositories: each built-in, review, apply, undo, cancel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from helpers import git

from mission_control.codemods import (
    FAILED,
    SKIPPED,
    CancelToken,
    CodemodError,
    apply_run,
    list_codemods,
    planned_changes,
    qualified_names,
    run_codemod,
    undo_codemod,
)
from mission_control.codemods.diffs import apply_hunks, make_hunks

RENAME = {"old_name": "pkg.old.Thing", "new_name": "pkg.new.Widget"}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    write(
        git_repo,
        {
            "pkg/__init__.py": "",
            # Thing was moved to pkg.new (as Widget) by hand; the rename points its users there
            "pkg/old.py": "from pkg.new import Widget as Thing\n\n\nclass Other:\n    pass\n",
            "pkg/new.py": "class Widget:\n    pass\n",
            "pkg/uses_alias.py": "from pkg.old import Thing as T\n\nx = T()\n",
            "pkg/uses_module.py": "import pkg.old\n\nx = pkg.old.Thing()\n",
            "pkg/only_module.py": "from pkg import old\n\nx = old.Other()\n",
            "pkg/relative.py": "from .old import Thing\n\n\ndef make() -> Thing:\n    return Thing()\n",
            "pkg/typing_only.py": (
                "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                '    from pkg.old import Thing\n\n\ndef f(x: "Thing") -> None:\n    print(x)\n'
            ),
            "pkg/conditional.py": (
                "try:\n    from pkg.old import Thing\nexcept ImportError:\n    Thing = None\n\nprint(Thing)\n"
            ),
            "pkg/star.py": "from pkg.old import *\n\nx = Thing()\n",
            "pkg/unrelated.py": "def now():\n    return 1\n",
            "pkg/broken.py": "from pkg.old import Thing\n\ndef oops(:\n    pass\n",
        },
    )
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "code")
    return git_repo


def text(root: Path, rel: str) -> str:
    return (root / rel).read_text()


def test_rename_rewrites_imports_and_uses_in_every_form(repo: Path) -> None:
    run = run_codemod(repo, "rename", RENAME)
    new = {r.path: r.new_text for r in run.changed}
    assert new["pkg/uses_alias.py"] == "from pkg.new import Widget\n\nx = Widget()\n"
    assert "x = pkg.new.Widget()" in new["pkg/uses_module.py"] and "import pkg.new" in new["pkg/uses_module.py"]
    assert new["pkg/relative.py"] == "from pkg.new import Widget\n\n\ndef make() -> Widget:\n    return Widget()\n"
    # The TYPE_CHECKING import stays type-only and the string annotation follows.
    assert new["pkg/typing_only.py"] == (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        '    from pkg.new import Widget\n\n\ndef f(x: "Widget") -> None:\n'
        "    print(x)\n"
    )
    assert new["pkg/conditional.py"].startswith("try:\n    from pkg.new import Widget\nexcept ImportError:")
    assert "print(Widget)" in new["pkg/conditional.py"]
    assert set(new) == {
        "pkg/uses_alias.py",
        "pkg/uses_module.py",
        "pkg/relative.py",
        "pkg/typing_only.py",
        "pkg/conditional.py",
    }


def test_rename_leaves_module_only_importers_alone_and_explains_star_imports(repo: Path) -> None:
    run = run_codemod(repo, "rename", RENAME)
    assert run.result_for("pkg/only_module.py") is None  # libcst's RenameCommand adds an unused import here
    star = run.result_for("pkg/star.py")
    assert star.status == SKIPPED and "import *" in star.reason
    assert run.prefiltered >= 4  # unrelated, new, __init__, only_module: never parsed by libcst


def test_unparsable_file_is_listed_with_its_line_and_left_untouched(repo: Path) -> None:
    run = run_codemod(repo, "rename", RENAME)
    broken = run.result_for("pkg/broken.py")
    assert broken.status == FAILED and broken.line == 3 and "pkg/broken.py:3" in broken.reason
    apply_run(repo, run)
    assert text(repo, "pkg/broken.py").startswith("from pkg.old import Thing")


def test_apply_then_undo_restores_exactly(repo: Path) -> None:
    run = run_codemod(repo, "rename", RENAME)
    result = apply_run(repo, run)
    assert set(result.written) == {r.path for r in run.changed} and result.snapshot_id
    assert "Widget" in text(repo, "pkg/uses_alias.py")
    assert git(repo, "status", "--porcelain").strip()
    restored = undo_codemod(repo)
    assert set(restored) >= set(result.written)
    assert git(repo, "status", "--porcelain").strip() == ""


def test_accept_per_file_and_per_hunk(repo: Path) -> None:
    write(
        repo, {"pkg/two.py": "from pkg.old import Thing\n" + "\n" * 12 + "a = Thing()\n" + "\n" * 12 + "b = Thing()\n"}
    )
    run = run_codemod(repo, "rename", RENAME)
    two = run.result_for("pkg/two.py")
    assert len(two.hunks) == 3
    result = apply_run(repo, run, {"pkg/two.py": [0, 1], "pkg/uses_alias.py": None})
    assert set(result.written) == {"pkg/two.py", "pkg/uses_alias.py"}
    body = text(repo, "pkg/two.py")
    assert "from pkg.new import Widget" in body and "a = Widget()" in body and "b = Thing()" in body
    assert text(repo, "pkg/relative.py").startswith("from .old import Thing")  # not accepted


def test_a_file_changed_since_the_dry_run_is_refused(repo: Path) -> None:
    run = run_codemod(repo, "rename", RENAME)
    (repo / "pkg/uses_alias.py").write_text("edited meanwhile\n")
    result = apply_run(repo, run)
    assert "pkg/uses_alias.py" not in result.written
    assert any("pkg/uses_alias.py" in p for p in result.problems)
    assert text(repo, "pkg/uses_alias.py") == "edited meanwhile\n"


def test_cancel_during_the_run_and_during_apply(repo: Path) -> None:
    token = CancelToken()
    seen = []

    def progress(p):
        seen.append(p)
        if p.done >= 1 and p.message.startswith("libcst"):
            token.cancel()

    run = run_codemod(repo, "rename", RENAME, use_cache=False, jobs=1, on_progress=progress, cancel=token)
    assert run.cancelled and len(run.changed) == 1  # (broken.py fails earlier, in the ast look)
    full = run_codemod(repo, "rename", RENAME)
    before = {r.path: r.old_text for r in full.changed}
    token = CancelToken()
    result = apply_run(repo, full, on_progress=lambda p: p.done == 2 and token.cancel(), cancel=token)
    assert result.cancelled and len(result.written) == 2
    for path, old in before.items():  # every file untouched or fully transformed
        assert text(repo, path) in (old, full.result_for(path).new_text)
        assert (text(repo, path) != old) == (path in result.written)


def test_cancel_across_processes_stops_the_workers(git_repo: Path) -> None:
    """The parallel path: a cancel mid-run returns the files done so far, nothing written, workers ended."""
    (git_repo / "pkg").mkdir()
    (git_repo / "pkg/old.py").write_text("class Thing:\n    pass\n")
    body = "from pkg.old import Thing\n\n" + "".join(f"def f{i}():\n    return Thing({i})\n\n" for i in range(40))
    for i in range(120):
        (git_repo / f"pkg/u{i}.py").write_text(body)
    token = CancelToken()
    run = run_codemod(
        git_repo,
        "rename",
        RENAME,
        use_cache=False,
        jobs=2,
        cancel=token,
        on_progress=lambda p: p.message.startswith("libcst") and p.done >= 1 and token.cancel(),
    )
    assert run.cancelled and run.jobs == 2 and 1 <= len(run.changed) < 120
    assert all(text(git_repo, f"pkg/u{i}.py") == body for i in range(120))


def test_progress_reports_an_eta(repo: Path) -> None:
    messages = []
    run_codemod(repo, "rename", RENAME, use_cache=False, jobs=1, on_progress=lambda p: messages.append(p.message))
    assert any("s left" in m for m in messages)


def test_cache_and_processes_give_the_same_results(repo: Path) -> None:
    # enough files for processes (a run of a few stays in one process even with jobs=2)
    write(repo, {f"pkg/many_{i}.py": f"from pkg.old import Thing\n\nx{i} = Thing()\n" for i in range(30)})
    first = run_codemod(repo, "rename", RENAME)
    again = run_codemod(repo, "rename", RENAME)
    assert again.cached == len(first.changed) and first.cached == 0
    assert [(r.path, r.new_text) for r in again.changed] == [(r.path, r.new_text) for r in first.changed]
    parallel = run_codemod(repo, "rename", RENAME, use_cache=False, jobs=2)
    assert parallel.jobs == 2
    assert [(r.path, r.new_text) for r in parallel.changed] == [(r.path, r.new_text) for r in first.changed]


def test_bad_arguments_are_clear(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(CodemodError, match="old_name"):
        run_codemod(repo, "rename", {"new_name": "a.b"})
    with pytest.raises(CodemodError, match="dotted"):
        run_codemod(repo, "rename", {"old_name": "a b", "new_name": "a.b"})
    with pytest.raises(CodemodError, match=r"no module pkg\.gone"):
        run_codemod(repo, "consolidate", {"canonical": "pkg.new.Widget", "duplicates": "pkg.gone.X"})
    with pytest.raises(CodemodError, match="not a folder"):
        run_codemod(tmp_path / "missing", "rename", RENAME)
    with pytest.raises(CodemodError, match="no codemod"):
        run_codemod(repo, "frobnicate")


def test_remove_unused_imports_keeps_reexports_noqa_and_packages(git_repo: Path) -> None:
    write(
        git_repo,
        {
            "app/__init__.py": "from app.core import helper\n",
            "app/core.py": "import os\nimport sys  # noqa\nfrom json import dumps, loads\nfrom app.util import helper\n\n"
            "print(loads('1'))\n",
            "app/util.py": "def helper():\n    pass\n",
            "app/user.py": "from app.core import helper\n\nhelper()\n",
        },
    )
    run = run_codemod(git_repo, "remove-unused-imports")
    assert [r.path for r in run.changed] == ["app/core.py"]
    assert run.changed[0].new_text == (
        "import sys  # noqa\nfrom json import loads\nfrom app.util import helper\n\nprint(loads('1'))\n"
    )


def test_remove_unused_imports_finds_shadowed_ones_and_keeps_probes_and_reexports(git_repo: Path) -> None:
    # boltons tests/test_cacheutils.py: the top-level ``import sys`` is unused because the one
    # function that reads ``sys`` imports its own; the file never reached libcst
    module = (
        "import json as json\n"
        "import string\n"
        "import sys\n"
        "from collections import OrderedDict\n"
        "from typing import List\n\n"
        "try:\n    import readline\nexcept ImportError:\n    readline = None\n\n"
        "try:\n    import curses  # an availability check, never used\nexcept (ImportError, OSError):\n    pass\n\n"
        '__all__ = ["OrderedDict"]\n\n\n'
        "def letters():\n    return string.ascii_lowercase\n\n\n"
        "def platform():\n    import sys\n\n    def inner(sep=List):\n        return sys.platform\n\n"
        "    return inner()\n"
    )
    test = (
        "from app.shapes import letters, platform\n\n\ndef test_it():\n    assert letters()[0] == 'a' and platform()\n"
    )
    write(git_repo, {"app/__init__.py": "", "app/shapes.py": module, "tests/test_shapes.py": test})
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "shapes")
    run = run_codemod(git_repo, "remove-unused-imports", use_cache=False)
    assert [r.path for r in run.changed] == ["app/shapes.py"]
    new = run.changed[0].new_text or ""
    assert new.startswith(
        "import json as json\nimport string\nfrom collections import OrderedDict\nfrom typing import List\n"
    )
    assert "import readline\n" in new and "import curses  #" in new and "    import sys\n" in new
    assert not apply_run(git_repo, run).problems
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=git_repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_remove_commented_code_keeps_prose_and_pragmas(git_repo: Path) -> None:
    write(
        git_repo,
        {
            "m.py": (
                "# A module comment that is prose.\n"
                "# from app.x import y\n"
                "# DEFAULT = make()\n"
                "import os  # type: ignore\n\n"
                "def f():\n"
                "    # TODO: print(x)\n"
                "    # if os.sep:\n"
                "    #     print(os.sep)\n"
                "    s = '# print(1)'\n"
                "    # note: this is fine\n"
                "    return s\n"
            ),
            "clean.py": "# nothing to do here\nx = 1\n",
        },
    )
    run = run_codemod(git_repo, "remove-commented-code")
    assert [r.path for r in run.changed] == ["m.py"]
    assert run.changed[0].new_text == (
        "# A module comment that is prose.\n"
        "import os  # type: ignore\n\n"
        "def f():\n"
        "    # TODO: print(x)\n"
        "    # if os.sep:\n"  # code under a TODO is kept on purpose
        "    #     print(os.sep)\n"
        "    s = '# print(1)'\n"
        "    # note: this is fine\n"
        "    return s\n"
    )


#: Comment shapes from click 8.5.1 and boltons 26.2.0 that are prose, each kept whole.
PROSE_SHAPES = (
    # click src/click/parser.py ~357: an indented example inside an explanation
    "def f():\n"
    "    # The while loop will usually consume 1 or more arguments per pass.\n"
    "    # then after _process_arg() is done the situation is:\n"
    "    #\n"
    "    #   largs = subset of [arg0, ..., arg(i)]\n"
    "    #   rargs = [arg(i+1), ..., arg(N-1)]\n"
    "    #\n"
    "    # If allow_interspersed_args is false, largs will always be\n"
    "    # *empty*.\n"
    "    return 1\n\n\n"
    # click tests/test_termui.py ~1607: ### banners and key=value labels
    "CASES = [\n"
    "    (1, 2),\n"
    "    ###\n"
    "    ### Test cases with a flag_value and a default.\n"
    "    ###\n"
    "    # default=True\n"
    "    (3, 4),\n"
    "    # default=None\n"
    "    (5, 6),\n"
    "]\n\n\n"
    # boltons iterutils.py ~1292: code under a TODO
    "def g(item):\n"
    "    # TODO: typecheck?\n"
    "    #    raise TypeError('expected (key, value) from visit(),'\n"
    "    #                    ' not: %r' % item)\n"
    "    return item\n\n\n"
    # Django forms/models.py: a sentence whose last line parses; a word-space-dot method name
    "def h():\n"
    "    # We check if a string was passed, which is likely a mistake where the user typed ('foo') instead\n"
    "    # of ('foo',)\n"
    "    # test .update()\n"
    "    return 2\n\n\n"
    # Django geos/geometry.py: an operator's usage above its definition
    "class G:\n"
    "    # g = g1 - g2\n"
    "    def __sub__(self, other):\n"
    "        return self\n"
)


def test_remove_commented_code_leaves_prose_shapes_of_real_projects_alone(git_repo: Path) -> None:
    code = "def k():\n    # print('visit(%r)' % (k,))\n    # key.extend(args)\n    return 3\n"
    write(git_repo, {"prose.py": PROSE_SHAPES, "code.py": code})
    run = run_codemod(git_repo, "remove-commented-code", use_cache=False)
    assert [r.path for r in run.changed] == ["code.py"]  # prose.py is not touched at all
    assert run.changed[0].new_text == "def k():\n    return 3\n"


def test_hunks_round_trip() -> None:
    old = "".join(f"line {i}\n" for i in range(40))
    new = old.replace("line 2\n", "LINE 2\n").replace("line 30\n", "").replace("line 39\n", "line 39")
    hunks = make_hunks(old, new)
    assert len(hunks) == 3
    assert apply_hunks(old, hunks) == new
    assert apply_hunks(old, hunks[:1]) == old.replace("line 2\n", "LINE 2\n")
    assert apply_hunks(old, []) == old


def test_repository_codemods_are_discovered_and_run_by_its_interpreter(git_repo: Path) -> None:
    write(
        git_repo,
        {
            ".libcst.codemod.yaml": "modules:\n- 'mods'\n",
            "mods/__init__.py": "",
            "mods/shout.py": (
                "import libcst as cst\nfrom libcst.codemod import VisitorBasedCodemodCommand\n\n\n"
                "class ShoutCommand(VisitorBasedCodemodCommand):\n"
                "    DESCRIPTION = 'Upper-case one name.'\n\n"
                "    @staticmethod\n    def add_args(parser):\n        parser.add_argument('--name', required=True)\n\n"
                "    def __init__(self, context, name):\n        super().__init__(context)\n        self.name = name\n\n"
                "    def leave_Name(self, original_node, updated_node):\n"
                "        if updated_node.value == self.name:\n"
                "            return updated_node.with_changes(value=self.name.upper())\n"
                "        return updated_node\n"
            ),
            "code.py": "quiet = 1\nprint(quiet)\n",
            "bad.py": "def (:\n",
        },
    )
    (git_repo / "mission-control.toml").write_text(f'python = "{sys.executable}"\n')
    infos, problems = list_codemods(git_repo)
    mine = [i for i in infos if not i.builtin]
    assert problems == [] and [i.name for i in mine] == ["shout.ShoutCommand"]
    assert [a.name for a in mine[0].args] == ["name"]
    run = run_codemod(git_repo, "shout.ShoutCommand", {"name": "quiet"})
    assert run.result_for("code.py").new_text == "QUIET = 1\nprint(QUIET)\n"
    assert run.result_for("bad.py").status == FAILED and run.result_for("bad.py").line == 1
    with pytest.raises(CodemodError, match="bad arguments"):
        run_codemod(git_repo, "shout.ShoutCommand", {"nope": "x"})


def test_qualified_name_completion(repo: Path) -> None:
    names = [n for n, _path, _line in qualified_names(repo, "pkg.old")]
    assert names == ["pkg.old", "pkg.old.Other"]  # Thing is only imported there
    assert [n for n, _path, _line in qualified_names(repo, "pkg.new")] == ["pkg.new", "pkg.new.Widget"]


def test_demo_mission_one_websocket_emitter_class_by_consolidate(tmp_path: Path) -> None:
    """The plan's "one WebSocket emitter class", done by the consolidate codemod; suite still green."""
    from mission_control.services.demo import create_demo

    demo = create_demo(tmp_path / "demo")
    canonical = "app.services.websocket_emitter.UserWebSocketEmitter"
    duplicates = ",".join(
        f"{m}.UserWebSocketEmitter"
        for m in (
            "app.websocket_core.user_emitter",
            "app.websocket_core.unified_emitter",
            "app.agents.agent_websocket_emitter",
            "app.services.agent_websocket_bridge",
        )
    )
    run = run_codemod(demo, "consolidate", {"canonical": canonical, "duplicates": duplicates})
    assert not run.failed and not run.skipped
    result = apply_run(demo, run)
    assert set(result.deleted) == {
        "app/websocket_core/user_emitter.py",
        "app/websocket_core/unified_emitter.py",
        "app/agents/agent_websocket_emitter.py",
    }
    assert git(demo, "grep", "-l", "class UserWebSocketEmitter").split() == ["app/services/websocket_emitter.py"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=demo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    undo_codemod(demo, result.snapshot_id)
    assert git(demo, "status", "--porcelain").strip() == ""
    assert planned_changes(run, []) == {}


def test_parking_unrelated_statements_gives_the_same_text_as_a_full_run() -> None:
    from mission_control.codemods.base import Source, context_for, run_libcst
    from mission_control.codemods.rename import RenameCodemod, rename_text

    code = (
        '"""Doc."""\nimport os\nfrom pkg import old\n\n\nclass A:\n    """Unrelated."""\n\n'
        "    def f(self):\n        return os.sep\n\n\ndef g():\n    return old.Thing()\n\n\n"
        "def h(Thing=None):\n    return Thing\n\n\nX = [1,\n     2]  # trailing\n"
    )
    source = Source("pkg/m.py", "pkg.m", "pkg", code)
    full = run_libcst(RenameCodemod(context_for(source), "pkg.old.Thing", "pkg.new.Widget"), source)
    assert rename_text(source, "pkg.old.Thing", "pkg.new.Widget") == full
    assert "from pkg.new import Widget" in full and "return Widget()" in full and "class A:" in full


def test_parked_statements_keep_the_imports_they_use() -> None:
    """Found by the Django benchmark: names imported beside the renamed module's and used only in parked
    statements looked unused to libcst, which dropped them from the import (broken code)."""
    from mission_control.codemods.base import Source, context_for, run_libcst
    from mission_control.codemods.rename import RenameCodemod, rename_text

    code = (
        "import sys\n\nfrom django.db import IntegrityError, migrations, transaction\n\n\n"
        "def update(apps):\n    try:\n        with transaction.atomic():\n            pass\n"
        "    except IntegrityError:\n        sys.exit(1)\n\n\n"
        "class Migration(migrations.Migration):\n    operations = []\n"
    )
    source = Source("app/migrations/0011_x.py", "app.migrations.0011_x", "app.migrations", code)
    old, new = "django.db.migrations.Migration", "django.db.migrations.migration.Migration"
    full = run_libcst(RenameCodemod(context_for(source), old, new), source)
    result = rename_text(source, old, new)
    assert result == full
    assert "IntegrityError" in result.split("def update")[0] and "transaction" in result.split("def update")[0]


def test_codemods_leave_what_git_ignores_alone_like_the_audit(repo: Path) -> None:
    """A ``build/`` copy that git ignores is neither rewritten by a codemod nor audited (one file walker)."""
    from mission_control.testing.imports import build_import_graph

    write(
        repo,
        {
            ".gitignore": "build/\n",
            "build/lib/pkg/old.py": "from pkg.old import Thing\n\nx = Thing()\n",
            "pkg/untracked.py": "from pkg.old import Thing\n\ny = Thing()\n",
        },
    )
    run = run_codemod(repo, "rename", RENAME, use_cache=False)
    assert "pkg/untracked.py" in {r.path for r in run.changed}  # untracked but not ignored: the user's code
    assert not any(r.path.startswith("build/") for r in run.files)
    assert not (repo / "build/lib/pkg/old.py").read_text().count("Widget")
    graph = build_import_graph(repo)  # the affected-tests selection sees the same files
    assert "pkg/untracked.py" in graph.files and not any(f.startswith("build/") for f in graph.files)


def test_libcst_matcher_methods_gathered_once_per_class_are_the_same_as_libcst_finds() -> None:
    import libcst.matchers as m
    from libcst.matchers import _visitors

    from mission_control.codemods import libcst_speed

    class Finder(m.MatcherDecoratableTransformer):
        @m.visit(m.Name("a"))
        def saw_a(self, node: cst.Name) -> None:
            self.seen.append(node.value)

        @m.leave(m.Name("b"))
        def left_b(self, original: cst.Name, updated: cst.Name) -> cst.Name:
            return updated.with_changes(value="c")

    libcst_speed.install()
    libcst_speed.install()  # idempotent
    first, second = Finder(), Finder()
    assert first._extra_visit_funcs.keys() == second._extra_visit_funcs.keys() and len(first._extra_visit_funcs) == 1
    assert next(iter(first._extra_visit_funcs.values()))[0].__self__ is first  # bound to each object
    assert next(iter(second._extra_leave_funcs.values()))[0].__self__ is second
    second.seen = []
    assert cst.parse_module("a + b\n").visit(second).code == "a + c\n" and second.seen == ["a"]
    assert _visitors._gather_constructed_visit_funcs.__name__ == "gather_cached"

    class Gated(m.MatcherDecoratableVisitor):
        @m.call_if_inside(m.Call())
        def visit_Name(self, node: cst.Name) -> None:
            self.names.append(node.value)

    gated = Gated()
    gated.names = []
    cst.parse_module("f(a)\nb\n").visit(gated)
    assert gated.names == ["f", "a"] and len(Gated()._matchers) == 1  # each object its own dict

    from libcst.metadata import ParentNodeProvider

    one, two = ParentNodeProvider(), ParentNodeProvider()
    assert set(one.get_visitors()) == set(two.get_visitors()) and one.get_visitors()
    assert all(method.__self__ is two for method in two.get_visitors().values())
    wrapper = cst.metadata.MetadataWrapper(cst.parse_module("x = (1)\n"))
    assert len(wrapper.resolve(ParentNodeProvider)) > 3
