"""The real sample plan (ssot-refactor-plan.md): the model, the analysis, and the CLI on it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from mission_control.cli import run
from mission_control.plan import FINISH_TO_START, START_TO_START, load_plan

TIMES = {
    "alpha1": ("00:00", "08:00"),
    "alpha2": ("08:00", "14:00"),
    "alpha3": ("14:00", "18:00"),
    "alpha4": ("18:00", "20:00"),
    "bravo1": ("00:00", "06:00"),
    "bravo2": ("02:00", "08:00"),
    "bravo3": ("08:00", "16:00"),
    "bravo4": ("16:00", "20:00"),
    "charlie1": ("00:00", "08:00"),
    "charlie2": ("04:00", "12:00"),
    "charlie3": ("12:00", "16:00"),
    "charlie4": ("16:00", "20:00"),
    "delta1": ("00:00", "06:00"),
    "delta2": ("02:00", "06:00"),
    "delta3": ("06:00", "12:00"),
    "delta4": ("12:00", "20:00"),
    "echo1": ("00:00", "02:00"),
    "echo2": ("02:00", "18:00"),
    "echo3": ("18:00", "22:00"),
    "echo4": ("20:00", "22:00"),
}
SECTIONS = [
    "Team Alpha (Critical Path)",
    "Team Bravo (Agents)",
    "Team Charlie (Execution)",
    "Team Delta (Infrastructure)",
    "Team Echo (QA/Cleanup)",
]
DEPENDENCIES = [
    ("alpha1", "alpha2", FINISH_TO_START, "Must Complete"),
    ("alpha2", "alpha3", FINISH_TO_START, None),
    ("alpha3", "alpha4", FINISH_TO_START, None),
    ("bravo1", "bravo2", START_TO_START, "Can Start Parallel"),
    ("bravo2", "bravo3", FINISH_TO_START, None),
    ("charlie1", "charlie2", START_TO_START, "Can Start Parallel"),
    ("charlie2", "charlie3", FINISH_TO_START, None),
    ("alpha1", "bravo3", FINISH_TO_START, "Blocks"),
    ("alpha2", "delta1", FINISH_TO_START, "Blocks"),
]
ISSUE_KEYS = {
    "title",
    "date_format",
    "sections",
    "tasks",
    "dependencies",
    "critical_path",
    "conflicts",
    "checklist",
    "components",
    "warnings",
    "graph",
}


def at(clock: str) -> datetime:
    return datetime.fromisoformat(f"1970-01-01T{clock}")


@pytest.fixture(scope="module")
def sample(sample_plan_path: Path):
    return load_plan(sample_plan_path)


def cli(*args: str, capsys) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_file_is_the_awkward_real_one(sample_plan_path):
    data = sample_plan_path.read_bytes()
    assert not data.endswith(b"\n") and b"# \xef\xa3\xbf\xc3\xbc" in data  # no final newline; mojibake


def test_sections_and_tasks_with_their_times(sample):
    plan = sample.plan
    assert plan.title == "SSOT Refactoring - Parallel Execution Timeline"
    assert (plan.date_format, plan.axis_format) == ("HH:mm", "%H:%M")
    assert plan.sections == SECTIONS
    assert [t.key for t in plan.tasks] == list(TIMES)
    assert {t.key: (t.start, t.end) for t in plan.tasks} == {k: (at(s), at(e)) for k, (s, e) in TIMES.items()}
    assert [t.line for t in plan.tasks[:4]] == [17, 18, 19, 20]
    assert [t.key for t in plan.tasks if "crit" in t.tags] == ["alpha1", "alpha2", "alpha3", "alpha4"]
    assert {t.section for t in plan.tasks if t.key.startswith("delta")} == {"Team Delta (Infrastructure)"}
    assert plan.diagnostics == []


def test_nine_dependencies_with_kinds(sample):
    deps = [(d.from_key, d.to_key, d.kind, d.label) for d in sample.plan.dependencies]
    assert deps == DEPENDENCIES
    assert {d.source for d in sample.plan.dependencies} == {"graph"}


def test_exactly_one_conflict_delta1_waits_for_alpha2(sample):
    conflicts = sample.analysis.conflicts
    assert [(c.task, c.depends_on, c.kind) for c in conflicts] == [("delta1", "alpha2", FINISH_TO_START)]
    assert conflicts[0].required_start == at("14:00") and conflicts[0].line == 233
    assert "00:00" in conflicts[0].message and "14:00" in conflicts[0].message


def test_critical_path_and_floats(sample):
    analysis = sample.analysis
    assert analysis.critical_path == ["echo3", "echo4"]  # both end at 22:00; nothing depends on them
    hours = {k: v.total_seconds() / 3600 for k, v in analysis.total_float.items()}
    assert hours["alpha1"] == hours["alpha2"] == hours["alpha3"] == hours["alpha4"] == 2
    assert hours["delta1"] == 16 and hours["echo2"] == 4


def test_checklist_items_with_heading_paths(sample):
    items = sample.plan.checklist
    assert len(items) == 13 and not any(i.done for i in items)
    assert items[0].heading == ("Final Checklist", "Pre-Execution (Hour -1):")
    assert items[4].text == "Factory consolidation complete"
    assert items[4].heading == ("Final Checklist", "Mid-Execution (Hour 10):")
    assert items[4].heading_path == "Final Checklist › Mid-Execution (Hour 10):"
    assert items[-1].heading == ("Final Checklist", "Post-Execution (Hour 22):")
    assert [i.line for i in items] == [383, 384, 385, 386, 389, 390, 391, 392, 395, 396, 397, 398, 399]


def test_components_come_from_rollback_commands(sample):
    assert sample.plan.components == ["factory", "websocket"]


def test_graph_nodes_are_mapped_to_tasks(sample):
    nodes = {n.id: (n.label, n.task) for n in sample.plan.graph.nodes}
    assert nodes == {
        "A": ("Factory Consolidation", "alpha1"),
        "B": ("WebSocket Emitter", "alpha2"),
        "C": ("Integration Testing", "alpha3"),
        "D": ("Production Cutover", "alpha4"),
        "E": ("DataSubAgent", "bravo1"),
        "F": ("Agent Registry", "bravo2"),
        "G": ("Supervisor Refactor", "bravo3"),
        "H": ("Tool Dispatcher", "charlie1"),
        "I": ("Execution Engine", "charlie2"),
        "J": ("Tool Registry", "charlie3"),
        "K": ("WebSocket Manager", "delta1"),
    }
    assert len(sample.plan.graph.edges) == 9 and sample.plan.graph.direction == "TD"


# --------------------------------------------------------------------------- CLI


def test_plan_show_json_has_exactly_the_issues_shape(sample_plan_path, capsys):
    code, out, _ = cli("plan", "show", str(sample_plan_path), "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and set(data) == ISSUE_KEYS
    assert data["date_format"] == "HH:mm" and data["sections"] == SECTIONS
    assert data["tasks"][1] == {
        "id": "alpha2",
        "name": "WebSocket Emitter Unification",
        "section": "Team Alpha (Critical Path)",
        "start": "1970-01-01T08:00:00",
        "end": "1970-01-01T14:00:00",
        "tags": ["crit"],
        "line": 18,
        "duration_hours": 6.0,
        "float_hours": 2.0,
    }
    keys = {"id", "name", "section", "start", "end", "tags", "line", "duration_hours", "float_hours"}
    assert all(set(t) == keys for t in data["tasks"])
    assert data["dependencies"][3] == {
        "from": "bravo1",
        "to": "bravo2",
        "kind": "start-to-start",
        "label": "Can Start Parallel",
        "source": "graph",
    }
    assert len(data["dependencies"]) == 9
    assert data["critical_path"] == ["echo3", "echo4"]
    assert [set(c) for c in data["conflicts"]] == [{"task", "depends_on", "kind", "message"}]
    assert data["conflicts"][0]["task"] == "delta1" and data["conflicts"][0]["depends_on"] == "alpha2"
    assert data["checklist"][4] == {
        "text": "Factory consolidation complete",
        "heading": ["Final Checklist", "Mid-Execution (Hour 10):"],
        "done": False,
        "line": 389,
    }
    assert data["components"] == ["factory", "websocket"] and data["warnings"] == []
    assert data["graph"]["nodes"][10] == {"id": "K", "label": "WebSocket Manager", "task": "delta1"}
    assert data["graph"]["edges"][0] == {"from": "A", "to": "B", "label": "Must Complete", "kind": "-->"}


def test_plan_show_json_gives_null_ids_and_lists_errors_as_warnings(tmp_path, capsys):
    plan = tmp_path / "p.md"
    plan.write_text("```mermaid\ngantt\ndateFormat HH:mm\nFirst :00:00, 2h\nBroken :crit\n```\n")
    code, out, _ = cli("plan", "show", str(plan), "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and set(data) == ISSUE_KEYS
    assert data["tasks"][0]["id"] is None and data["tasks"][0]["end"] == "1970-01-01T02:00:00"
    assert [(w["line"], w["message"].startswith("error: ")) for w in data["warnings"]] == [(5, True)]


def test_plan_show_text(sample_plan_path, capsys):
    code, out, _ = cli("plan", "show", str(sample_plan_path), capsys=capsys)
    assert code == 0
    assert "5 sections · 20 tasks · 9 dependencies · 13 checklist items" in out
    assert "Critical path: echo3 → echo4" in out and "components: factory, websocket" in out


def test_check_exits_1_on_the_conflict_in_a_real_subprocess(sample_plan_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mission_control", "check", str(sample_plan_path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is False and data["errors"] == [] and len(data["conflicts"]) == 1


def test_check_text_and_a_clean_plan(sample_plan_path, tmp_path, capsys):
    code, out, _ = cli("check", str(sample_plan_path), capsys=capsys)
    assert code == 1 and "1 conflict\n" in out and "delta1" in out
    clean = tmp_path / "clean.md"
    clean.write_text("```mermaid\ngantt\ndateFormat HH:mm\nA :a, 00:00, 2h\nB :b, after a, 1h\n```\n")
    assert cli("check", str(clean), capsys=capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["check", "{missing}"], 2, "no such file"),
        (["plan", "show", "{dir}"], 2, "folder"),
        (["reschedule", "{plan}", "nobody", "--start", "09:00"], 1, "unknown task id 'nobody'"),
        (["reschedule", "{plan}", "alpha2"], 2, "--start and/or --duration"),
        (["reschedule", "{plan}", "alpha2", "--start", "nine"], 2, "HH:MM"),
        (["reschedule", "{plan}", "alpha2", "--duration", "6 hours"], 2, "duration"),
        (["reschedule", "{plan}", "echo4", "--start", "23:30", "--cascade", "--duration", "1h"], 0, ""),
    ],
)
def test_cli_bad_input_gives_clear_messages_and_exit_codes(args, code, words, plan_copy, tmp_path, capsys):
    values = {"missing": str(tmp_path / "nope.md"), "dir": str(tmp_path), "plan": str(plan_copy)}
    got, _out, err = cli(*[a.format(**values) for a in args], capsys=capsys)
    assert got == code and words in err
    assert "Traceback" not in err


def test_reschedule_rewrites_only_that_line(plan_copy, sample_plan_path, capsys):
    before = sample_plan_path.read_bytes()
    code, out, _err = cli("reschedule", str(plan_copy), "alpha2", "--start", "09:00", capsys=capsys)
    assert code == 0 and "alpha2: 08:00 – 14:00 → 09:00 – 15:00" in out
    after = plan_copy.read_bytes()
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    changed = [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert changed == [18] and len(old_lines) == len(new_lines)
    assert new_lines[17] == b"    WebSocket Emitter Unification   :crit, alpha2, 09:00, 6h"
    assert not after.endswith(b"\n") and after.replace(new_lines[17], old_lines[17]) == before


def test_reschedule_dry_run_writes_nothing(plan_copy, sample_plan_path, capsys):
    code, out, _ = cli("reschedule", str(plan_copy), "alpha2", "--start", "09:00", "--dry-run", "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["written"] is False and data["lines"] == [18]
    assert plan_copy.read_bytes() == sample_plan_path.read_bytes()


def test_reschedule_with_cascade_moves_the_downstream_tasks_the_least(plan_copy, sample_plan_path, capsys):
    code, out, _ = cli(
        "reschedule", str(plan_copy), "alpha1", "--duration", "10h", "--cascade", "--json", capsys=capsys
    )
    data = json.loads(out)
    assert code == 0 and data["written"] is True
    moved = {m["task"]: (m["new_start"][11:16], m["new_end"][11:16]) for m in data["moved"]}
    assert moved == {
        "alpha1": ("00:00", "10:00"),
        "alpha2": ("10:00", "16:00"),
        "alpha3": ("16:00", "20:00"),
        "alpha4": ("20:00", "22:00"),
        "bravo3": ("10:00", "18:00"),
        "delta1": ("16:00", "22:00"),
    }
    assert data["lines"] == [17, 18, 19, 20, 25, 35] and data["conflicts"] == []
    old_lines = sample_plan_path.read_bytes().split(b"\n")
    new_lines = plan_copy.read_bytes().split(b"\n")
    assert [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b] == [17, 18, 19, 20, 25, 35]
    assert new_lines[16].endswith(b":crit, alpha1, 00:00, 10h")
    reloaded = load_plan(plan_copy)
    assert reloaded.analysis.conflicts == [] and reloaded.plan.task("bravo4").start == at("16:00")


def test_reschedule_refuses_when_the_file_changed_on_disk(plan_copy, capsys, monkeypatch):
    """Another editor saves between our load and our save: we must not overwrite it."""
    from mission_control.plan import document

    real_save = document.Document.save

    def save_after_someone_else(self, *args, **kwargs):
        plan_copy.write_bytes(plan_copy.read_bytes() + b"\nsomeone else's line")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(document.Document, "save", save_after_someone_else)
    code, _, err = cli("reschedule", str(plan_copy), "alpha2", "--start", "09:00", capsys=capsys)
    assert code == 1 and "changed on disk" in err
    assert plan_copy.read_bytes().endswith(b"someone else's line")
