"""Issue 18, "Mermaid fidelity to 100 %": the cases the issue names, with the results Mermaid itself
gives. Expected values were produced by running Mermaid 11.17.2 in Node (TZ=UTC, jsdom) on the same
text; the grammar rules they follow are cited from Mermaid's ``ganttDb.js``, ``flow.jison`` and
``flowDb.ts``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from mission_fixtures import shop_project

from mission_control import cli
from mission_control.plan import parse_plan
from mission_control.plan.flowchart import parse_flowchart


def gantt(body: str):
    return parse_plan(f"# Plan\n\n```mermaid\ngantt\n{body}\n```\n", "plan.md", datetime(2024, 6, 3))


def flow(*lines: str):
    return parse_flowchart(list(enumerate(["graph TD", *lines])), "plan.md")


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- 10d tasks starting on a Saturday or a Friday with weekends excluded (checkTaskDates/fixTaskDates) ---------

WEEKENDS = [
    # (dateFormat, weekend line, sat start, fri start, end of both, end of "after sat, 1d") from Mermaid 11.17.2
    ("YYYY-MM-DD", "", "2024-01-06", "2024-01-05", "2024-01-19", "2024-01-22"),
    ("YYYY-MM-DD HH:mm", "", "2024-01-06 09:00", "2024-01-05 09:00", "2024-01-19 09:00", "2024-01-22 09:00"),
    ("YYYY-MM-DD", "weekend friday", "2024-01-06", "2024-01-05", "2024-01-18", "2024-01-21"),
    (
        "YYYY-MM-DD HH:mm",
        "weekend friday",
        "2024-01-06 09:00",
        "2024-01-05 09:00",
        "2024-01-18 09:00",
        "2024-01-21 09:00",
    ),
]


@pytest.mark.parametrize(("fmt", "weekend", "sat", "fri", "end", "next_end"), WEEKENDS)
def test_ten_days_from_a_saturday_or_a_friday_end_where_mermaid_ends_them(fmt, weekend, sat, fri, end, next_end):
    plan = gantt(
        f"dateFormat {fmt}\nexcludes weekends\n{weekend}\n"
        f"Sat :sat, {sat}, 10d\nFri :fri, {fri}, 10d\nNext :next, after sat, 1d"
    )
    got = {t.key: (t.start, t.end) for t in plan.tasks}
    assert got == {
        "sat": (d(sat), d(end)),
        "fri": (d(fri), d(end)),
        "next": (d(end), d(next_end)),
    }
    assert plan.errors == []


# -- front matter (Mermaid 11.17's frontMatterRegex: same indentation to open and close) ----------------------

GANTT = "gantt\n  dateFormat HH:mm\n  A :a, 00:00, 1h\n"


def block(text: str):
    return parse_plan(f"# Plan\n\n```mermaid\n{text}```\n", "plan.md")


def test_front_matter_indented_differently_is_rejected_with_file_and_line() -> None:
    # Mermaid: "Diagrams beginning with --- are not valid …" / "Parse error on line 1"
    for text, line in [
        ("---\n  title: T\n  ---\n" + GANTT, 6),
        ("   ---\ntitle: T\n---\n" + GANTT, 6),
    ]:
        plan = block(text)
        assert [str(e) for e in plan.errors] == [
            f"plan.md:{line}: error: front matter closes with '---' at another indentation than it opens "
            "(line 4); Mermaid rejects the diagram"
        ]
        assert plan.tasks == []
    plan = block("\n---\ntitle: T\n---\n" + GANTT)  # not on the first line
    assert "front matter must open on the diagram's first line" in str(plan.errors[0])
    assert plan.errors[0].line == 5


def test_front_matter_indented_alike_is_read_as_mermaid_11_17_reads_it_with_a_warning() -> None:
    plan = block("  ---\n  title: Shop\n  ---\n" + GANTT)
    assert plan.title == "Shop" and [t.key for t in plan.tasks] == ["a"] and plan.errors == []
    assert [w.line for w in plan.warnings] == [4]
    assert "Mermaid 11.14 and older reject the diagram" in plan.warnings[0].message
    assert block("---\ntitle: Shop\n---\n" + GANTT).warnings == []


def test_front_matter_before_a_flowchart_is_read_too() -> None:
    plan = block("---\ntitle: Order\n---\ngraph TD\n  a-->b\n")
    assert plan.errors == []  # was "expected 'graph' or 'flowchart' to open the diagram, found '---'"
    assert [n.id for n in plan.graph.nodes] == ["a", "b"]


# -- a first task without a start: Mermaid throws (prevTask is undefined) ----------------------------------------


def test_a_first_task_without_a_start_is_an_error_naming_its_line() -> None:
    plan = gantt("dateFormat YYYY-MM-DD\nsection S\nWrite docs : 2d\nReview :r, 2024-06-05, 1d")
    assert [(e.line, e.message) for e in plan.errors] == [
        (
            7,
            "task 'Write docs' is the first task and has no start: Mermaid rejects the diagram "
            "(e.g. 'Write docs :id, <start>, 2d')",
        )
    ]


# -- flowchart edge labels with & chains (flowDb.addSingleLink: quoted parts unquoted, then trimmed) ------------

LABELS = [
    ('A -- " q  r " --> B & C', "q  r"),
    ('A -->|" q  r "| B & C', "q  r"),
    ('A == " q  r " ==> B & C', "q  r"),
    ('A -. " q  r " .-> B & C', "q  r"),
    ('A -- "a" b --> B & C', "a b"),
    ("A -- two  words --> B & C", "two  words"),
    ("A -->|  a  b  | B & C", "a  b"),
]


@pytest.mark.parametrize(("line", "label"), LABELS)
def test_labels_on_and_chains_are_kept_as_mermaid_keeps_them(line: str, label: str) -> None:
    chart = flow(line)
    assert chart.diagnostics == []
    assert [(a, b, text) for a, b, text, *_ in chart.edges] == [("A", "B", label), ("A", "C", label)]


def test_a_text_link_closed_by_two_strokes_is_an_error_as_in_mermaid() -> None:
    for line in ("A -- t -- B & C", "A == t == B"):
        chart = flow(line)
        assert chart.edges == [] and "never closed" in chart.diagnostics[0].message
    assert [(a, b, t) for a, b, t, *_ in flow("A -- t --- B").edges] == [("A", "B", "t")]


# -- subgraphs: a box, not a node, until an edge names its id ---------------------------------------------------


def test_subgraph_titles_and_ids() -> None:
    chart = flow(
        "subgraph alpha [Team Alpha]",  # id alpha, title "Team Alpha" (textNoTags SQS text SQE)
        "  a-->b",
        "end",
        "subgraph Two words",  # Mermaid gives it the id subGraph1: nobody can name it
        "  c-->d",
        "end",
        "subgraph beta[Beta work]",
        "end",
        "beta --> a",
    )
    assert chart.diagnostics == []
    assert chart.subgraphs == {"alpha": "Team Alpha", "beta": "Beta work"}
    assert "alpha" not in chart.nodes and "Two words" not in chart.nodes  # grouping only
    assert chart.nodes["beta"] == "Beta work"  # an edge names it: it shows its title


def test_a_grouping_subgraph_adds_no_unmatched_node_warning() -> None:
    plan = parse_plan(
        "# P\n\n```mermaid\ngantt\n  dateFormat HH:mm\n  Core :a, 00:00, 1h\n  Config :b, 00:00, 1h\n```\n\n"
        "```mermaid\ngraph TD\n  subgraph alpha [Team Alpha]\n    a-->b\n  end\n```\n",
        "plan.md",
    )
    assert plan.diagnostics == []
    assert [(d.from_key, d.to_key) for d in plan.dependencies] == [("a", "b")]


# -- style and click lines (flow.jison: styleStatement calls addVertex; setClickEvent only sets) -----------------


def test_style_introduces_a_node_and_click_or_class_does_not() -> None:
    chart = flow("A-->B", "style C fill:#f00", "click D call cb()", 'click E "https://example.com"', "class F hot")
    assert chart.nodes == {"A": "A", "B": "B", "C": "C"}
    assert chart.node_lines["C"] == 3
    assert flow("A[Alpha]-->B", "style A fill:#0f0").nodes["A"] == "Alpha"  # an existing node keeps its label


# -- on a realistic project: `check` names the file and line -------------------------------------------------


def test_check_on_a_project_plan_reports_what_mermaid_rejects(git_repo: Path, capsys) -> None:
    plan = "# Shop\n\n```mermaid\n  ---\n  title: Shop\n---\ngantt\n  dateFormat YYYY-MM-DD\n  Docs : 2d\n```\n"
    shop = shop_project(git_repo, plan=plan)
    assert cli.run(["check", str(shop / "docs/plan.md")]) == 1
    out = capsys.readouterr().out
    assert f"{shop / 'docs/plan.md'}:6: error: front matter closes with '---' at another indentation" in out
    plan = "# Shop\n\n```mermaid\ngantt\n  dateFormat YYYY-MM-DD\n  Docs : 2d\n```\n"
    (shop / "docs/plan.md").write_text(plan)
    assert cli.run(["check", str(shop / "docs/plan.md")]) == 1
    assert (
        f"{shop / 'docs/plan.md'}:6: error: task 'Docs' is the first task and has no start" in capsys.readouterr().out
    )
