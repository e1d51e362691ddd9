"""Benchmark: the teams' conflict forecast on Django, cold and unchanged, against a checkout and merge per pair.

Usage: ``nice .venv/bin/python benchmarks/bench_forecast.py [--repeat 3] [--files 50] [--seed 7] [--profile]``

Aim (the issue): on a Django-sized repository with five team branches of ~50 changed files each, the
full forecast (15 merges plus the semantic check) under 2 s cold, under 50 ms with nothing moved, and
at least 10x faster than the naive way.

Setup (not timed): the Django 5.2 sdist (fetched once into ``benchmarks/.data/``, git-ignored, as in
``bench_codemod_rename.py``) is extracted into a temporary folder and committed as one commit with a
plan of five sections (Team Alpha … Team Echo), the mission is started and the teams launched through
``mission_control.services.teams``. Then, deterministically (seeded ``random``), each team edits
``--files`` Django modules in 2–3 commits (lines changed, comment lines inserted), and the integration
branch gets one commit of its own:

- alpha/bravo and charlie/delta edit the same lines of shared files (textual conflicts);
- echo and the integration branch edit the same lines of two files (a conflict with integration);
- bravo/charlie, delta/echo and alpha/integration edit the same files at different lines (overlap);
- alpha deletes a top-level function no other Django module uses, and echo's change imports it
  (a semantic conflict: the merge is clean, the import breaks);
- every other pair is clean. The repository is then repacked, as a real clone would be.

Timed, ``--repeat`` times, interleaved: (a) the forecast cold — the in-memory cache cleared and
``MISSION_CONTROL_HOME`` pointed at a fresh folder so the disk cache is empty; (b) again with nothing
moved (the same process: memory cache); (c) a fresh process with nothing moved (memory cleared, disk
cache kept — what a second ``mission-control teams conflicts`` costs); (d) the naive way: ``git
worktree add --detach`` once, then for each of the same 15 pairs ``git checkout -f <a>``, ``git merge
--no-commit --no-ff <b>``, read the conflicted files, ``git reset --hard``. The naive way does no
semantic check; the forecast does. Both ways must agree on which pairs conflict and on which files;
a disagreement is printed loudly and the exit code is 1. Times are never asserted: each figure is
printed with the 1-minute load average beside it, and a loaded machine is called out.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_codemod_rename import django_sdist, extract

from mission_control.audit.files import module_name
from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows
from mission_control.teams import forecast as fc
from mission_control.teams.tracking import MissionTeams

SECTIONS = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")
TEAMS = tuple(s.lower() for s in SECTIONS)
INTEGRATION = fc.INTEGRATION
AIM_COLD, AIM_WARM, AIM_RATIO = 2.0, 0.050, 10.0
# (kind, side a, side b, number of files): who edits the same lines (conflict) or the same files
# at different lines (overlap).
GROUPS = (
    ("conflict", "alpha", "bravo", 3),
    ("conflict", "charlie", "delta", 2),
    ("conflict", "echo", INTEGRATION, 2),
    ("overlap", "bravo", "charlie", 4),
    ("overlap", "delta", "echo", 3),
    ("overlap", "alpha", INTEGRATION, 2),
)
INTEGRATION_OWN = 6
MIN_LINES = 80

Op = tuple[str, int, str]  # ("set" | "insert" | "append", line index, text) or ("delete", start, str(end))


def git(cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    if done.returncode not in ok:
        raise SystemExit(f"git {' '.join(args)} failed in {cwd}: {done.stderr.decode(errors='replace')}")
    return done


def load() -> float:
    return os.getloadavg()[0]


def plan_text() -> str:
    lines = ["# Django refactoring", "", "```mermaid", "gantt", "  dateFormat HH:mm"]
    for index, section in enumerate(SECTIONS):
        lines += [f"  section Team {section}", f"  {section} work :{section.lower()}1, {index:02d}:00, 2h"]
    return "\n".join([*lines, "```", ""])


# --- the teams' changes ---------------------------------------------------------------------------


def editable(lines: list[str], lo: float, hi: float) -> list[int]:
    """Indices of lines in the [lo, hi) fraction of the file that can take a comment safely."""
    start, end = int(lo * len(lines)), int(hi * len(lines))
    return [i for i in range(start, end) if lines[i].strip() and not lines[i].rstrip().endswith("\\")]


def random_ops(rng: random.Random, lines: list[str], who: str, lo: float, hi: float, count: int) -> list[Op]:
    """``count`` edits in the [lo, hi) part of the file: a changed line or an inserted comment line."""
    chosen = sorted(rng.sample(editable(lines, lo, hi), count))
    ops: list[Op] = []
    for n, index in enumerate(chosen):
        line = lines[index]
        if rng.random() < 0.7:
            ops.append(("set", index, f"{line}  # {who}: reviewed {n}"))
        else:
            indent = line[: len(line) - len(line.lstrip())]
            ops.append(("insert", index, f"{indent}# {who}: note {n}"))
    return ops


def apply(text: str, ops: list[Op]) -> str:
    lines = text.split("\n")
    for kind, index, value in sorted(ops, key=lambda op: op[1], reverse=True):
        if kind == "set":
            lines[index] = value
        elif kind == "insert":
            lines.insert(index + 1, value)
        elif kind == "delete":
            del lines[index : int(value)]
        elif kind == "append":
            lines.insert(len(lines) - 1 if lines[-1] == "" else len(lines), value)
    return "\n".join(lines)


def removable_function(path: str, text: str, others: dict[str, str]) -> tuple[str, int, int] | None:
    """(name, first line index, end index) of a public top-level function no other module mentions."""
    tree = ast.parse(text)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.decorator_list or node.name.startswith("_"):
            continue
        if len(node.name) < 8 or node.end_lineno is None:
            continue
        if not any(node.name in other for rel, other in others.items() if rel != path):
            return node.name, node.lineno - 1, node.end_lineno
    return None


def design(root: Path, files_per_team: int, seed: int) -> tuple[dict[str, dict[str, list[Op]]], str]:
    """Side -> path -> edits, and a description of the semantic conflict planted."""
    rng = random.Random(seed)
    texts = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted((root / "django").rglob("*.py"))
    }
    pool = [rel for rel, text in texts.items() if text.count("\n") >= MIN_LINES]
    rng.shuffle(pool)
    edits: dict[str, dict[str, list[Op]]] = {side: {} for side in (*TEAMS, INTEGRATION)}
    lines_of = {rel: texts[rel].split("\n") for rel in pool}

    for kind, a, b, count in GROUPS:
        for _ in range(count):
            rel = pool.pop()
            lines = lines_of[rel]
            if kind == "conflict":
                same = sorted(rng.sample(editable(lines, 0.3, 0.7), 2))
                edits[a][rel] = [("set", i, f"{lines[i]}  # {a}: changed") for i in same]
                edits[b][rel] = [("set", i, f"{lines[i]}  # {b}: changed differently") for i in same]
            else:
                edits[a][rel] = random_ops(rng, lines, a, 0.05, 0.35, rng.randint(1, 3))
                edits[b][rel] = random_ops(rng, lines, b, 0.65, 0.95, rng.randint(1, 3))

    # the semantic conflict: alpha removes a function nobody uses; echo starts importing it
    found = None
    while found is None:
        rel = pool.pop()
        if rel.endswith("__init__.py"):
            continue
        found = removable_function(rel, texts[rel], texts)
    name, start, end = found
    edits["alpha"][rel] = [("delete", start, str(end))]
    module = module_name(rel)
    user = pool.pop()
    edits["echo"][user] = [
        *random_ops(rng, lines_of[user], "echo", 0.0, 0.9, 2),
        ("append", len(lines_of[user]), f"from {module} import {name}  # echo: reuse"),
    ]
    semantic = f"alpha deletes {module}.{name} ({rel}); echo's {user} imports it"

    for side, wanted in (
        *((t, files_per_team) for t in TEAMS),
        (INTEGRATION, len(edits[INTEGRATION]) + INTEGRATION_OWN),
    ):
        while len(edits[side]) < wanted:
            rel = pool.pop()
            edits[side][rel] = random_ops(rng, lines_of[rel], side, 0.0, 1.0, rng.randint(1, 4))
    return edits, semantic


def commit_edits(rng: random.Random, folder: Path, root: Path, edits: dict[str, list[Op]], task: str) -> int:
    """Write ``edits`` into ``folder`` in 2–3 commits; the number of commits."""
    paths = sorted(edits)
    rng.shuffle(paths)
    commits = rng.choice((2, 3))
    for part in range(commits):
        for rel in paths[part::commits]:
            target = folder / rel
            target.write_text(apply((root / rel).read_text(encoding="utf-8"), edits[rel]), encoding="utf-8")
        git(folder, "add", "-A")
        git(folder, "commit", "-qm", f"{task}: part {part + 1} of {commits}")
    return commits


def build(tmp: Path, files_per_team: int, seed: int) -> tuple[Path, str, dict[str, int]]:
    """The launched Django mission with every team's commits; (repo, semantic plant, files per side)."""
    repo = extract(django_sdist(), tmp / "src").rename(tmp / "django")
    (repo / "plan.md").write_text(plan_text(), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "gc.auto", "0")  # no background repack in the middle of a measurement
    git(repo, "config", "maintenance.auto", "false")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Django 5.2 and the plan")
    start_mission(repo)
    context = flows.open_teams(repo)
    result = flows.launch(context)
    if result.refused:
        raise SystemExit(f"launch refused: {result.refused}")

    edits, semantic = design(repo, files_per_team, seed)
    rng = random.Random(seed + 1)
    specs = {s.name: s for s in context.specs}
    for team in TEAMS:
        commit_edits(rng, specs[team].worktree, repo, edits[team], f"{team}1")
    integration = fc.INTEGRATION
    folder = tmp / "integration-wt"
    branch = flows.overview(context).integration
    git(repo, "worktree", "add", "-q", str(folder), branch)
    commit_edits(rng, folder, repo, edits[integration], "integrated earlier")
    git(repo, "worktree", "remove", str(folder))
    git(repo, "repack", "-adq")
    return repo, semantic, {side: len(e) for side, e in edits.items()}


# --- the two ways -----------------------------------------------------------------------------------


Pair = tuple[str, str, str, str]  # a, a's head, b, b's head


def forecast_once(context: flows.TeamsContext, mission: MissionTeams) -> tuple[float, fc.Forecast]:
    started = time.perf_counter()
    result = fc.forecast(context.git, mission, context.project.plan)
    return time.perf_counter() - started, result


def naive(repo: Path, folder: Path, pairs: list[Pair]) -> tuple[float, float, dict[tuple[str, str], tuple[str, ...]]]:
    """(seconds for the worktree, seconds for the pairs, (a, b) -> conflicted files) by checkout and merge."""
    started = time.perf_counter()
    git(repo, "worktree", "add", "-q", "--detach", str(folder))
    added = time.perf_counter() - started
    conflicted: dict[tuple[str, str], tuple[str, ...]] = {}
    started = time.perf_counter()
    for a, a_head, b, b_head in pairs:
        git(folder, "checkout", "-q", "-f", a_head)
        git(folder, "merge", "-q", "--no-commit", "--no-ff", b_head, ok=(0, 1))
        out = git(folder, "diff", "--name-only", "--diff-filter=U", "-z").stdout
        files = tuple(sorted(p for p in os.fsdecode(out).split("\0") if p))
        for rel in files:  # what a script would do next: look at the conflict markers
            if (folder / rel).is_file():
                (folder / rel).read_bytes()
        git(folder, "reset", "-q", "--hard")
        conflicted[(a, b)] = files
    seconds = time.perf_counter() - started
    git(repo, "worktree", "remove", "--force", str(folder))
    return added, seconds, conflicted


# --- reporting ---------------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms" if seconds < 1 else f"{seconds:7.2f} s "


def line(label: str, samples: list[tuple[float, float]], aim: float | None = None) -> None:
    times = [s for s, _ in samples]
    spread = [ld for _, ld in samples]
    loads = (
        ", ".join(f"{ld:.2f}" for ld in spread)
        if len(spread) <= 4
        else f"{min(spread):.2f}–{max(spread):.2f} over {len(spread)} samples"
    )
    verdict = (
        ""
        if aim is None
        else ("  within aim" if statistics.median(times) <= aim else f"  OVER the aim {fmt(aim).strip()}")
    )
    print(f"  {label:<38} best {fmt(min(times))}  median {fmt(statistics.median(times))}  (load {loads}){verdict}")


def agree(result: fc.Forecast, naive_conflicts: dict[tuple[str, str], tuple[str, ...]]) -> list[str]:
    problems = []
    for pair in result.pairs:
        ours = pair.files if pair.status == fc.CONFLICT else ()
        theirs = naive_conflicts.get((pair.a, pair.b))
        if theirs is None:
            problems.append(f"{pair.a}/{pair.b}: not merged the naive way")
        elif set(ours) != set(theirs):
            problems.append(f"{pair.a}/{pair.b}: forecast {pair.status} {list(ours)}, naive merge {list(theirs)}")
    return problems


def profile(label: str, call: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    print(f"\nProfile of {label} (top 25 by cumulative time):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=int, default=50, help="files changed per team (default 50)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also profile one cold and one unchanged forecast")
    ns = parser.parse_args()
    busy = 0.75 * (os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="bench-forecast-") as name:
        tmp = Path(name)
        gitconfig = tmp / "gitconfig"
        gitconfig.write_text("")
        os.environ.update(
            {
                "GIT_CONFIG_GLOBAL": str(gitconfig),  # the user's own git config does not change the figures
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "Bench Lead",
                "GIT_AUTHOR_EMAIL": "lead@example.com",
                "GIT_COMMITTER_NAME": "Bench Lead",
                "GIT_COMMITTER_EMAIL": "lead@example.com",
                "MISSION_CONTROL_HOME": str(tmp / "home-setup"),
            }
        )
        started = time.perf_counter()
        repo, semantic, sizes = build(tmp, ns.files, ns.seed)
        setup = time.perf_counter() - started
        context = flows.open_teams(repo)
        mission = flows.overview(context)
        heads = {t.name: t.branch_head for t in mission.teams}
        heads[INTEGRATION] = mission.integration_head
        tracked = len(git(repo, "ls-files", "-z").stdout.split(b"\0")) - 1
        print(f"{repo.name}: {tracked} tracked files, one commit of history; setup {setup:.0f} s (not timed)")
        print("files changed: " + ", ".join(f"{side} {n}" for side, n in sizes.items()))
        print(f"semantic conflict planted: {semantic}")

        cold: list[tuple[float, float]] = []
        warm: list[tuple[float, float]] = []
        fresh: list[tuple[float, float]] = []
        overview: list[tuple[float, float]] = []
        naive_add: list[tuple[float, float]] = []
        naive_pairs: list[tuple[float, float]] = []
        naive_total: list[tuple[float, float]] = []
        results: list[fc.Forecast] = []
        naive_results = []
        for rep in range(ns.repeat):
            started = time.perf_counter()
            mission = flows.overview(context)
            overview.append((time.perf_counter() - started, load()))
            fc._MEMORY.clear()
            os.environ["MISSION_CONTROL_HOME"] = str(tmp / f"home-{rep}")  # an empty disk cache
            seconds, result = forecast_once(context, mission)
            cold.append((seconds, load()))
            results.append(result)
            for _ in range(5):
                seconds, result = forecast_once(context, mission)
                warm.append((seconds, load()))
                results.append(result)
            fc._MEMORY.clear()  # a new process: the disk cache only
            seconds, result = forecast_once(context, mission)
            fresh.append((seconds, load()))
            results.append(result)
            pairs = [(p.a, str(heads[p.a]), p.b, str(heads[p.b])) for p in result.pairs]
            added, seconds, conflicted = naive(repo, tmp / f"naive-{rep}", pairs)
            ld = load()
            naive_add.append((added, ld))
            naive_pairs.append((seconds, ld))
            naive_total.append((added + seconds, ld))
            naive_results.append(conflicted)

        first = results[0]
        print(f"\n{len(first.pairs)} pairs; forecast (files) | naive merge (conflicted files):")
        for pair in first.pairs:
            theirs = naive_results[0].get((pair.a, pair.b), ())
            print(
                f"  {pair.a:>8} / {pair.b:<12} {pair.status:<9} ({len(pair.files):>2})"
                f" | {'conflict' if theirs else 'merges':<9} ({len(theirs):>2})"
            )
        for pair in first.pairs:
            for s in pair.semantic:
                print(f"  semantic: {s.message}")
        problems = [p for conflicted in naive_results for p in agree(first, conflicted)]
        problems += [f"run {i}: a different forecast" for i, r in enumerate(results) if r.to_json() != first.to_json()]
        if problems:
            print("\n!!! MISMATCH between the forecast and the naive merges:")
            for problem in problems:
                print(f"!!!   {problem}")
        else:
            conflicts = sum(p.status == fc.CONFLICT for p in first.pairs)
            print(f"\nagreement: both ways find the same {conflicts} conflicting pairs with the same files")

        print(f"\ntimes ({ns.repeat} repetitions; 1-minute load average beside each sample, {os.cpu_count()} cores):")
        line("overview (teams' status, not timed in)", overview)
        line("forecast cold (no cache)", cold, AIM_COLD)
        line("forecast unchanged, same process", warm, AIM_WARM)
        line("forecast unchanged, new process (disk)", fresh, AIM_WARM)
        line("naive: worktree add", naive_add)
        line("naive: 15 checkouts + merges", naive_pairs)
        line("naive: total", naive_total)
        med = {k: statistics.median(s for s, _ in v) for k, v in {"cold": cold, "warm": warm, "fresh": fresh}.items()}
        for label, naive_samples in (("pairs only", naive_pairs), ("with worktree add", naive_total)):
            n = statistics.median(s for s, _ in naive_samples)
            print(
                f"  ratio naive ({label}) / forecast, medians: cold {n / med['cold']:.1f}x, "
                f"unchanged {n / med['warm']:.0f}x, new process {n / med['fresh']:.0f}x"
                f"{'' if n / med['cold'] >= AIM_RATIO else '  (cold below the 10x aim)'}"
            )
        loads = [ld for samples in (cold, warm, fresh, naive_total) for _, ld in samples]
        if max(loads) > busy:
            print(
                f"\nTHE MACHINE WAS LOADED (1-minute load average up to {max(loads):.2f} > {busy:.1f} on "
                f"{os.cpu_count()} cores): figures not quotable; rerun on a quiet machine."
            )
        if med["cold"] > AIM_COLD or med["warm"] > AIM_WARM:
            print("the forecast is over its aim: rerun with --profile to see where the time goes")
        if ns.profile:
            fc._MEMORY.clear()
            os.environ["MISSION_CONTROL_HOME"] = str(tmp / "home-profile")
            profile("a cold forecast", lambda: fc.forecast(context.git, mission, context.project.plan))
            profile("an unchanged forecast", lambda: fc.forecast(context.git, mission, context.project.plan))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
