"""Task states after a drop, brought up to date for what moved, equal the states computed in full.

``update_task_states(previous, before, then, plan, now, ...)`` must equal ``task_states(plan, now,
...)`` whenever ``previous`` is ``task_states(before, then, ...)``: after random task-line edits
(Hypothesis, the incremental re-parser's plans), with the clock moved or not, with evidence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_plan_incremental import TODAY, forward_plans, task_line_edit

import mission_control.signoff.tasks as tasks_module
from mission_control.plan import LineEdit, PlanFile
from mission_control.plan.document import Document
from mission_control.signoff.tasks import TaskEvidence, task_states, update_task_states

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
clocks = st.one_of(st.none(), st.integers(-10, 60 * 24).map(lambda m: TODAY + timedelta(minutes=30 * m)))


@st.composite
def evidence_for(draw, keys: list[str]) -> TaskEvidence | None:
    if not keys or draw(st.booleans()):
        return None
    changed = draw(st.dictionaries(st.sampled_from(keys), st.integers(1, 3), max_size=3))
    tests = draw(st.dictionaries(st.sampled_from(keys), st.sampled_from(["green", "failing"]), max_size=3))
    return TaskEvidence(changed_files=changed, tests=tests)


@SETTINGS
@given(text=forward_plans(), data=st.data())
def test_updated_states_equal_states_computed_in_full(text, data):
    pf = PlanFile(Document(text.encode()), today=TODAY)
    evidence = data.draw(evidence_for([t.id or t.key for t in pf.plan.tasks]))
    then = data.draw(clocks)
    states = task_states(pf.plan, then, evidence)
    for _ in range(data.draw(st.integers(1, 4))):
        if not pf.plan.tasks:
            break
        before = pf.plan
        pf.apply([data.draw(st.composite(task_line_edit)(pf))])
        now = data.draw(st.one_of(st.just(then), clocks))
        states = update_task_states(states, before, then, pf.plan, now, evidence)
        assert states == task_states(pf.plan, now, evidence)
        then = now


def chain(count: int = 12) -> str:
    lines = ["```mermaid", "gantt", "dateFormat YYYY-MM-DD HH:mm", "section A"]
    lines += [f"    A{i} :a{i}, after a{i - 1}, 1h" if i else "    A0 :a0, 2024-03-01 00:00, 1h" for i in range(count)]
    lines += ["    Side :side, 2024-03-01 00:00, 1h", "    Par :par, 2024-03-01 03:00, 1h"]
    lines += ["```", "```mermaid", "graph TD", "    a2 -->|Can Start Parallel| par", "```", ""]
    return "\n".join(lines)


def test_only_the_moved_tasks_and_their_start_to_start_successors_are_evaluated_again(monkeypatch):
    pf = PlanFile(Document(chain().encode()), today=TODAY)
    now = datetime(2024, 3, 1, 2, 30)
    states = task_states(pf.plan, now)
    assert (states["a1"].state, states["a2"].state, states["a5"].state) == ("late", "blocked", "planned")
    before = pf.plan
    pf.reschedule("a2", start=datetime(2024, 3, 1, 5))  # a2..a11 move; 'par' waits for a2 to start
    evaluated: list[str] = []
    state = tasks_module._state
    monkeypatch.setattr(tasks_module, "_state", lambda task, *a: evaluated.append(task.key) or state(task, *a))
    updated = update_task_states(states, before, now, pf.plan, now)
    assert sorted(evaluated) == sorted([f"a{i}" for i in range(2, 12)] + ["par"])
    monkeypatch.undo()
    assert updated == task_states(pf.plan, now)
    assert updated["par"].state == "planned" and states["par"].state == "planned"


def test_a_clock_that_moved_re_evaluates_the_tasks_it_passed(monkeypatch):
    pf = PlanFile(Document(chain().encode()), today=TODAY)
    then, now = datetime(2024, 3, 1, 2, 30), datetime(2024, 3, 1, 4, 30)
    states = task_states(pf.plan, then)
    evaluated: list[str] = []
    state = tasks_module._state
    monkeypatch.setattr(tasks_module, "_state", lambda task, *a: evaluated.append(task.key) or state(task, *a))
    updated = update_task_states(states, pf.plan, then, pf.plan, now)
    assert sorted(evaluated) == ["a2", "a3", "a4", "par"]  # a3 starts at 03:00, ends at 04:00; a4 starts
    monkeypatch.undo()
    assert updated == task_states(pf.plan, now)
    assert (updated["a3"].state, states["a3"].state) == ("late", "planned")


def test_a_move_to_another_day_rewrites_every_late_tasks_reason():
    pf = PlanFile(Document(chain().encode()), today=TODAY)
    now = datetime(2024, 3, 1, 2, 30)
    states = task_states(pf.plan, now)
    assert states["a0"].reasons[0] == "its end (01:00) has passed and it is not done"  # a one-day plan
    before = pf.plan
    pf.reschedule("side", start=datetime(2024, 3, 2, 10))
    updated = update_task_states(states, before, now, pf.plan, now)
    assert updated == task_states(pf.plan, now)
    assert updated["a0"].reasons[0] == "its end (2024-03-01 01:00) has passed and it is not done"


@pytest.mark.parametrize("new", ["    A5 :done, a5, after a4, 1h", "    Renamed :a5, after a4, 1h"])
def test_anything_but_a_move_is_computed_in_full(monkeypatch, new):
    pf = PlanFile(Document(chain().encode()), today=TODAY)
    now = datetime(2024, 3, 1, 2, 30)
    states = task_states(pf.plan, now)
    before = pf.plan
    index = pf.document.lines.index("    A5 :a5, after a4, 1h")
    pf.apply([LineEdit(index, pf.document.lines[index], new)])
    calls = []
    full = tasks_module.task_states
    monkeypatch.setattr(tasks_module, "task_states", lambda *a: calls.append(a) or full(*a))
    assert update_task_states(states, before, now, pf.plan, now) == full(pf.plan, now)
    assert len(calls) == 1  # a new tag or name: not a move
