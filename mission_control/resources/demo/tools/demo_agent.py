"""The demo mission's scripted "agent": one team's refactoring task, done as a few real commits.

    python3 tools/demo_agent.py TEAM TASK

Mission Control runs it for you in the team's worktree (``mission-control teams run alpha``; the
command is set per team in ``mission-control.toml``). It needs nothing but Python and git: no
network, no model. Each task's script lives in ``tools/demo_agents/<team>.py``; every step edits the
code, the tests keep passing, and it is committed with a ``Task: <id>`` trailer so Mission Control
maps the commit to the plan's task. Running it again for a task already done changes nothing.

Scripted tasks (the first task of each team):

    alpha1   Factory Consolidation: the object pool moves into AgentInstanceFactory and the
             "optimized" factory module is deleted.
    bravo1   DataSubAgent Consolidation: the legacy modes move into the one DataSubAgent and the
             two legacy modules are deleted.
    charlie1 Tool Dispatcher Merge: one dispatch core in ToolDispatcher, the four other
             dispatchers become configurations of it; a ``tool_history_limit`` setting.
    delta1   WebSocket Manager Unification: ConnectionScopedWebSocketManager becomes a
             WebSocketManager bound to one connection; a per-user connection limit setting.
             (The plan blocks delta1 on alpha2: run it with ``--force``.)
    echo1    Test Harness Setup: the shared fixtures reset every singleton before and after
             each test, the optimized factory's included; strict xfail.

Two collisions are there on purpose (what a conflict forecast should find):

    charlie1 x delta1, textual: both add a setting at the end of ``Settings`` in
        ``app/core/config.py``. Each branch is green on its own; merging the two branches stops
        with a conflict in that file.
    alpha1 x echo1, semantic: alpha1 deletes ``app/agents/agent_instance_factory_optimized.py``;
        echo1's new ``tests/conftest.py`` imports ``reset_optimized_agent_factory`` from it. The
        two branches merge without a textual conflict, and the merged tree's test suite cannot
        even be collected (``ModuleNotFoundError``).

Exit codes: 0 done (or already done), 1 the worktree is dirty or the code is not what the script
expects, 2 bad usage or a task without a script.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep the team's worktree free of stray files
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_agents import SCRIPTS  # noqa: E402
from demo_agents.base import Files, ScriptError  # noqa: E402


def git(root: Path, *args: str, env: dict | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ScriptError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def tasks_done(root: Path) -> set[str]:
    """Task ids named by ``Task:`` trailers in the history of HEAD."""
    out = git(root, "log", "--format=%(trailers:key=Task,valueonly,separator=%x2C)", "HEAD")
    return {value.strip() for line in out.splitlines() for value in line.split(",") if value.strip()}


def commit(root: Path, team: str, task: str, subject: str, body: str) -> str:
    identity = {
        "GIT_AUTHOR_NAME": f"Demo agent {team}",
        "GIT_AUTHOR_EMAIL": f"{team}@demo-agents.invalid",
        "GIT_COMMITTER_NAME": f"Demo agent {team}",
        "GIT_COMMITTER_EMAIL": f"{team}@demo-agents.invalid",
    }
    env = dict(os.environ, **identity)
    git(root, "add", "-A")
    settings = ["-c", "commit.gpgSign=false", "-c", f"core.hooksPath={os.devnull}"]
    git(root, *settings, "commit", "-q", "-m", subject, "-m", body, "-m", f"Task: {task}", env=env)
    return git(root, "rev-parse", "--short", "HEAD").strip()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1]:
        print("usage: python3 tools/demo_agent.py TEAM TASK", file=sys.stderr)
        return 2
    team, task = argv
    steps = SCRIPTS.get(team, {}).get(task)
    if steps is None:
        known = ", ".join(sorted(t for tasks in SCRIPTS.values() for t in tasks))
        print(f"demo agent {team}: there is no script for task {task} (scripted tasks: {known})", file=sys.stderr)
        return 2
    try:
        root = Path(git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
        if task in tasks_done(root):
            print(f"demo agent {team}: {task} is already done on this branch; nothing to do")
            return 0
        dirty = git(root, "status", "--porcelain")
        if dirty:
            print(f"demo agent {team}: the worktree has uncommitted changes; commit or stash them first:", file=sys.stderr)
            print(dirty.rstrip(), file=sys.stderr)
            return 1
        files = Files(root)
        for number, step in enumerate(steps, 1):
            print(f"demo agent {team}: {task} step {number}/{len(steps)}: {step.subject}", flush=True)
            step.edit(files)
            sha = commit(root, team, task, step.subject, step.body)
            print(f"  committed {sha}", flush=True)
    except ScriptError as exc:
        print(f"demo agent {team}: {task}: {exc}", file=sys.stderr)
        return 1
    print(f"demo agent {team}: {task} done in {len(steps)} commit(s); run the tests: mission-control test --team {team}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
