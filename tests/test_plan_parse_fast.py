"""The plan parser's fast paths agree with the straightforward code they replaced.

Each test keeps the slow reference next to the generated inputs it is compared on: item splitting,
cached date parsing and formatting, fixed-length durations, flowchart ids read in one step, and
``Dependency.fast``.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from mission_control.plan import flowchart as flowchart_module
from mission_control.plan import gantt as gantt_module
from mission_control.plan import markdown as markdown_module
from mission_control.plan.dates import _MONTHS, DateFormat, _format_token, _tokens, parse_duration
from mission_control.plan.flowchart import _PLAIN_ID_RE, _id_char, parse_flowchart
from mission_control.plan.gantt import _Resolver, parse_gantt
from mission_control.plan.loader import ParseMemo, _normal, _TaskMatcher, build_plan, parse_plan
from mission_control.plan.markdown import display_text, parse_structure
from mission_control.plan.model import Dependency, Heading, Plan, Span, Task, item_spans
from mission_control.plan.schedule import analyse

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_ITEM_CHARS = st.sampled_from([" ", "\t", ",", "a", "t", "1", "-", ":", "\u00a0", "\u2003", "é", "\x1c", "x"])


def _split_items_reference(text: str, start: int, end: int, index: int) -> tuple[list[str], list[Span]]:
    items, spans = [], []
    pos = start
    for raw in text[start:end].split(","):
        lead = len(raw) - len(raw.lstrip())
        item = raw.strip()
        items.append(item)
        spans.append(Span(index, pos + lead, pos + lead + len(item)))
        pos += len(raw) + 1
    return items, spans


@SETTINGS
@given(st.text(_ITEM_CHARS, max_size=30), st.data())
def test_item_spans_match_the_reference(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    items, spans = _split_items_reference(text, start, end, 7)
    assert item_spans(text, start, end, 7) == tuple(spans)
    assert [text[span.start : span.end] for span in spans] == items


@SETTINGS
@given(
    st.lists(st.sampled_from(["crit", "done", "t1", "after a", "2024-01-01", "1d", " ", ""]), min_size=1, max_size=5),
    st.text(st.sampled_from([" ", "\t", "\u00a0"]), max_size=2),
)
def test_a_parsed_tasks_spans_point_at_its_items(items: list[str], pad: str) -> None:
    """The spans read on demand from a task's line show exactly its id, start and end items."""
    line = f"    Task {pad}:{pad}" + f"{pad},{pad}".join(items)
    chart = parse_gantt([(0, "gantt"), (1, "dateFormat YYYY-MM-DD"), (2, "section S"), (3, line)])
    for task in chart.tasks:
        written = [text for text in (task.id, task.start_item, task.end_item) if text is not None]
        assert [line[s.start : s.end] for s in task.item_spans] == written
        assert all(span.index == 3 for span in task.item_spans)


def _format_reference(tok: str, v: datetime) -> str:
    simple = {
        "YYYY": f"{v.year:04d}",
        "YY": f"{v.year % 100:02d}",
        "Q": str((v.month - 1) // 3 + 1),
        "MMMM": _MONTHS[v.month - 1],
        "MMM": _MONTHS[v.month - 1][:3],
        "MM": f"{v.month:02d}",
        "M": str(v.month),
        "DD": f"{v.day:02d}",
        "D": str(v.day),
        "HH": f"{v.hour:02d}",
        "H": str(v.hour),
        "hh": f"{(v.hour % 12) or 12:02d}",
        "h": str((v.hour % 12) or 12),
        "a": "pm" if v.hour >= 12 else "am",
        "A": "PM" if v.hour >= 12 else "AM",
        "mm": f"{v.minute:02d}",
        "m": str(v.minute),
        "ss": f"{v.second:02d}",
        "s": str(v.second),
        "SSS": f"{v.microsecond // 1000:03d}",
        "SS": f"{v.microsecond // 10000:02d}",
        "S": str(v.microsecond // 100000),
        "ZZ": "+0000",
        "Z": "+00:00",
    }
    return simple.get(tok, _format_token(tok, v))  # "Do", "x", "X" and literals are unchanged code


_TOKENS = ["YYYY", "YY", "Q", "MMMM", "MMM", "MM", "M", "Do", "DD", "D", "HH", "H", "hh", "h", "a", "A"]
_TOKENS += ["mm", "m", "ss", "s", "SSS", "SS", "S", "ZZ", "Z", "[at]", "-", " ", ":"]


@SETTINGS
@given(st.sampled_from(_TOKENS), st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30)))
def test_token_formatting_matches_the_reference(tok: str, value: datetime) -> None:
    assert _format_token(tok, value) == _format_reference(tok, value)


_PATTERNS = ["YYYY-MM-DD", "YYYY-MM-DD HH:mm", "HH:mm", "DD/MM/YY h:mm a", "MMM D, YYYY", "Do MMMM", "x", "X"]


@SETTINGS
@given(
    st.sampled_from(_PATTERNS),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([None, date(2024, 2, 29), date(1999, 12, 31)]),
    st.sampled_from(["", " ", "x", "0", "th"]),
)
def test_cached_parse_matches_the_uncached_parse(pattern: str, value: datetime, ref: date | None, noise: str) -> None:
    fmt = DateFormat(pattern)
    for text in (fmt.format(value), fmt.format(value) + noise, noise + fmt.format(value)):
        assert fmt.parse(text, ref) == fmt._parse_uncached(text, ref)
        assert fmt.parse(text, ref) == fmt.parse(text, ref)  # a cache hit gives the same answer
    assert fmt.format(value) == "".join(_format_reference(tok, value) for tok in _tokens(pattern))


def _add_reference(amount: Decimal, unit: str, start: datetime) -> datetime:
    exact = {"ms": Decimal(1), "s": Decimal(1000), "m": Decimal(60_000), "h": Decimal(3_600_000)}
    if unit in exact:
        return start + timedelta(milliseconds=float(amount * exact[unit]))
    days = amount * (7 if unit == "w" else 1)
    return start + timedelta(days=int(days.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@SETTINGS
@given(
    st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False),
    st.sampled_from(["ms", "s", "m", "h", "d", "w"]),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)
def test_fixed_durations_add_as_before(amount: Decimal, unit: str, start: datetime) -> None:
    duration = parse_duration(f"{amount}{unit}")
    assert duration is not None
    assert duration.add_to(start) == _add_reference(duration.amount, unit, start)
    assert duration.add_to(start) == _add_reference(duration.amount, unit, start)  # the cached length


_ID_CHARS = st.sampled_from(list("aZ09_.-=>!#$%'*+`?\\/ &[](){}|:;é\u00b2\u2003\t") + ["ſ"])


@SETTINGS
@given(st.text(_ID_CHARS, max_size=20))
def test_plain_id_run_is_what_id_char_accepts(text: str) -> None:
    slow = 0
    while slow < len(text) and _id_char(text, slow):
        slow += 1
    fast = _PLAIN_ID_RE.match(text, 0).end()  # type: ignore[union-attr]
    assert fast <= slow  # every character of the plain run is an id character whatever follows
    while fast < len(text) and _id_char(text, fast):
        fast += 1
    assert fast == slow


def test_fast_dependency_is_an_ordinary_dependency() -> None:
    assert [f.name for f in dataclasses.fields(Dependency)] == ["from_key", "to_key", "kind", "label", "source", "line"]
    args = ("a", "b", "finish-to-start", None, "after", 3)
    fast, slow = Dependency.fast(*args), Dependency(*args)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert type(fast) is Dependency and dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert dataclasses.replace(fast, line=4) == Dependency("a", "b", "finish-to-start", None, "after", 4)


_LINE_PARTS = st.sampled_from(
    [
        " ", "\t", "\u00a0", "\x1c", "Task", "title", "Title", "section", "ſection", "\u212aeep", "dateFormat",
        "inclusiveEndDates", "topAxis", "gantt", "accTitle", "accDescr", "{", "}", ":", ",", ";", "#", "%%",
        "2024-01-01", "1d", "after", "a", "crit", "x", "excludes", "weekend", "friday", "click", "todayMarker",
    ]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.lists(_LINE_PARTS, max_size=8).map("".join), max_size=8))
def test_task_lines_skip_the_statement_checks_only_when_they_would_find_nothing(lines: list[str]) -> None:
    """Lines routed straight to the task reader parse as when every line takes the full checks."""
    body = [(0, "gantt"), *((i + 1, line) for i, line in enumerate(lines))]
    fast = parse_gantt(body)
    original = gantt_module._STATEMENT_START_RE
    gantt_module._STATEMENT_START_RE = re.compile("")  # every line "starts like a statement"
    try:
        slow = parse_gantt(body)
    finally:
        gantt_module._STATEMENT_START_RE = original
    assert fast == slow


def _forward_only_reference(plan: Plan) -> bool:
    """The two-pass check the loader made before it folded it into reading ``after`` ids."""
    position = {t.key: pos for pos, t in enumerate(plan.tasks)}
    for dep in plan.dependencies:
        if position.get(dep.from_key, len(position)) >= position.get(dep.to_key, -1):
            return False
    for pos, task in enumerate(plan.tasks):
        if position[task.key] != pos:
            return False
        if task.start_item is None and task.prev_key is not None and position.get(task.prev_key, -1) >= pos:
            return False
        if any(position.get(key, -1) >= pos for key in task.until_ids):
            return False
    return True


_IDS = st.sampled_from(["a", "b", "c", "d", "zz"])


@st.composite
def _small_plans(draw: st.DrawFn) -> str:
    lines = ["```mermaid", "gantt", "dateFormat YYYY-MM-DD"]
    for number in range(draw(st.integers(1, 6))):
        task_id = draw(st.one_of(st.none(), _IDS))
        start = draw(
            st.one_of(
                st.none(),
                st.just("2024-01-01"),
                st.lists(_IDS, min_size=1, max_size=2).map(lambda ids: "after " + " ".join(ids)),
            )
        )
        end = draw(
            st.one_of(st.just("1d"), st.lists(_IDS, min_size=1, max_size=2).map(lambda ids: "until " + " ".join(ids)))
        )
        items = [
            item for item in (task_id if start is not None or task_id is None else None, start, end) if item is not None
        ]
        if task_id is not None and start is None:
            items = [end]
        lines.append(f"T{number} : " + ", ".join(items))
    lines += ["```", "```mermaid", "graph TD"]
    lines += [f"{a} --> {b}" for a, b in draw(st.lists(st.tuples(_IDS, _IDS), max_size=4))]
    return "\n".join([*lines, "```", ""])


@SETTINGS
@given(_small_plans())
def test_after_dependencies_and_the_forward_check_match_the_two_pass_reference(text: str) -> None:
    memo = ParseMemo()
    plan = build_plan(text, parse_structure(text), memo=memo)
    after = [d for d in plan.dependencies if d.source == "after"]
    keys = {t.key for t in plan.tasks}
    expected = [(key, t.key) for t in plan.tasks if t.start_item is not None for key in t.after_ids if key in keys]
    assert [(d.from_key, d.to_key) for d in after] == expected
    assert memo.forward == _forward_only_reference(plan)


@SETTINGS
@given(
    st.lists(
        st.text(st.sampled_from(["a", "B", " ", "\t", "!", "é", "\u212a", "İ", "1", "-", "\u00a0"]), max_size=8),
        min_size=1,
        max_size=6,
    )
)
def test_task_names_normalised_together_match_one_by_one(names: list[str]) -> None:
    tasks = [Task(f"t{i}", f"t{i}", name, "S", (), i + 1, None, "1h") for i, name in enumerate(names)]
    matcher = _TaskMatcher(tasks)
    matcher._index_names()
    assert matcher.normal == [_normal(name) for name in names]
    for name in set(matcher.normal):
        assert matcher._exact(name.split()) == [i for i, other in enumerate(names) if _normal(other) == name]


@SETTINGS
@given(_small_plans(), st.sampled_from(["1d", "0d", "2024-01-03", "x", "1M", "until a"]))
def test_tasks_the_report_skips_are_those_it_would_find_nothing_about(text: str, last_end: str) -> None:
    text = text.replace("```\n```mermaid\ngraph", f"Last : {last_end}\n```\n```mermaid\ngraph", 1)
    body = [(i, line) for i, line in enumerate(text.split("\n")[1:]) if line and not line.startswith("```")]
    chart = parse_gantt(body[: next(i for i, (_, line) in enumerate(body) if line.startswith("graph"))])
    resolver = _Resolver(chart, datetime(2024, 1, 1), None)
    resolver.run()
    for task in chart.tasks:
        if resolver.fine(task):
            before = len(resolver.diagnostics)
            resolver.report_task(task)
            assert len(resolver.diagnostics) == before, task


_EDGE_PARTS = st.sampled_from(
    [
        " ", "\t", ";", "\u00a0", "a", "B", "t1", "_", "9", "é", ".", "-", "--", "-->", "--->", "---", ">", "|", "x",
        "[", "]", "(", ")", "/", "\\", '"', "&", "@", "{", "}", ":::", "click ", "direction ", "end", "style ",
        "subgraph ", "class ", "%%", "==>",
    ]
)  # fmt: skip


_EDGE_PIECES = {
    "pad": ["", " ", "\t", ";", " ;", "\u00a0"],
    "id": ["a", "B", "t1", "_x", "9", "é", "a.b", "a-b", "end", "click", "direction", "style", "class", "x"],
    "shape": ["", "[L]", "[ L ]", '["q"]', "[/p/]", "[[s]]", "(r)", "[a[b]", "@{ label: z }", ":::c", "[x"],
    "link": ["-->", " --> ", "\u00a0-->\u00a0", "--->", "---", "==>", " x--> ", "-- t -->", " & c -->", " e1@--> "],
    "label": ["", "|L|", "| L |", '|"q"|', "||", "|x"],
    "tail": ["", ";", " ; ;", " %% c", "\u00a0", " --> c", " &"],
}


@st.composite
def _edge_lines(draw: st.DrawFn) -> str:
    pick = {name: st.sampled_from(options) for name, options in _EDGE_PIECES.items()}
    parts = ["pad", "id", "shape", "link", "label", "pad", "id", "shape", "tail"]
    return "".join(draw(pick[part]) for part in parts)


@SETTINGS
@given(st.lists(st.one_of(_edge_lines(), st.lists(_EDGE_PARTS, max_size=10).map("".join)), max_size=6))
def test_edge_lines_read_in_one_match_read_as_the_general_parser_reads_them(lines: list[str]) -> None:
    body = [(0, "graph TD"), *((i + 1, line) for i, line in enumerate(lines))]
    fast = parse_flowchart(body)
    original = flowchart_module._FAST_EDGE_RE
    flowchart_module._FAST_EDGE_RE = re.compile("(?!)")  # matches nothing: every line takes the general path
    try:
        slow = parse_flowchart(body)
    finally:
        flowchart_module._FAST_EDGE_RE = original
    assert fast == slow
    assert list(fast.nodes.items()) == list(slow.nodes.items())  # in order of appearance


def test_keyword_and_unusual_edge_lines_read_as_the_general_parser_reads_them() -> None:
    """Every combination of the pieces' first few spellings, the keywords and oddities among them."""
    pieces = [options[:6] if name != "id" else options for name, options in _EDGE_PIECES.items()]
    pad, ids, shapes, links, labels, tails = pieces
    lines = [
        f"{p}{a}{sa}{link}{label} {b}{sb}{tail}"
        for p in pad[:2] for a in ids for sa in shapes[:3] for link in links[:3]
        for label in labels[:3] for b in ids[:3] + ["end", "click"] for sb in shapes[:2] for tail in tails[:2]
    ]  # fmt: skip
    test_edge_lines_read_in_one_match_read_as_the_general_parser_reads_them.hypothesis.inner_test(lines)  # type: ignore[attr-defined]


def test_the_usual_edge_lines_take_the_one_match_path() -> None:
    for line in ("    t1[Task number 1] -->|Blocks| t6", "  t0 --> t50;", "a --> |q| b[ B ]"):
        assert flowchart_module._FAST_EDGE_RE.match(line), line


_MARKDOWN_LINES = st.sampled_from(
    [
        "# Title", "## *Team* `one` \\*x\\*", "### [link][ref] and [b](http://x) &amp; <b>h</b>", "Setext", "---", "===",
        "- [ ] item *one*", "- [x] done \\[x\\]", "  - [ ] nested", "1. [ ] numbered", "> - [ ] quoted", "",
        "```mermaid", "```", "~~~bash", "rollback --component core", "[ref]: http://example.com", "    code",
        "text with \0 nul", "para **bold**", "## heading with trailing #", "<div>", "</div>",
    ]
)  # fmt: skip


@SETTINGS
@given(st.lists(_MARKDOWN_LINES, max_size=14), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_structure_read_without_the_inline_pass_is_the_structure_read_with_it(
    lines: list[str], ending: str
) -> None:
    text = ending.join(lines) + ending
    fast = parse_structure(text)
    blocks, clean = markdown_module._BLOCKS, markdown_module._CLEAN_BLOCKS
    markdown_module._BLOCKS = markdown_module._CLEAN_BLOCKS = markdown_module._MD  # every pass, as before
    try:
        slow = parse_structure(text)
    finally:
        markdown_module._BLOCKS, markdown_module._CLEAN_BLOCKS = blocks, clean
    assert fast == slow
    tokens = MarkdownIt("commonmark").parse(text)  # every pass, text_join included
    expected = [
        Heading(int(token.tag[1:]), display_text(_inline_text_reference(tokens[pos + 1])), token.map[0] + 1)
        for pos, token in enumerate(tokens)
        if token.type == "heading_open" and token.map
    ]
    assert fast.headings == expected


def _inline_text_reference(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts) if token.children else token.content


@SETTINGS
@given(_small_plans())
def test_the_schedule_of_a_plan_in_file_order_is_the_schedule_found_by_sorting(text: str) -> None:
    plan = build_plan(text, parse_structure(text), today=datetime(2024, 1, 1))
    fast = analyse(plan)
    plan.forward = False  # the general way: Kahn's sort of the links
    slow = analyse(plan)
    assert (fast.critical_path, fast.total_float, fast.conflicts) == (
        slow.critical_path,
        slow.total_float,
        slow.conflicts,
    )


def test_a_plan_whose_dependencies_point_down_the_file_is_known_to_be_in_order() -> None:
    text = "```mermaid\ngantt\ndateFormat YYYY-MM-DD\nA :a, 2024-01-01, 1d\nB :b, after a, 1d\n```\n"
    assert parse_plan(text).forward
    assert not parse_plan(text.replace("A :a, 2024-01-01, 1d", "A :a, after b, 1d")).forward
