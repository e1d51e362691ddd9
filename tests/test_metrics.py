"""Success metrics: parsing the sample plan's lines, mapping them to audit metrics, evaluating."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import git, write_file

from mission_control.audit import Auditor
from mission_control.audit.metrics import (
    MetricSpec,
    evaluate,
    load_overrides,
    parse_plan_metrics,
    plan_text,
    recognise,
)
from mission_control.config import ConfigError


@pytest.fixture
def sample(sample_plan_path: Path):
    return parse_plan_metrics(plan_text(sample_plan_path))


def test_sample_plan_metrics_and_checkpoints(sample) -> None:
    items, checkpoints = sample
    texts = {i.text: i for i in items}
    for phrase in (
        "75% reduction in manager classes",
        "Zero broken imports",
        "Single ID generation source",
        "One WebSocket emitter class",
        "<10ms agent creation time maintained",
        "90% SSOT violations resolved",
        "Manager classes reduced by 75%",
    ):
        assert phrase in texts, phrase
    assert texts["Zero broken imports"].line == 213
    assert texts["One WebSocket emitter class"].group == "Must Have (Day 1)"  # emoji prefix stripped
    assert not any("briefed" in t for t in texts)  # checklist boxes are not metrics
    assert [(c.name, c.hour, len(c.items)) for c in checkpoints] == [
        ("Hour 8 Checkpoint", 8.0, 3),
        ("Hour 14 Checkpoint", 14.0, 3),
        ("Hour 20 Checkpoint", 20.0, 3),
        ("Day 5 Final", 120.0, 4),
    ]
    assert checkpoints[0].items[1].text == "50% reduction in factory code"


@pytest.mark.parametrize(
    ("phrase", "spec"),
    [
        ("75% reduction in manager classes", MetricSpec("roles.Manager", "<=", relative=0.25)),
        ("Manager classes reduced by 75%", MetricSpec("roles.Manager", "<=", relative=0.25)),
        ("Zero broken imports", MetricSpec("broken_imports", "<=", target=0)),
        ("Single ID generation source", MetricSpec("defs~id generation", "<=", target=1)),
        ("One WebSocket emitter class", MetricSpec("defs~websocket emitter", "<=", target=1)),
        ("<10ms agent creation time", MetricSpec("timing.agent_creation_time", "<", target=10.0, unit="ms")),
        ("90% SSOT violations resolved", MetricSpec("duplicates", "<=", relative=0.1)),
        ("40% reduction in agent codebase size", MetricSpec("lines~agent", "<=", relative=0.6)),
        ("5x reduction in emitter code", MetricSpec("lines~emitter", "<=", relative=0.2)),
        ("All mission critical tests passing", MetricSpec("tests.failed", "<=", target=0)),
        ("Zero WebSocket event loss", None),
        ("3x faster bug fixes", None),
    ],
)
def test_recognise(phrase: str, spec: MetricSpec | None) -> None:
    assert recognise(phrase) == spec


def test_gauges_from_baseline_to_now(git_repo: Path) -> None:
    for i in range(4):
        write_file(
            git_repo, f"app/m{i}.py", f"class Thing{i}Manager:\n    pass\n\ndef generate_id_{i}():\n    return {i}\n"
        )
    write_file(
        git_repo, "app/emit.py", "class UserWebSocketEmitter:\n    pass\nclass LegacyWebSocketEmitter:\n    pass\n"
    )
    write_file(git_repo, "app/use.py", "from app.m0 import Thing0Manager\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "baseline")
    git(git_repo, "tag", "pre-ssot")
    for i in range(1, 4):
        (git_repo / f"app/m{i}.py").unlink()
    write_file(git_repo, "app/emit.py", "class UserWebSocketEmitter:\n    pass\n")
    write_file(git_repo, "app/use.py", "from app.m3 import Thing3Manager\n")
    auditor = Auditor(git_repo)
    now, base = auditor.run(), auditor.run_ref("pre-ssot")
    items, _ = parse_plan_metrics(
        "## Success Metrics\n- 75% reduction in manager classes\n- One WebSocket emitter class\n"
        "- Single ID generation source\n- Zero broken imports\n- <10ms agent creation time\n"
        "- Zero session leakage\n"
    )
    status = {s.item.text: s for s in evaluate(items, now, base, extra_now={"timing.agent_creation_time": 12.5})}
    managers = status["75% reduction in manager classes"]
    assert (managers.baseline, managers.now, managers.target, managers.met) == (4, 1, 1.0, True)
    emitter = status["One WebSocket emitter class"]
    assert (emitter.baseline, emitter.now, emitter.met) == (2, 1, True)
    ids = status["Single ID generation source"]
    assert (ids.baseline, ids.now, ids.met) == (4, 1, True)
    imports = status["Zero broken imports"]
    assert (imports.baseline, imports.now, imports.met) == (0, 1, False)
    timing = status["<10ms agent creation time"]
    assert (timing.now, timing.target, timing.met) == (12.5, 10.0, False)
    manual = status["Zero session leakage"]
    assert manual.kind == "manual" and manual.met is None
    assert manual.to_json()["kind"] == "manual" and managers.to_json()["metric"] == "roles.Manager"


def test_config_overrides_map_unknown_phrases(git_repo: Path) -> None:
    overrides = load_overrides(
        {
            "Zero session leakage": {"metric": "tests.failed", "target": 0},
            "One WebSocket emitter class": "manual",
            "50% reduction in factory code": "components.factory.lines",
        }
    )
    items, _ = parse_plan_metrics("**Success Metrics:**\n- Zero session leakage\n- One WebSocket emitter class\n")
    status = evaluate(items, None, overrides=overrides, extra_now={"tests.failed": 0})
    assert (status[0].kind, status[0].met, status[0].source) == ("gauge", True, "config")
    assert status[1].kind == "manual" and status[1].source == "config"
    assert overrides["50% reduction in factory code"] == MetricSpec("components.factory.lines", "<=", relative=0.5)


def test_bad_overrides_name_file_and_key(tmp_path: Path) -> None:
    source = tmp_path / "mission-control.toml"
    with pytest.raises(ConfigError) as info:
        load_overrides(
            {
                "Zero session leakage": {"metric": "x"},
                "Mystery": "some.metric",
                "Odd": 3,
                "Bad op": {"metric": "x", "target": 1, "op": "~"},
            },
            source,
        )
    message = str(info.value)
    assert f'{source}: metrics."Zero session leakage": needs exactly one number' in message
    assert 'metrics."Mystery"' in message and 'metrics."Odd"' in message and 'metrics."Bad op": op must be' in message
