"""A rename that renames (issue 16): the definition and every reference, checked before writing.

Each rename runs on a small project with its own pytest suite, is applied, and the project's
tests are run with a real pytest subprocess: the rename is right when they still pass.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git

from mission_control.audit.files import module_name
from mission_control.codemods import CodemodError, apply_run, run_codemod

LIB = {
    "pytest.ini": "[pytest]\n",
    "lib/__init__.py": 'from .iterutils import Bucket, chunked\n\n__all__ = ["Bucket", "chunked"]\n',
    "lib/iterutils.py": (
        '"""Iteration helpers."""\n\n'
        '__all__ = ["Bucket", "chunked", "pairs"]\n\n'
        "SIZE = 2\n\n\n"
        "def chunked(items, size=SIZE):\n"
        "    return [items[i : i + size] for i in range(0, len(items), size)]\n\n\n"
        "def pairs(items):\n"
        "    return chunked(items, 2)\n\n\n"
        "class Bucket:\n"
        '    def split(self, items) -> "list[list[int]]":\n'
        "        return chunked(items, 1)\n\n"
        "    @classmethod\n"
        '    def make(cls) -> "Bucket":\n'
        "        return Bucket()\n"
    ),
    "lib/users.py": (
        "from typing import TYPE_CHECKING\n\n"
        "from . import iterutils\n"
        "from .iterutils import chunked\n"
        "from .iterutils import chunked as split_up\n\n"
        "if TYPE_CHECKING:\n"
        "    from .iterutils import Bucket\n\n"
        "try:\n"
        "    from lib.iterutils import Bucket as RealBucket\n"
        "except ImportError:\n"
        "    RealBucket = None\n\n\n"
        "def by_three(items):\n"
        "    return chunked(items, 3)\n\n\n"
        "def by_four(items):\n"
        "    return split_up(items, 4)\n\n\n"
        "def by_five(items):\n"
        "    return iterutils.chunked(items, 5)\n\n\n"
        'def bucket() -> "Bucket":\n'
        "    return RealBucket()\n"
    ),
    "lib/deep/__init__.py": "",
    "lib/deep/aliased.py": (
        "import lib.iterutils as it\n"
        "try:\n"
        "    from ..iterutils import chunked\n"
        "except ImportError:  # an old version without it\n"
        "    def chunked(items, size):\n"
        "        return [items]\n\n\n"
        "def halves(items):\n"
        "    return it.chunked(items, len(items) // 2)\n\n\n"
        "def tens(items):\n"
        "    return chunked(items, 10)\n"
    ),
    "tests/test_lib.py": (
        "from lib import Bucket, chunked as public_chunked\n"
        "from lib.deep.aliased import halves, tens\n"
        "from lib.iterutils import chunked, pairs\n"
        "from lib.users import bucket, by_five, by_four, by_three\n\n\n"
        "def test_chunked():\n"
        "    assert chunked([1, 2, 3]) == [[1, 2], [3]]\n"
        "    assert public_chunked([1, 2, 3], 3) == [[1, 2, 3]]\n"
        "    assert pairs([1, 2, 3, 4]) == [[1, 2], [3, 4]]\n\n\n"
        "def test_users():\n"
        "    items = list(range(10))\n"
        "    assert len(by_three(items)) == 4 and len(by_four(items)) == 3 and len(by_five(items)) == 2\n"
        "    assert halves([1, 2]) == [[1], [2]] and tens(items) == [items]\n"
        "    assert bucket().split([1, 2]) == [[1], [2]] and isinstance(Bucket.make(), Bucket)\n"
    ),
}


def make_project(root: Path, files: dict[str, str], prefix: str = "") -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for rel, text in files.items():
        target = root / (rel if rel.startswith(("tests/", "pytest.ini")) else prefix + rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    if prefix:  # a src/ layout: the tests find the package through pytest's pythonpath
        (root / "pytest.ini").write_text("[pytest]\npythonpath = src\n")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "code")
    return root


def project_tests_pass(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def rename(root: Path, old: str, new: str) -> dict[str, str]:
    run = run_codemod(root, "rename", {"old_name": old, "new_name": new}, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    result = apply_run(root, run)
    assert not result.problems
    return {r.path: r.new_text or "" for r in run.changed}


@pytest.mark.parametrize("prefix", ["", "src/"])
def test_renaming_a_function_renames_the_definition_and_every_reference(tmp_path: Path, prefix: str) -> None:
    root = make_project(tmp_path / "p", LIB, prefix)
    project_tests_pass(root)  # the fixture is sound before the rename
    assert module_name(f"{prefix}lib/iterutils.py") == "lib.iterutils"

    new = rename(root, "lib.iterutils.chunked", "lib.iterutils.chunked_list")

    defining = new[f"{prefix}lib/iterutils.py"]
    assert "def chunked_list(items, size=SIZE):" in defining
    assert defining.count("return chunked_list(items, ") == 2  # both uses in the module itself
    assert '__all__ = ["Bucket", "chunked_list", "pairs"]' in defining
    users = new[f"{prefix}lib/users.py"]
    assert "from .iterutils import chunked_list\n" in users  # relative stays relative
    assert "from .iterutils import chunked_list as split_up\n" in users  # the alias is kept
    assert "return chunked_list(items, 3)" in users and "return split_up(items, 4)" in users
    assert "return iterutils.chunked_list(items, 5)" in users
    aliased = new[f"{prefix}lib/deep/aliased.py"]
    assert "    from ..iterutils import chunked_list\nexcept ImportError:" in aliased
    assert "    def chunked_list(items, size):" in aliased  # the fallback follows the import
    assert "it.chunked_list(items" in aliased and "return chunked_list(items, 10)" in aliased
    # the package's re-export follows (its users import the new name from the package)
    assert (
        new[f"{prefix}lib/__init__.py"]
        == 'from .iterutils import Bucket, chunked_list\n\n__all__ = ["Bucket", "chunked_list"]\n'
    )
    assert new["tests/test_lib.py"].startswith(
        "from lib import Bucket, chunked_list as public_chunked\nfrom lib.deep.aliased import halves, tens\n"
        "from lib.iterutils import chunked_list, pairs\n"
    )
    project_tests_pass(root)


@pytest.mark.parametrize("prefix", ["", "src/"])
def test_renaming_a_class_renames_it_in_annotations_type_checking_and_try_imports(tmp_path: Path, prefix: str) -> None:
    root = make_project(tmp_path / "p", LIB, prefix)

    new = rename(root, "lib.iterutils.Bucket", "lib.iterutils.Basket")

    defining = new[f"{prefix}lib/iterutils.py"]
    assert "class Basket:" in defining and 'def make(cls) -> "Basket":' in defining
    assert "return Basket()" in defining
    users = new[f"{prefix}lib/users.py"]
    assert "if TYPE_CHECKING:\n    from .iterutils import Basket\n" in users
    assert 'def bucket() -> "Basket":' in users
    assert "    from lib.iterutils import Basket as RealBucket\n" in users
    assert f"{prefix}lib/deep/aliased.py" not in new  # never mentions it
    project_tests_pass(root)


def test_a_module_level_assignment_is_renamed_with_its_uses(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", LIB)
    new = rename(root, "lib.iterutils.SIZE", "lib.iterutils.DEFAULT_SIZE")
    assert "DEFAULT_SIZE = 2\n" in new["lib/iterutils.py"]
    assert "def chunked(items, size=DEFAULT_SIZE):" in new["lib/iterutils.py"]
    project_tests_pass(root)


def test_files_that_cannot_mention_the_name_are_never_parsed(tmp_path: Path) -> None:
    files = dict(LIB, **{f"lib/other{i}.py": f"def f{i}():\n    return {i}\n" for i in range(5)})
    root = make_project(tmp_path / "p", files)
    run = run_codemod(root, "rename", {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.cut"})
    assert run.prefiltered >= 5 + 1  # the five others and lib/deep/__init__.py
    assert {r.path for r in run.files} == {
        "lib/__init__.py",
        "lib/iterutils.py",
        "lib/users.py",
        "lib/deep/aliased.py",
        "tests/test_lib.py",
    }


def test_a_typo_in_old_name_is_refused_with_the_closest_names(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", LIB)
    with pytest.raises(CodemodError, match=r"lib\.iterutils\.chunkd does not exist.*closest: lib\.iterutils\.chunked"):
        run_codemod(root, "rename", {"old_name": "lib.iterutils.chunkd", "new_name": "lib.iterutils.cut"})
    with pytest.raises(CodemodError, match=r"no module lib\.iterutil in the repository.*lib\.iterutils"):
        run_codemod(root, "rename", {"old_name": "lib.iterutil.chunked", "new_name": "lib.iterutil.cut"})


def test_a_typo_exits_with_a_usage_error_on_the_command_line(tmp_path: Path, capsys) -> None:
    from mission_control.cli import run as cli_run

    root = make_project(tmp_path / "p", LIB)
    args = ["codemod", "run", "rename", "--arg", "old_name=lib.iterutils.chunkd", "--arg"]
    assert cli_run([*args, "new_name=lib.iterutils.cut", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "lib.iterutils.chunked" in err and "0 changed" not in err


def test_a_new_name_that_already_exists_is_refused_saying_where(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", LIB)
    with pytest.raises(CodemodError, match=r"lib\.iterutils\.pairs already exists \(lib/iterutils\.py:12\)"):
        run_codemod(root, "rename", {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.pairs"})


def test_a_new_name_bound_in_a_module_the_rename_touches_is_refused(tmp_path: Path) -> None:
    files = dict(LIB, **{"lib/clash.py": "from lib.iterutils import chunked\n\ncut = 3\nprint(chunked, cut)\n"})
    root = make_project(tmp_path / "p", files)
    run = run_codemod(root, "rename", {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.cut"})
    assert [f.path for f in run.failed] == ["lib/clash.py"]
    assert "lib/clash.py:3: cut is already bound here" in run.failed[0].reason
    assert any("lib/clash.py: still imports lib.iterutils.chunked" in p for p in run.problems)
    result = apply_run(root, run)
    assert result.written == () and result.snapshot_id is None
    assert any("nothing written" in p for p in result.problems)
    assert git(root, "status", "--porcelain") == ""


def test_a_rename_that_does_not_compile_is_refused_unless_forced(tmp_path: Path, capsys) -> None:
    from mission_control.cli import run as cli_run

    root = make_project(tmp_path / "p", LIB)
    run = run_codemod(root, "rename", {"old_name": "lib.iterutils.pairs", "new_name": "lib.iterutils.lambda"})
    assert any("lib/iterutils.py:" in p and "does not compile after the rename" in p for p in run.problems)
    assert apply_run(root, run).written == ()
    args = ["codemod", "run", "rename", "--arg", "old_name=lib.iterutils.pairs", "--arg"]
    assert cli_run([*args, "new_name=lib.iterutils.lambda", "--repo", str(root)]) == 1
    err = capsys.readouterr().err
    assert "does not compile" in err and "nothing written" in err
    assert git(root, "status", "--porcelain") == ""
    assert cli_run([*args, "new_name=lib.iterutils.lambda", "--repo", str(root), "--force"]) == 1
    assert "def lambda" in (root / "lib/iterutils.py").read_text()


def test_demo_rename_of_new_uuid_hex_keeps_the_demo_importable_and_its_tests_passing(tmp_path: Path) -> None:
    from mission_control.services.demo import create_demo

    demo = create_demo(tmp_path / "demo")
    run = run_codemod(
        demo, "rename", {"old_name": "app.utils.identifiers.new_uuid_hex", "new_name": "app.utils.identifiers.uuid_hex"}
    )
    assert not run.failed and not run.problems
    assert {r.path for r in run.changed} == {
        "app/utils/identifiers.py",
        "app/managers/session_manager.py",
        "tests/ids/test_ids.py",
    }
    assert not apply_run(demo, run).problems
    assert "def uuid_hex() -> str:" in (demo / "app/utils/identifiers.py").read_text()
    done = subprocess.run(
        [sys.executable, "-c", "import app.managers.session_manager"], cwd=demo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    project_tests_pass(demo)


def test_a_module_using_the_name_through_import_star_makes_the_rename_refused(tmp_path: Path) -> None:
    files = dict(LIB, **{"lib/star.py": "from lib.iterutils import *\n\nprint(chunked([1]))\n"})
    root = make_project(tmp_path / "p", files)
    run = run_codemod(root, "rename", {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.cut"})
    assert [f.path for f in run.skipped] == ["lib/star.py"]
    assert any("lib/star.py was skipped" in p and "import *" in p for p in run.problems)
    assert apply_run(root, run).written == ()


def test_a_move_onto_a_name_another_module_defines_is_refused_saying_where(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", LIB)
    with pytest.raises(CodemodError, match=r"lib\.users\.by_three already exists \(lib/users\.py:16\).*consolidate"):
        run_codemod(root, "rename", {"old_name": "lib.iterutils.chunked", "new_name": "lib.users.by_three"})
    with pytest.raises(CodemodError, match=r"module lib\.users already exists \(lib/users\.py\)"):
        run_codemod(root, "rename", {"old_name": "lib.iterutils", "new_name": "lib.users"})
    assert git(root, "status", "--porcelain") == ""


def test_a_move_that_leaves_imports_of_a_name_the_target_does_not_define_is_refused(tmp_path: Path) -> None:
    # moving a symbol rewrites its importers; the definition stays where it is, so every rewritten
    # import would fail: the review's broken-import check names them and Apply is refused
    root = make_project(tmp_path / "p", LIB)
    run = run_codemod(root, "rename", {"old_name": "lib.iterutils.chunked", "new_name": "lib.tools.chunked"})
    assert run.problems[0].startswith(
        "lib.iterutils.chunked is defined in lib/iterutils.py:8; a move rewrites its importers but leaves the "
        "definition there: move it to lib.tools as chunked first"
    )
    assert any(
        re.match(
            r"tests/test_lib\.py:\d+: from lib\.tools import chunked would not resolve after the rename "
            r"\(no module lib\.tools in the repository\)",
            p,
        )
        for p in run.problems
    ), run.problems
    assert apply_run(root, run).written == ()
    assert git(root, "status", "--porcelain") == ""


def test_keep_alias_leaves_the_old_name_in_the_package_for_callers_outside(tmp_path: Path) -> None:
    files = dict(LIB)
    files["lib/__init__.py"] = (
        'from .iterutils import Bucket as Bucket, chunked as chunked\n\n__all__ = ["Bucket", "chunked"]\n'
    )
    root = make_project(tmp_path / "p", files)
    args = {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.cut", "keep_alias": "true"}
    run = run_codemod(root, "rename", args, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    init = {r.path: r.new_text for r in run.changed}["lib/__init__.py"]
    assert init == (
        "from .iterutils import Bucket as Bucket, cut as cut\n"
        "chunked = cut  # the old name, for callers outside this repository\n\n"
        '__all__ = ["Bucket", "chunked", "cut"]\n'
    )
    assert not apply_run(root, run).problems
    project_tests_pass(root)
    outside = (
        "from lib import *\nfrom lib import chunked, cut\nassert chunked is cut and cut([1, 2, 3]) == [[1, 2], [3]]\n"
    )
    done = subprocess.run([sys.executable, "-c", outside], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    without = run_codemod(root, "rename", {"old_name": "lib.iterutils.cut", "new_name": "lib.iterutils.piece"})
    assert "piece = " not in {r.path: r.new_text for r in without.changed}["lib/__init__.py"]


MENTIONS = {
    "tests/test_patching.py": (
        "from unittest import mock\n\n"
        "import lib.iterutils\n"
        "import lib.users\n\n\n"
        "def test_patched_where_it_is_used():\n"
        '    with mock.patch("lib.users.chunked", return_value=["patched"]):\n'
        '        assert lib.users.by_three([1]) == ["patched"]\n\n\n'
        "def test_patched_at_the_source():\n"
        '    with mock.patch("lib.iterutils.chunked", return_value=["p"]) as fake:\n'
        '        assert lib.iterutils.chunked([1]) == ["p"] and fake.called\n\n\n'
        "def test_not_a_mention():\n"
        '    assert "lib.iterutils.chunked_up" != "lib.iterutils.chunkedness"\n'
    ),
    "pyproject.toml": '[project]\nname = "lib"\n\n[project.entry-points."lib.plugins"]\nchunk = "lib.iterutils:chunked"\n',
}


def test_strings_that_name_it_are_listed_as_also_mentions_and_rewritten_on_request(tmp_path: Path, capsys) -> None:
    from mission_control.cli import run as cli_run

    root = make_project(tmp_path / "p", dict(LIB, **MENTIONS))
    project_tests_pass(root)
    args = {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.chunked_list"}
    listed = run_codemod(root, "rename", args, use_cache=False)
    assert [(m.path, m.line, m.rewritten) for m in listed.mentions] == [
        ("pyproject.toml", 5, False),
        ("tests/test_patching.py", 8, False),
        ("tests/test_patching.py", 13, False),
    ]
    assert listed.mentions[0].text == 'chunk = "lib.iterutils:chunked"'
    assert "pyproject.toml" not in {r.path for r in listed.changed}
    assert '"lib.users.chunked"' in {r.path: r.new_text for r in listed.changed}.get("tests/test_patching.py", "")

    cli = ["codemod", "run", "rename", "--repo", str(root), "--dry-run", "--no-cache"]
    assert cli_run([*cli, "--arg", f"old_name={args['old_name']}", "--arg", f"new_name={args['new_name']}"]) == 0
    err = capsys.readouterr().err
    assert 'also mentions pyproject.toml:5: chunk = "lib.iterutils:chunked"' in err
    assert "--arg rewrite_mentions=true" in err

    rewritten = run_codemod(root, "rename", dict(args, rewrite_mentions="true"), use_cache=False)
    assert [m.rewritten for m in rewritten.mentions] == [True, True, True] and not rewritten.problems
    new = {r.path: r.new_text or "" for r in rewritten.changed}
    assert new["pyproject.toml"].endswith('chunk = "lib.iterutils:chunked_list"\n')
    assert 'mock.patch("lib.users.chunked_list"' in new["tests/test_patching.py"]
    assert 'mock.patch("lib.iterutils.chunked_list"' in new["tests/test_patching.py"]
    assert '"lib.iterutils.chunked_up" != "lib.iterutils.chunkedness"' in new["tests/test_patching.py"]
    assert not apply_run(root, rewritten).problems
    project_tests_pass(root)


@pytest.mark.parametrize("prefix", ["", "src/"])
def test_moving_a_module_moves_its_file_and_every_import_follows(tmp_path: Path, prefix: str) -> None:
    root = make_project(tmp_path / "p", LIB, prefix)
    run = run_codemod(root, "rename", {"old_name": "lib.iterutils", "new_name": "lib.itertools2"}, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    moved = {r.path: r for r in run.changed}
    assert moved[f"{prefix}lib/iterutils.py"].deleted
    assert moved[f"{prefix}lib/itertools2.py"].created
    assert moved[f"{prefix}lib/itertools2.py"].new_text == (root / prefix / "lib/iterutils.py").read_text()
    users = moved[f"{prefix}lib/users.py"].new_text or ""
    assert "from . import itertools2 as iterutils\nfrom .itertools2 import chunked\n" in users  # relative stays
    assert "import lib.itertools2 as it\n" in (moved[f"{prefix}lib/deep/aliased.py"].new_text or "")
    assert not apply_run(root, run).problems
    assert not (root / prefix / "lib/iterutils.py").exists()
    project_tests_pass(root)


def test_moving_a_module_into_a_subpackage_rebases_its_relative_imports_and_can_be_undone(tmp_path: Path) -> None:
    from mission_control.codemods import undo_codemod

    helpers = "from .iterutils import SIZE\n\n\ndef double():\n    return SIZE * 2\n"
    test = (
        "import importlib\n\nimport lib.helpers\nfrom lib import helpers\n\n\n"
        "def test_double():\n"
        "    assert helpers.double() == 4 and lib.helpers.double() == 4\n"
        '    assert importlib.import_module("lib.helpers").double() == 4\n'
    )
    root = make_project(tmp_path / "p", dict(LIB, **{"lib/helpers.py": helpers, "tests/test_helpers.py": test}))
    project_tests_pass(root)
    args = {"old_name": "lib.helpers", "new_name": "lib.deep.doubling", "rewrite_mentions": "true"}
    run = run_codemod(root, "rename", args, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    new = {r.path: r.new_text for r in run.changed}
    assert new["lib/helpers.py"] is None
    assert new["lib/deep/doubling.py"] == helpers.replace("from .iterutils", "from ..iterutils")
    assert new["tests/test_helpers.py"] == (
        "import importlib\n\nimport lib.deep.doubling\nfrom lib.deep import doubling as helpers\n\n\n"
        "def test_double():\n"
        "    assert helpers.double() == 4 and lib.deep.doubling.double() == 4\n"
        '    assert importlib.import_module("lib.deep.doubling").double() == 4\n'
    )
    assert [(m.path, m.line) for m in run.mentions] == [("tests/test_helpers.py", 9)]
    result = apply_run(root, run)
    assert not result.problems and sorted(result.deleted) == ["lib/helpers.py"]
    project_tests_pass(root)
    undo_codemod(root, result.snapshot_id)
    assert (root / "lib/helpers.py").read_text() == helpers and not (root / "lib/deep/doubling.py").exists()
    assert git(root, "status", "--porcelain") == ""


def test_a_module_move_onto_a_missing_package_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", LIB)
    with pytest.raises(CodemodError, match=r"package lib\.nowhere does not exist.*create it first"):
        run_codemod(root, "rename", {"old_name": "lib.iterutils", "new_name": "lib.nowhere.iterutils"})


TOOLS = dict(
    LIB,
    **{
        "lib/tools/__init__.py": 'from .. import iterutils\nfrom .core import double\n\n__all__ = ["double", "iterutils"]\n',
        "lib/tools/core.py": (
            "from ..iterutils import chunked\nfrom .sub.leaf import LEAF\n\n\n"
            "def double(x):\n    return x * 2\n\n\n"
            "def pieces(items):\n    return chunked(items, LEAF)\n"
        ),
        "lib/tools/sub/__init__.py": "",
        "lib/tools/sub/leaf.py": (
            "from pathlib import Path\n\nfrom ...iterutils import SIZE\n\n"
            'LEAF = SIZE + 1\nDATA = (Path(__file__).parent / "data.txt").read_text()\n'
        ),
        "lib/tools/sub/data.txt": "payload\n",
        "lib/consumer.py": (
            "import lib.tools.core\n"
            "import lib.tools.sub.leaf as leafmod\n\n"
            "from . import tools\n"
            "from .tools import core\n"
            "from .tools.sub.leaf import LEAF\n\n\n"
            "def total():\n"
            "    return tools.double(LEAF) + leafmod.LEAF + lib.tools.core.double(1) + core.double(0)\n"
        ),
        "tests/test_tools.py": (
            "from lib import tools\n"
            "from lib.consumer import total\n"
            "from lib.tools.core import pieces\n"
            "from lib.tools.sub import leaf\n\n\n"
            "def test_tools():\n"
            "    assert total() == 11 and tools.double(2) == 4 and tools.iterutils.SIZE == 2\n"
            '    assert pieces([1, 2, 3, 4]) == [[1, 2, 3], [4]] and leaf.DATA == "payload\\n"\n'
        ),
    },
)


def _tree(root: Path) -> dict[str, bytes]:
    """Every file of the fixture project (git's and caches left out), by path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {".git", "__pycache__", ".mission-control"} & set(p.relative_to(root).parts)
    }


@pytest.mark.parametrize("prefix", ["", "src/"])
def test_moving_a_package_moves_every_file_and_every_import_follows_and_undo_restores(
    tmp_path: Path, prefix: str
) -> None:
    from mission_control.codemods import undo_codemod

    root = make_project(tmp_path / "p", TOOLS, prefix)
    project_tests_pass(root)
    before = _tree(root)
    run = run_codemod(root, "rename", {"old_name": "lib.tools", "new_name": "lib.toolbox"}, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    by_path = {r.path: r for r in run.changed}
    for rel in ("__init__.py", "core.py", "sub/__init__.py", "sub/leaf.py", "sub/data.txt"):
        old, new = by_path[f"{prefix}lib/tools/{rel}"], by_path[f"{prefix}lib/toolbox/{rel}"]
        assert old.deleted and new.created
        assert new.new_text == TOOLS[f"lib/tools/{rel}"]  # relative imports inside and out still reach the same
    assert by_path[f"{prefix}lib/consumer.py"].new_text == (
        "import lib.toolbox.core\n"
        "import lib.toolbox.sub.leaf as leafmod\n\n"
        "from . import toolbox as tools\n"
        "from .toolbox import core\n"
        "from .toolbox.sub.leaf import LEAF\n\n\n"
        "def total():\n"
        "    return tools.double(LEAF) + leafmod.LEAF + lib.toolbox.core.double(1) + core.double(0)\n"
    )
    assert by_path["tests/test_tools.py"].new_text == TOOLS["tests/test_tools.py"].replace(
        "from lib import tools\n", "from lib import toolbox as tools\n"
    ).replace("lib.tools.", "lib.toolbox.")
    result = apply_run(root, run)
    assert not result.problems
    assert not (root / prefix / "lib/tools").exists() or not any((root / prefix / "lib/tools").rglob("*.py"))
    project_tests_pass(root)
    undo_codemod(root, result.snapshot_id)
    assert _tree(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_moving_a_package_into_another_package_rebases_the_imports_that_reach_outside(tmp_path: Path) -> None:
    from mission_control.codemods import undo_codemod

    root = make_project(tmp_path / "p", TOOLS)
    before = _tree(root)
    run = run_codemod(root, "rename", {"old_name": "lib.tools", "new_name": "lib.deep.tools"}, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    new = {r.path: r.new_text for r in run.changed}
    assert new["lib/deep/tools/__init__.py"] == TOOLS["lib/tools/__init__.py"].replace(
        "from .. import", "from ... import"
    )
    assert new["lib/deep/tools/core.py"] == TOOLS["lib/tools/core.py"].replace("..iterutils", "...iterutils")
    assert new["lib/deep/tools/sub/leaf.py"] == TOOLS["lib/tools/sub/leaf.py"].replace("...iterutils", "....iterutils")
    assert new["lib/deep/tools/sub/data.txt"] == "payload\n"
    consumer = new["lib/consumer.py"] or ""
    assert "from .deep import tools\nfrom .deep.tools import core\nfrom .deep.tools.sub.leaf import LEAF\n" in consumer
    assert "import lib.deep.tools.sub.leaf as leafmod\n" in consumer
    assert "from lib.deep import tools\n" in (new["tests/test_tools.py"] or "")
    result = apply_run(root, run)
    assert not result.problems
    project_tests_pass(root)
    undo_codemod(root, result.snapshot_id)
    assert _tree(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_a_package_move_onto_a_taken_name_a_missing_package_or_inside_itself_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", TOOLS)
    for new, message in [
        ("lib.deep", r"module lib\.deep already exists \(lib/deep/__init__\.py\)"),
        ("lib.iterutils", r"module lib\.iterutils already exists \(lib/iterutils\.py\)"),
        ("lib.nowhere.tools", r"package lib\.nowhere does not exist.*create it first"),
        ("lib.tools.sub.tools", r"cannot move package lib\.tools inside itself \(lib\.tools\.sub\.tools\)"),
        ("lib.tools", r"cannot move package lib\.tools inside itself"),
    ]:
        with pytest.raises(CodemodError, match=message):
            run_codemod(root, "rename", {"old_name": "lib.tools", "new_name": new})
    (root / "lib/toolbox").mkdir()
    (root / "lib/toolbox/notes.txt").write_text("not a package yet\n")
    with pytest.raises(CodemodError, match=r"lib/toolbox/ already holds files \(lib/toolbox/notes\.txt\)"):
        run_codemod(root, "rename", {"old_name": "lib.tools", "new_name": "lib.toolbox"})
    (root / "lib/toolbox/notes.txt").unlink()
    (root / "lib/tools/sub/blob.bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CodemodError, match=r"lib/tools/sub/blob\.bin: cannot be moved with its package"):
        run_codemod(root, "rename", {"old_name": "lib.tools", "new_name": "lib.toolbox"})


TRICKY = '''"""Docstring naming chunked."""
from __future__ import annotations

import lib.iterutils as it  # kept: imports decide what names mean

x = 1; y = 2


@decorator(
    "arg",
)
def unrelated(a, b):  # a comment
    return "é" * a


class Holder:
    """Holds."""

    value = it.chunked([1], 1)

    def other(self):
        return {"k": "v"}

    def uses(self):
        return it.chunked([1, 2], 1)


def tail():
    pass
'''


def test_parking_puts_every_byte_back_and_hides_only_what_cannot_mention_the_name() -> None:
    from mission_control.codemods.parking import Parked

    parked = Parked(TRICKY, {"chunked"}, {"it"})
    assert parked.restore(parked.reduced) == TRICKY
    reduced = parked.reduced
    assert reduced.startswith('"""Docstring naming chunked."""\nfrom __future__ import annotations\n\nimport lib.iter')
    assert "x = 1; y = 2" in reduced  # not alone on its line: never parked
    assert "def unrelated" not in reduced and "@decorator" not in reduced and "def tail" not in reduced
    assert "class Holder:" in reduced and "def uses(self):" in reduced and "def other" not in reduced
    assert "    __mission_control_parked_" in reduced  # a method inside the class, at its indentation
    assert (
        parked.original_line(reduced.splitlines().index("class Holder:") + 1)
        == TRICKY.splitlines().index("class Holder:") + 1
    )


def test_a_rename_with_parked_statements_gives_the_same_result_as_without(tmp_path: Path, monkeypatch) -> None:
    from mission_control.codemods import parking

    files = dict(LIB, **{"lib/tricky.py": TRICKY.replace("@decorator(", "@staticmethod\n@(lambda f: f)(")})
    root = make_project(tmp_path / "p", files)
    args = {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.cut"}
    parked = {r.path: r.new_text for r in run_codemod(root, "rename", args, use_cache=False).changed}
    monkeypatch.setattr(parking.Parked, "_park", lambda self, text, words: text)  # libcst sees everything
    whole = {r.path: r.new_text for r in run_codemod(root, "rename", args, use_cache=False).changed}
    assert parked == whole and "it.cut([1, 2], 1)" in parked["lib/tricky.py"]


def test_keep_alias_without_a_reexport_leaves_the_old_name_after_the_definition(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", LIB)
    args = {"old_name": "lib.iterutils.pairs", "new_name": "lib.iterutils.pair_up", "keep_alias": "true"}
    run = run_codemod(root, "rename", args, use_cache=False)
    assert not run.failed and not run.problems, (run.failed, run.problems)
    defining = {r.path: r.new_text for r in run.changed}["lib/iterutils.py"] or ""
    assert "def pair_up(items):\n    return chunked(items, 2)\n\n\npairs = pair_up  # the old name" in defining
    assert '__all__ = ["Bucket", "chunked", "pairs", "pair_up"]' in defining
    assert not apply_run(root, run).problems
    project_tests_pass(root)
    with pytest.raises(CodemodError, match="keep_alias=true works for a rename in place"):
        run_codemod(root, "rename", {"old_name": "lib.iterutils", "new_name": "lib.tools", "keep_alias": "true"})


def test_doctests_of_the_renamed_name_are_mentions_prose_is_not(tmp_path: Path) -> None:
    # boltons typeutils.make_sentinel: its docstring shows '>>> make_sentinel(...)'
    files = dict(LIB)
    files["lib/iterutils.py"] = LIB["lib/iterutils.py"].replace(
        '"""Iteration helpers."""',
        '"""Iteration helpers: chunked is the one you want.\n\n>>> chunked([1, 2, 3])\n[[1, 2], [3]]\n"""',
    )
    root = make_project(tmp_path / "p", files)
    args = {"old_name": "lib.iterutils.chunked", "new_name": "lib.iterutils.chunked_list"}
    listed = run_codemod(root, "rename", args, use_cache=False)
    assert [(m.path, m.line, m.text) for m in listed.mentions] == [("lib/iterutils.py", 3, ">>> chunked([1, 2, 3])")]
    rewritten = run_codemod(root, "rename", dict(args, rewrite_mentions="true"), use_cache=False)
    new = {r.path: r.new_text or "" for r in rewritten.changed}["lib/iterutils.py"]
    assert new.startswith('"""Iteration helpers: chunked is the one you want.\n\n>>> chunked_list([1, 2, 3])\n')


def test_a_package_file_that_would_not_move_makes_the_move_unsafe_to_apply(tmp_path: Path) -> None:
    marker = "@" + "generated"
    root = make_project(tmp_path / "p", dict(TOOLS, **{"lib/tools/gen.py": f"# {marker}\nX = 1\n"}))
    run = run_codemod(root, "rename", {"old_name": "lib.tools", "new_name": "lib.toolbox"}, use_cache=False)
    assert [p for p in run.problems if "would not move" in p] == [
        "lib/tools/gen.py would not move with lib.tools (generated code (@" + "generated marker)); fix it first"
    ]
    assert apply_run(root, run).problems and (root / "lib/tools/core.py").exists()
