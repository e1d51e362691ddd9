"""Scheduling: conflicts (FS, SS), CPM floats, cycles, unknown ids, cascades, malformed input."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mission_control.plan import FINISH_TO_START, START_TO_START, PlanError, load_plan, parse_plan
from mission_control.schedule import analyse, find_conflicts


def plan_text(gantt: str, graph: str = "") -> str:
    text = f"# Plan\n\n```mermaid\ngantt\ndateFormat HH:mm\n{gantt}\n```\n"
    if graph:
        text += f"\n```mermaid\ngraph TD\n{graph}\n```\n"
    return text


def at(clock: str) -> datetime:
    return datetime.fromisoformat(f"1970-01-01T{clock}")


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def write(tmp_path: Path, gantt: str, graph: str = "") -> Path:
    path = tmp_path / "plan.md"
    path.write_bytes(plan_text(gantt, graph).encode())
    return path


# --------------------------------------------------------------------------- conflicts


def test_finish_to_start_conflict_names_both_tasks_and_the_needed_start():
    plan = parse_plan(plan_text("A :a, 00:00, 4h\nB :b, 02:00, 2h\nC :c, 04:00, 1h", "a --> b\na --> c"))
    conflicts = find_conflicts(plan)
    assert [(c.task, c.depends_on, c.kind, c.required_start) for c in conflicts] == [
        ("b", "a", FINISH_TO_START, at("04:00")),
    ]
    assert "B (b) starts at 02:00" in conflicts[0].message and "04:00" in conflicts[0].message


def test_start_to_start_conflict_only_when_starting_before_the_predecessor_starts():
    graph = "a -->|Can Start Parallel| b\nc -->|Can Start Parallel| d"
    plan = parse_plan(plan_text("A :a, 01:00, 4h\nB :b, 00:00, 2h\nC :c, 01:00, 4h\nD :d, 02:00, 1h", graph))
    assert [(c.task, c.kind, c.required_start) for c in find_conflicts(plan)] == [("b", START_TO_START, at("01:00"))]


def test_after_dependencies_never_conflict_and_unresolved_tasks_are_skipped():
    plan = parse_plan(plan_text("A :a, 00:00, 4h\nB :b, after a, 2h\nX :x, after y, 1h\nY :y, after x, 1h", "a --> x"))
    assert find_conflicts(plan) == []


# --------------------------------------------------------------------------- CPM


def test_cpm_floats_on_a_hand_computed_network():
    #   a 00-02 ─┬─ b 02-05 ─┬─ d 05-06        e 00-01 (alone)
    #            └─ c 02-03 ─┘
    plan = parse_plan(
        plan_text("A :a, 00:00, 2h\nB :b, after a, 3h\nC :c, after a, 1h\nD :d, after b c, 1h\nE :e, 00:00, 1h")
    )
    result = analyse(plan)
    assert {k: hours(v) for k, v in result.total_float.items()} == {"a": 0, "b": 0, "c": 2, "d": 0, "e": 5}
    assert result.critical_path == ["a", "b", "d"]


def test_cpm_start_to_start_float():
    plan = parse_plan(plan_text("A :a, 00:00, 4h\nB :b, 00:00, 2h", "a -->|Can Start Parallel| b"))
    floats = {k: hours(v) for k, v in analyse(plan).total_float.items()}
    assert floats == {"a": 0, "b": 2}


def test_cpm_explicit_starts_keep_them_and_implicit_starts_are_links():
    # b is pinned at 05:00; a must finish by then (3h float); c follows b implicitly.
    plan = parse_plan(plan_text("A :a, 00:00, 2h\nB :b, 05:00, 1h\nC :1h", "a --> b"))
    result = analyse(plan)
    assert plan.task("task1").start == at("06:00")
    assert {k: hours(v) for k, v in result.total_float.items()} == {"a": 3, "b": 0, "task1": 0}
    assert result.critical_path == ["b", "task1"]


def test_a_task_already_behind_is_critical_with_negative_float():
    plan = parse_plan(plan_text("A :a, 00:00, 4h\nB :b, 02:00, 2h", "a --> b"))
    result = analyse(plan)
    assert hours(result.total_float["a"]) == -2 and "a" in result.critical_path
    assert [c.task for c in result.conflicts_of("a")] == ["b"]


# --------------------------------------------------------------------------- cycles, unknown ids, bad input


def test_graph_cycles_are_reported_with_their_members():
    plan = parse_plan(
        plan_text("A :a, 00:00, 1h\nB :b, 01:00, 1h\nC :c, 02:00, 1h\nD :d, 03:00, 1h", "a --> b --> c --> a\nd --> d")
    )
    cycles = sorted(e.message for e in plan.errors if "cycle" in e.message)
    assert len(cycles) == 2
    assert "a → b → c → a" in cycles[0] and "d → d" in cycles[1]
    analyse(plan)  # the analysis still runs


def test_after_cycle_reports_members_and_the_line():
    plan = parse_plan(plan_text("A :a, 00:00, 1h\nB :b, after c, 1h\nC :c, after b, 1h"))
    cycle = [e for e in plan.errors if e.message.startswith("dependency cycle")]
    assert len(cycle) == 1 and "b → c → b" in cycle[0].message and cycle[0].line == 7
    assert {t.key for t in plan.tasks if not t.resolved} == {"b", "c"}


def test_unknown_after_ids_are_warnings_and_known_ones_still_count():
    plan = parse_plan(plan_text("A :a, 00:00, 2h\nB :b, after a ghost, 1h"))
    assert [w.line for w in plan.warnings if "'ghost'" in w.message] == [7]
    assert plan.task("b").start == at("02:00")
    assert [(d.from_key, d.to_key, d.source) for d in plan.dependencies] == [("a", "b", "after")]


MALFORMED = [
    "",
    "no mermaid at all",
    "```mermaid\ngantt\n```",
    "```mermaid\ngantt\ndateFormat HH:mm\nA :a, after a, 1h\n```",
    "```mermaid\ngantt\ndateFormat HH:mm\n: : :\n:\nA :\nB : , , \n```",
    "```mermaid\ngantt\ndateFormat HH:mm\nA :a, 99:99, 1h\nB :b, after a, until a\n```",
    "```mermaid\ngantt\ndateFormat\nA :a, x, y\n```",
    "```mermaid\ngantt\ndateFormat YYYY-MM-DD\nexcludes weekends\nA :a, 2020-01-01, 9999y\n```",
    "```mermaid\ngantt\ndateFormat YYYY-MM-DD\nA :a, 9990-01-01, 20y\nB :b, 2020-01-01, 99999999999999999h\n```",
    "```mermaid\ngraph TD\nA -->\n```\n```mermaid\ngantt\nA :a, 2020-01-01, 1d\n```",
    "```mermaid\n---\ntitle: never closed\ngantt\n```",
    "```mermaid\ngantt\ndateFormat HH:mm\nA :a, 00:00, 1h\n",  # an unclosed fence
    "```mermaid\ngraph TD\nA[x] -.- |y| B & & C\nsubgraph\nend\nend\n```",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_input_never_raises(text):
    plan = parse_plan(text, "bad.md")
    result = analyse(plan)
    assert isinstance(result.critical_path, list)
    assert all(d.file == "bad.md" for d in plan.diagnostics)


# --------------------------------------------------------------------------- cascades


def lines_of(path: Path) -> list[str]:
    return path.read_text().split("\n")


def test_cascade_moves_successors_the_least_and_stops_where_nothing_is_violated(tmp_path):
    path = write(tmp_path, "A :a, 00:00, 2h\nB :b, 02:00, 2h\nC :c, 06:00, 1h", "a --> b --> c")
    pf = load_plan(path)
    result = pf.reschedule("a", duration=timedelta(hours=3), cascade=True)
    assert {m.key: (m.new_start, m.new_end) for m in result.moves} == {
        "a": (at("00:00"), at("03:00")),
        "b": (at("03:00"), at("05:00")),
    }
    assert [e.index + 1 for e in result.edits] == [6, 7]
    pf.save()
    assert lines_of(path)[5:8] == ["A :a, 00:00, 3h", "B :b, 03:00, 2h", "C :c, 06:00, 1h"]


def test_without_cascade_only_the_task_moves_and_conflicts_remain(tmp_path):
    pf = load_plan(write(tmp_path, "A :a, 00:00, 2h\nB :b, 02:00, 2h", "a --> b"))
    result = pf.reschedule("a", duration=timedelta(hours=3))
    assert [m.key for m in result.moves] == ["a"]
    assert [c.task for c in pf.analysis.conflicts] == ["b"]


def test_cascade_touches_only_tasks_downstream_of_the_change(tmp_path):
    gantt = "A :a, 00:00, 2h\nB :b, 02:00, 2h\nX :x, 00:00, 4h\nY :y, 01:00, 1h"
    pf = load_plan(write(tmp_path, gantt, "a --> b\nx --> y"))
    result = pf.reschedule("a", start=at("01:00"), cascade=True)
    assert {m.key for m in result.moves} == {"a", "b"}
    assert [(c.task, c.depends_on) for c in pf.analysis.conflicts] == [("y", "x")]  # not ours to fix


def test_after_tasks_follow_without_edits(tmp_path):
    path = write(tmp_path, "A :a, 00:00, 2h\nB :b, after a, 2h\nC :2h")
    pf = load_plan(path)
    result = pf.reschedule("a", start=at("01:00"), cascade=True)
    assert [e.index + 1 for e in result.edits] == [6]
    assert {m.key: m.new_start for m in result.moves} == {"a": at("01:00"), "b": at("03:00"), "task1": at("05:00")}


def test_cascade_respects_start_to_start(tmp_path):
    pf = load_plan(write(tmp_path, "A :a, 00:00, 4h\nB :b, 01:00, 2h", "a -->|Can Start Parallel| b"))
    result = pf.reschedule("a", start=at("02:00"), cascade=True)
    assert {m.key: m.new_start for m in result.moves} == {"a": at("02:00"), "b": at("02:00")}


def test_cascade_through_a_chain_of_mixed_links(tmp_path):
    gantt = "A :a, 00:00, 2h\nB :b, 02:00, 2h\nC :c, after b, 1h\nD :d, 05:00, 1h"
    pf = load_plan(write(tmp_path, gantt, "a --> b\nc --> d"))
    result = pf.reschedule("a", duration=timedelta(hours=4), cascade=True)
    assert {m.key: (m.new_start, m.new_end) for m in result.moves} == {
        "a": (at("00:00"), at("04:00")),
        "b": (at("04:00"), at("06:00")),
        "c": (at("06:00"), at("07:00")),
        "d": (at("07:00"), at("08:00")),
    }
    assert pf.analysis.conflicts == []


def test_hh_mm_plans_refuse_to_push_a_task_past_midnight(tmp_path):
    path = write(tmp_path, "A :a, 20:00, 2h\nB :b, 22:00, 1h", "a --> b")
    before = path.read_bytes()
    pf = load_plan(path)
    with pytest.raises(PlanError) as info:
        pf.reschedule("a", duration=timedelta(hours=5), cascade=True)
    message = str(info.value)
    assert str(path) in message and ":7:" in message and "first day" in message
    assert [t.start for t in pf.plan.tasks] == [at("20:00"), at("22:00")]  # nothing changed
    assert not pf.modified
    pf.save()
    assert path.read_bytes() == before


def test_a_task_may_end_past_midnight_when_only_its_duration_changes(tmp_path):
    pf = load_plan(write(tmp_path, "A :a, 20:00, 2h"))
    pf.reschedule("a", duration=timedelta(hours=6))
    assert pf.plan.task("a").end == at("02:00") + timedelta(days=1)


def test_reschedule_replaces_after_and_implicit_starts_with_notes(tmp_path):
    path = write(tmp_path, "A :a, 00:00, 2h\nB :b, after a, 2h\nC :2h")
    pf = load_plan(path)
    first = pf.reschedule("b", start=at("05:00"))
    second = pf.reschedule("task1", start=at("09:00"))
    assert any("after a" in n for n in first.notes) and any("fixed time" in n for n in second.notes)
    pf.save()
    assert lines_of(path)[6:8] == ["B :b, 05:00, 2h", "C :09:00, 2h"]


def test_reschedule_unknown_or_unscheduled_tasks_raise_plan_errors(tmp_path):
    pf = load_plan(write(tmp_path, "A :a, after b, 1h\nB :b, after a, 1h"))
    with pytest.raises(PlanError, match="unknown task id 'zzz'"):
        pf.reschedule("zzz", start=at("01:00"))
    with pytest.raises(PlanError, match="not scheduled"):
        pf.reschedule("a", start=at("01:00"))
    with pytest.raises(PlanError, match="negative"):
        load_plan(write(tmp_path, "A :a, 00:00, 1h")).reschedule("a", duration=timedelta(hours=-1))


def test_cascade_through_a_cycle_fails_cleanly(tmp_path):
    path = write(tmp_path, "A :a, 00:00, 1h\nB :b, 01:00, 1h", "a --> b --> a")
    pf = load_plan(path)
    with pytest.raises(PlanError):
        pf.reschedule("a", duration=timedelta(hours=2), cascade=True)
    assert not pf.modified and pf.plan.task("a").end == at("01:00")


def test_format_time_of_a_dated_plan_reads_as_before() -> None:
    """The fast path (isoformat) writes what ``strftime`` wrote: the day at midnight, else day and minutes."""
    from datetime import UTC

    from mission_control.plan.schedule import format_time

    plan = parse_plan("```mermaid\ngantt\n    dateFormat YYYY-MM-DD HH:mm\n    A :a, 2026-01-01 00:00, 2h\n```\n")
    for value in (
        datetime(2026, 1, 1),
        datetime(2026, 3, 4, 13, 5),
        datetime(2026, 3, 4, 13, 5, 42, 123),
        datetime(2026, 3, 4, 0, 0, 0, 5),
        datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
        datetime(999, 3, 4, 9, 30),
    ):
        midnight = value.time() == datetime.min.time()
        assert format_time(plan, value) == value.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M"), value
