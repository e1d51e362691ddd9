"""The incremental CPM analysis after a drop equals a full analysis, and takes the short way when it can.

``reanalyse(previous, analyse(previous), plan)`` must equal ``analyse(plan)`` after any edit
(Hypothesis, over the incremental re-parser's random plans and edits); after a plain move it must
not run the full backward pass. ``retiming`` names exactly the tasks whose times changed and the
dependencies dropped, or is None when anything else changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_plan_incremental import TODAY, edit_for, forward_plans, plan_texts, task_line_edit

import mission_control.plan.schedule as schedule
from mission_control.plan import PlanFile, Retiming, parse_plan, retiming
from mission_control.plan.document import Document
from mission_control.schedule import analyse, reanalyse

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _times(plan) -> dict[str, tuple]:
    return {t.key: (t.start, t.end) for t in plan.tasks}


def _check_step(before, analysis, after):
    """One edit: reanalyse equals analyse, and retiming says what moved (or None)."""
    fresh = analyse(after)
    again = reanalyse(before, analysis, after)
    assert again == fresh
    assert again.total_float == fresh.total_float and again.critical_path == fresh.critical_path
    change = retiming(before, after)
    if change is not None:
        old, new = _times(before), _times(after)
        assert change.moved == {k for k in new if old[k] != new[k]}
        assert [d for d in before.dependencies if d not in change.unlinked] == after.dependencies
    return again


@SETTINGS
@given(text=forward_plans(), data=st.data())
def test_reanalysing_after_task_edits_equals_a_full_analysis(text, data):
    pf = PlanFile(Document(text.encode()), today=TODAY)
    analysis = analyse(pf.plan)
    for _ in range(data.draw(st.integers(1, 5))):
        if not pf.plan.tasks:
            break
        before = pf.plan
        pf.apply([data.draw(st.composite(task_line_edit)(pf))])
        analysis = _check_step(before, analysis, pf.plan)
        assert pf.analysis == analysis  # the plan file's own (incremental) analysis too


@SETTINGS
@given(text=plan_texts(), data=st.data())
def test_reanalysing_after_any_edit_equals_a_full_analysis(text, data):
    pf = PlanFile(Document(text.encode()), today=TODAY)
    analysis = analyse(pf.plan)
    for _ in range(data.draw(st.integers(1, 4))):
        before = pf.plan
        pf.apply([data.draw(edit_for(pf.document.lines))])
        analysis = _check_step(before, analysis, pf.plan)


@st.composite
def chain_plans(draw) -> tuple[str, list[str]]:
    """Chains of ``after`` tasks in sections, graph edges between them, the last task ending the plan."""
    lines = ["```mermaid", "gantt", "dateFormat YYYY-MM-DD HH:mm"]
    keys: list[str] = []
    for s in range(draw(st.integers(1, 3))):
        lines.append(f"section S{s}")
        for i in range(draw(st.integers(2, 6))):
            key = f"s{s}_{i}"
            start = f"2024-03-01 {draw(st.integers(0, 9)):02d}:00" if i == 0 else f"after s{s}_{i - 1}"
            lines.append(f"    T {key} :{key}, {start}, {draw(st.integers(1, 4))}h")
            keys.append(key)
    lines.append("    End :end, 2024-03-09 00:00, 1h")  # the project's end never moves in these cases
    lines += ["```", "```mermaid", "graph TD"]
    for _ in range(draw(st.integers(0, 4))):
        a, b = sorted(draw(st.lists(st.sampled_from(keys), min_size=2, max_size=2, unique=True)))
        lines.append(f"    {a} -->{draw(st.sampled_from(['', '|Can Start Parallel|']))} {b}")
    lines += ["```", ""]
    return "\n".join(lines), keys


@SETTINGS
@given(case=chain_plans(), data=st.data())
def test_a_drop_is_analysed_incrementally_and_equals_a_full_analysis(case, data):
    text, keys = case
    pf = PlanFile(Document(text.encode()), today=TODAY)
    pf.analysis  # noqa: B018  (the analysis the next one starts from)
    key = data.draw(st.sampled_from(keys))
    start = datetime(2024, 3, 1) + timedelta(minutes=15 * data.draw(st.integers(0, 60)))
    duration = data.draw(st.one_of(st.none(), st.integers(1, 12).map(lambda q: timedelta(minutes=15 * q))))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schedule, "analyse", lambda plan: pytest.fail("a full analysis after a plain drop"))
        pf.reschedule(key, start=start, duration=duration, cascade=data.draw(st.booleans()))
        incremental = pf.analysis
    assert incremental == analyse(parse_plan(pf.document.text, None, TODAY))


def test_the_backward_pass_revisits_only_the_moved_task_and_what_leads_to_it(monkeypatch):
    lines = ["```mermaid", "gantt", "dateFormat YYYY-MM-DD HH:mm", "section A"]
    lines += [f"    A{i} :a{i}, after a{i - 1}, 1h" if i else "    A0 :a0, 2024-03-01 00:00, 1h" for i in range(10)]
    lines += ["section B"]
    lines += [f"    B{i} :b{i}, after b{i - 1}, 1h" if i else "    B0 :b0, 2024-03-01 00:00, 1h" for i in range(10)]
    lines += ["    End :end, 2024-03-02 00:00, 1h", "```", ""]
    pf = PlanFile(Document("\n".join(lines).encode()), today=TODAY)
    pf.analysis  # noqa: B018
    visited: list[str] = []
    find = pf.plan.__class__.find_task

    def counting(plan, key):
        visited.append(key)
        return find(plan, key)

    pf.reschedule("a5", duration=timedelta(hours=2))  # a5..a9 end an hour later
    monkeypatch.setattr(pf.plan.__class__, "find_task", counting)
    change = retiming(pf._analysed[0], pf.plan)
    assert change is not None and change.unlinked == []
    _, renewed = schedule._latest_finishes(pf.plan, schedule._indexed(pf._analysed[1].backward), change.moved, set())
    monkeypatch.undo()
    assert not {k for k in visited if k.startswith("b")}  # section B is not visited at all
    # a5..a9 keep their latest finishes (less float: they end later); a5 got longer, so it must start
    # earlier, and so must everything before it
    assert renewed == {f"a{i}" for i in range(5)}
    assert pf.analysis == analyse(pf.plan)
    assert pf.analysis.total_float["a0"] == pf._analysed[1].total_float["a0"]


def test_a_moved_project_end_runs_the_whole_backward_pass_on_the_links_kept(monkeypatch):
    lines = ["```mermaid", "gantt", "dateFormat YYYY-MM-DD HH:mm", "section A"]
    lines += [f"    A{i} :a{i}, after a{i - 1}, 1h" if i else "    A0 :a0, 2024-03-01 00:00, 1h" for i in range(6)]
    lines += ["section B", "    B0 :b0, 2024-03-01 00:00, 2h", "    B1 :b1, after b0, 3h", "```", ""]
    pf = PlanFile(Document("\n".join(lines).encode()), today=TODAY)
    assert pf.analysis.critical_path == ["a0", "a1", "a2", "a3", "a4", "a5"]  # A ends the plan at 06:00
    monkeypatch.setattr(schedule, "analyse", lambda plan: pytest.fail("a full analysis"))
    monkeypatch.setattr(schedule, "successors", lambda plan: pytest.fail("the links were worked out again"))
    pf.reschedule("b1", duration=timedelta(hours=9))  # B now ends the plan, at 11:00: every float moves
    incremental = pf.analysis
    monkeypatch.undo()
    assert incremental == analyse(pf.plan)
    assert incremental.critical_path == ["b0", "b1"] and incremental.total_float["a5"] == timedelta(hours=5)


def test_retiming_says_what_moved_and_which_links_went_or_is_none():
    text = "```mermaid\ngantt\ndateFormat YYYY-MM-DD HH:mm\nA :a, 2024-03-01 00:00, 1h\nB :b, after a, 1h\n```\n"
    plan = parse_plan(text, None, TODAY)
    assert retiming(plan, parse_plan(text, None, TODAY)) == Retiming(set(), [])
    assert retiming(plan, parse_plan(text.replace("00:00, 1h", "02:00, 1h"), None, TODAY)) == Retiming({"a", "b"}, [])
    fixed = retiming(plan, parse_plan(text.replace("after a", "2024-03-01 05:00"), None, TODAY))
    assert fixed == Retiming({"b"}, plan.dependencies)  # the drop of an 'after' task drops its link
    assert retiming(plan, parse_plan(text.replace("B :b", "Renamed :b"), None, TODAY)) is None
    edge = text + "```mermaid\ngraph TD\n    a -->|Can Start Parallel| b\n```\n"
    assert retiming(plan, parse_plan(edge, None, TODAY)) is None  # a new dependency
