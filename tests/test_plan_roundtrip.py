"""Round trips on random plans (hypothesis).

Random plans have sections, tasks of every form, checklists under headings, mixed line endings
(\\n, \\r\\n, \\r), UTF-8 / UTF-8-BOM / UTF-16 / cp1252, and an optional final newline. For each:
load → save is byte-identical; parse → serialise (a small writer here) → parse gives the same
model; rescheduling one task changes only that line's bytes; undo restores every byte.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mission_control.plan import PlanError, load_plan, parse_plan

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENCODINGS = [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("cp1252", b"")]
ENDINGS = ["\n", "\r\n", "\r"]
FORMATS = {"HH:mm": "{h:02d}:{m:02d}", "YYYY-MM-DD HH:mm": "2024-03-{d:02d} {h:02d}:{m:02d}"}

# Names: letters (some outside ASCII but inside cp1252), digits and spaces; never a keyword first.
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßÆ0123456789", min_size=1, max_size=8)
NAME = st.lists(WORD, min_size=1, max_size=3).map(lambda words: "Task " + " ".join(words))
TEXT = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
TAGS = st.lists(st.sampled_from(["crit", "done", "active", "milestone"]), max_size=2)
DURATION = st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 9), st.sampled_from(["h", "m"]))


@st.composite
def task_lines(draw, fmt: str, index: int, earlier: list[str]) -> tuple[str, str | None]:
    """One task line of a random form; returns (line, its id or None)."""
    name = draw(NAME)
    tags = draw(TAGS)
    when = FORMATS[fmt].format(d=draw(st.integers(1, 3)), h=draw(st.integers(0, 12)), m=draw(st.sampled_from([0, 30])))
    task_id = f"t{index}"
    forms = ["id_start_dur", "start_dur", "id_start_end"] + (
        ["implicit"] if index > 1 else []
    )  # Mermaid rejects a first task with no start
    if earlier:
        forms += ["after", "after_anon", "until"]
    form = draw(st.sampled_from(forms))
    dur = draw(DURATION)
    if form == "id_start_dur":
        items = [task_id, when, dur]
    elif form == "start_dur":
        items, task_id = [when, dur], None
    elif form == "implicit":
        items, task_id = [dur], None
    elif form == "id_start_end":
        items = [task_id, when, when]
    elif form == "after":
        items = [task_id, "after " + " ".join(draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2))), dur]
    elif form == "after_anon":
        items, task_id = ["after " + draw(st.sampled_from(earlier)), dur], None
    else:
        items = [task_id, "after " + draw(st.sampled_from(earlier)), "until " + draw(st.sampled_from(earlier))]
    pad = draw(st.sampled_from(["", " ", "   "]))
    return f"    {name}{pad}:{', '.join(tags + items)}", task_id


@st.composite
def plans(draw) -> tuple[list[str], str]:
    """Lines of a random plan (without endings) and its dateFormat."""
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    lines = [f"# {draw(TEXT)}", "", "```mermaid", "gantt", f"    title {draw(TEXT)}", f"    dateFormat {fmt}"]
    ids: list[str] = []
    index = 0
    for _ in range(draw(st.integers(1, 3))):
        lines.append(f"    section {draw(TEXT)}")
        for _ in range(draw(st.integers(0, 4))):
            index += 1
            line, task_id = draw(task_lines(fmt, index, ids))
            lines.append(line)
            if task_id:
                ids.append(task_id)
        if draw(st.booleans()):
            lines.append("    %% a comment")
    lines += ["```", ""]
    for _ in range(draw(st.integers(0, 2))):
        lines.append(f"## {draw(TEXT)}")
        for _ in range(draw(st.integers(0, 2))):
            lines.append(f"### {draw(TEXT)}")
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"- [{draw(st.sampled_from([' ', 'x', 'X']))}] {draw(TEXT)}")
            lines.append(draw(st.sampled_from(["", "Some prose.", "```bash\nrollback --component core\n```"])))
    return "\n".join(lines).split("\n"), fmt


@st.composite
def files(draw) -> tuple[bytes, str, str, bytes]:
    """(file bytes, encoding, dateFormat, BOM) for a random plan."""
    lines, fmt = draw(plans())
    endings = [draw(st.sampled_from(ENDINGS)) for _ in lines]
    for i in range(len(lines) - 1):  # "\r" then an empty line ending "\n" would read as one "\r\n"
        if endings[i] == "\r" and lines[i + 1] == "" and endings[i + 1].startswith("\n"):
            endings[i] = "\r\n"
    if not draw(st.booleans()):
        endings[-1] = ""
    codec, bom = draw(st.sampled_from(ENCODINGS))
    text = "".join(line + end for line, end in zip(lines, endings))
    return bom + text.encode(codec), codec, fmt, bom


def model(plan) -> tuple:
    """What a parse means: everything the UI and CLI show."""
    return (
        plan.title,
        plan.date_format,
        plan.sections,
        [(t.key, t.id, t.name, t.section, t.tags, t.start, t.end) for t in plan.tasks],
        [(d.from_key, d.to_key, d.kind) for d in plan.dependencies],
        [(i.text, i.heading, i.done) for i in plan.checklist],
        plan.components,
    )


def serialise(plan) -> str:
    """Write a plan back from the parsed model alone (a test-side writer, not the engine's)."""
    out = ["# Plan", "", "```mermaid", "gantt"]
    if plan.title:
        out.append(f"title {plan.title}")
    out.append(f"dateFormat {plan.date_format}")
    current, pending = "", list(plan.sections)
    for task in plan.tasks:
        while task.section != current:
            current = pending.pop(0)
            out.append(f"section {current}")
        items = list(task.tags) + ([task.id] if task.id else []) + ([task.start_item] if task.start_item else [])
        out.append(f"{task.name} :{', '.join(items + [task.end_item])}")
    out += [f"section {name}" for name in pending]  # sections without tasks still count
    out += ["```", ""]
    heading: tuple[str, ...] = ()
    for item in plan.checklist:
        if item.heading != heading:
            out += [f"{'#' * (level + 2)} {text}" for level, text in enumerate(item.heading)]
            heading = item.heading
        out.append(f"- [{'x' if item.done else ' '}] {item.text}")
    if plan.components:
        out += ["```bash"] + [f"rollback --component {name}" for name in plan.components] + ["```"]
    return "\n".join(out) + "\n"


@contextmanager
def saved(data: bytes) -> Iterator[Path]:
    """``data`` written to a plan file in a fresh folder (hypothesis cannot use tmp_path)."""
    with tempfile.TemporaryDirectory(prefix="mc-roundtrip-") as folder:
        path = Path(folder) / "plan.md"
        path.write_bytes(data)
        yield path


@SETTINGS
@given(files())
def test_load_then_save_is_byte_identical(case):
    data, _, _, _ = case
    with saved(data) as path:
        pf = load_plan(path)
        assert not pf.modified
        pf.save()
        assert path.read_bytes() == data


@SETTINGS
@given(files())
def test_parse_serialise_parse_gives_the_same_model(case):
    data, codec, _, bom = case
    text = data[len(bom) :].decode(codec)
    first = parse_plan(text)
    assert first.errors == [], [str(e) for e in first.errors]
    second = parse_plan(serialise(first))
    assert model(second) == model(first)


@SETTINGS
@given(files(), st.data())
def test_reschedule_changes_only_that_line_and_undo_restores_every_byte(case, data):
    raw, codec, _, bom = case
    with saved(raw) as path:
        _reschedule_one(path, raw, codec, bom, data)


def _reschedule_one(path: Path, raw: bytes, codec: str, bom: bytes, data) -> None:
    pf = load_plan(path)
    tasks = [t for t in pf.plan.tasks if t.resolved]
    if not tasks:
        return
    task = data.draw(st.sampled_from(tasks))
    start = pf.plan.task(task.key).start.replace(hour=data.draw(st.integers(0, 20)), minute=0)
    hours = data.draw(st.sampled_from([None, 1, 3]))
    try:
        result = pf.reschedule(task.key, start=start, duration=timedelta(hours=hours) if hours else None)
    except PlanError:
        assert pf.document.to_bytes() == raw  # refused: nothing changed
        return
    assert [e.index for e in result.edits] in ([], [task.item_spans[0].index])
    moved = pf.plan.task(task.key)
    assert moved.start == start and (hours is None or moved.duration == timedelta(hours=hours))
    pf.save()
    text = raw[len(bom) :].decode(codec)
    for edit in result.edits:
        text = _replace_line(text, edit.index, edit.old, edit.new)
    assert path.read_bytes() == bom + text.encode(codec)
    pf.undo(result.edits)
    assert pf.document.to_bytes() == raw
    pf.save()
    assert path.read_bytes() == raw


def _replace_line(text: str, index: int, old: str, new: str) -> str:
    """``text`` with line ``index`` (split on any ending) changed from ``old`` to ``new``."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    assert parts[index * 2] == old
    parts[index * 2] = new
    return "".join(parts)
