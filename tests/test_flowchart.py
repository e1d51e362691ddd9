"""Mermaid flowcharts: shapes, links, labels, chains, groups, ignored lines, errors, task matching."""

from __future__ import annotations

import pytest

from mission_control.plan import FINISH_TO_START, START_TO_START, parse_plan
from mission_control.plan.flowchart import parse_flowchart


def chart(*lines: str, header: str = "graph TD"):
    """Parse a flowchart whose first line is ``header`` (line 1) and then ``lines``."""
    return parse_flowchart(list(enumerate([header, *lines])), "plan.md")


def edges(*lines: str) -> list[tuple]:
    result = chart(*lines)
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    return [(a, b, label, kind) for a, b, label, kind, _ in result.edges]


SHAPES = [
    "A[t]",
    "A(t)",
    "A{t}",
    "A{{t}}",
    "A([t])",
    "A[(t)]",
    "A((t))",
    "A(((t)))",
    "A>t]",
    "A[[t]]",
    "A[/t/]",
    "A[\\t\\]",
    "A[/t\\]",
    "A[\\t/]",
    'A@{ shape: rect, label: "t" }',
    "A[ t ]",
    'A["t"]',
    "A[t]:::cls",
]


@pytest.mark.parametrize("node", SHAPES)
def test_every_shape_gives_the_label(node):
    result = chart(f"{node} --> B")
    assert result.diagnostics == []
    assert result.nodes == {"A": "t", "B": "B"}


def test_quoted_labels_keep_brackets_and_the_class_suffix_is_not_part_of_the_id():
    assert chart('A["a (b) [c] {d}"]').nodes == {"A": "a (b) [c] {d}"}
    assert chart("A:::cls --> B").nodes == {"A": "A", "B": "B"}


def test_later_definition_replaces_the_label_and_a_bare_reference_keeps_it():
    assert chart("A[One] --> B", "A --> C", "A[Two]").nodes["A"] == "Two"
    assert chart("A[One] --> B", "A --> C").nodes["A"] == "One"


LINKS = [
    ("A-->B", "-->"),
    ("A--->B", "-->"),
    ("A---->B", "-->"),
    ("A --> B", "-->"),
    ("A---B", "---"),
    ("A----B", "---"),
    ("A--xB", "--x"),
    ("A --o B", "--o"),
    ("A<-->B", "<-->"),
    ("A x--x B", "x--x"),
    ("A o--o B", "o--o"),
    ("A==>B", "==>"),
    ("A===>B", "==>"),
    ("A===B", "==="),
    ("A==xB", "==x"),
    ("A ==o B", "==o"),
    ("A<==>B", "<==>"),
    ("A x==x B", "x==x"),
    ("A o==o B", "o==o"),
    ("A-.->B", "-.->"),
    ("A-..->B", "-.->"),
    ("A-...->B", "-.->"),
    ("A-.-B", "-.-"),
    ("A-.-xB", "-.-x"),
    ("A -.-o B", "-.-o"),
    ("A<-.->B", "<-.->"),
    ("A x-.-x B", "x-.-x"),
    ("A o-.-o B", "o-.-o"),
    ("A~~~B", "~~~"),
    ("A~~~~B", "~~~"),
    ("A---oB", "--o"),  # Mermaid's documented trap: the letter after the stroke is a head
    ("A e1@--> B", "-->"),
]


@pytest.mark.parametrize(("line", "kind"), LINKS)
def test_link_kinds_in_their_shortest_spelling(line, kind):
    assert edges(line) == [("A", "B", None, kind)]


LABELS = [
    ("A-->|text|B", "-->"),
    ("A==>|text|B", "==>"),
    ("A-.->|text|B", "-.->"),
    ("A---|text|B", "---"),
    ("A-- text -->B", "-->"),
    ("A== text ==>B", "==>"),
    ("A-. text .->B", "-.->"),
    ("A -- text --- B", "---"),
    ('A-->|"text"|B', "-->"),
    ('A-- "text" -->B', "-->"),
    ("A -->| text | B", "-->"),
]


@pytest.mark.parametrize(("line", "kind"), LABELS)
def test_both_label_forms(line, kind):
    assert edges(line) == [("A", "B", "text", kind)]


def test_label_text_may_hold_other_link_characters_and_keywords():
    assert edges("A -- a == b --> B") == [("A", "B", "a == b", "-->")]
    assert edges("A == a - b ==> B") == [("A", "B", "a - b", "==>")]
    assert edges("A -- end --> B") == [("A", "B", "end", "-->")]


def test_chains_groups_and_separators():
    assert edges("A --> B --> C") == [("A", "B", None, "-->"), ("B", "C", None, "-->")]
    assert edges("A & B --> C & D") == [
        ("A", "C", None, "-->"),
        ("A", "D", None, "-->"),
        ("B", "C", None, "-->"),
        ("B", "D", None, "-->"),
    ]
    assert len(edges("A --> B & B2 & C --> D2")) == 6
    assert edges("A -->|x| B & C") == [("A", "B", "x", "-->"), ("A", "C", "x", "-->")]
    assert edges("A-->B; B-->C;") == [("A", "B", None, "-->"), ("B", "C", None, "-->")]
    assert edges("A-->B", "A-->B") == [("A", "B", None, "-->")] * 2


@pytest.mark.parametrize(
    ("header", "direction"),
    [
        ("graph TD", "TD"),
        ("graph LR", "LR"),
        ("flowchart BT", "BT"),
        ("flowchart", "TD"),
        ("graph >", "LR"),
        ("flowchart-elk RL", "RL"),
        ("graph v", "TB"),
        ("graph TB;", "TB"),
    ],
)
def test_headers_and_directions(header, direction):
    result = chart("A-->B", header=header)
    assert result.direction == direction and len(result.edges) == 1 and result.diagnostics == []


def test_statements_on_the_header_line():
    result = parse_flowchart([(0, "graph LR;A-->B;B-->C")])
    assert [(a, b) for a, b, *_ in result.edges] == [("A", "B"), ("B", "C")]


def test_subgraphs_nodes_inside_are_ordinary_and_an_edge_can_target_one():
    result = chart(
        "subgraph one[Title One]",
        "  A-->B",
        "  subgraph inner",
        "    C-->D",
        "  end",
        "end",
        'subgraph "Quoted title"',
        "  E-->F",
        "end;",
        "subgraph Two words",
        "G-->H",
        "end",
        "one --> C",
    )
    assert result.diagnostics == []
    assert result.nodes["one"] == "Title One"
    assert [(a, b) for a, b, *_ in result.edges] == [("A", "B"), ("C", "D"), ("E", "F"), ("G", "H"), ("one", "C")]


def test_styling_and_interaction_lines_add_nothing():
    result = chart(
        "A-->B",
        "style A fill:#f00,stroke:#333;",
        "classDef hot fill:#f96;",
        "class A,B hot",
        "linkStyle 0 stroke:#f00",
        "linkStyle default interpolate basis",
        'click A "https://example.com" "tip" _blank',
        "click B call back()",
        'click B href "https://example.com"',
        "accTitle: the title",
        "accDescr: the description",
        "%% a comment --> with a link",
        "direction LR",
    )
    assert result.diagnostics == []
    assert [(a, b) for a, b, *_ in result.edges] == [("A", "B")] and set(result.nodes) == {"A", "B"}


@pytest.mark.parametrize(
    "node_id",
    [
        "a-end-node",
        "node_subgraph",
        "default",
        "default.node",
        "click-node",
        "endpoint",
        "graphic",
        "classroom",
        "stylesheet",
        "Émile",
        "x1",
    ],
)
def test_ids_that_only_look_like_keywords(node_id):
    result = chart(f"{node_id} --> B")
    assert result.diagnostics == [] and result.edges[0][0] == node_id


@pytest.mark.parametrize(
    "node_id",
    [
        "end",
        "subgraph",
        "graph",
        "flowchart",
        "style",
        "class",
        "classDef",
        "linkStyle",
        "end.node",
        "style-node",
        "class/x",
    ],
)
def test_keyword_ids_are_rejected_with_line_and_column(node_id):
    result = chart("A --> B", f"X-->{node_id}" if node_id == "subgraph" else f"{node_id}-->B")
    assert len(result.diagnostics) == 1
    diag = result.diagnostics[0]
    assert (diag.severity, diag.line, diag.file) == ("error", 3, "plan.md")
    assert "column" in diag.message


BAD_LINES = [
    ("A-->", "needs a node"),
    ("A[unclosed --> B", "never closed"),
    ("A-- text B", "never closed"),
    ("A-->B %% trailing comment", "unexpected"),
    ("A-->|open B", "unclosed"),
    ('A["unclosed] --> B', "unclosed"),
    ("subgraph --> A", "subgraph"),
]


@pytest.mark.parametrize(("line", "words"), BAD_LINES)
def test_bad_lines_give_diagnostics_with_line_numbers(line, words):
    result = chart("A --> B", line, "C --> D")
    assert len(result.diagnostics) == 1, [str(d) for d in result.diagnostics]
    assert result.diagnostics[0].line == 3 and words in result.diagnostics[0].message
    assert ("C", "D") in [(a, b) for a, b, *_ in result.edges]  # parsing goes on after a bad line


def test_a_block_that_is_not_a_flowchart_is_reported():
    result = parse_flowchart([(4, "sequenceDiagram"), (5, "A->>B: hi")], "plan.md")
    assert [(d.severity, d.line) for d in result.diagnostics] == [("error", 5)]


# --------------------------------------------------------------------------- node → task matching

GANTT = """```mermaid
gantt
dateFormat HH:mm
section S
WebSocket Emitter Unification :ws, 00:00, 2h
WebSocket Manager Unification :wm, 00:00, 2h
Supervisor Refactoring :sup, 02:00, 2h
Tool Registry Cleanup :tr, 04:00, 2h
Agent Registry Unification :ar, 04:00, 1h
```
"""


def plan_with(*lines: str):
    return parse_plan(GANTT + "\n```mermaid\ngraph TD\n" + "\n".join(lines) + "\n```\n", "plan.md")


def node_tasks(plan) -> dict[str, str | None]:
    return {n.id: n.task for n in plan.graph.nodes}


def test_nodes_match_tasks_by_id_then_label_exact_prefix_and_words():
    plan = plan_with(
        "ws --> X[Supervisor Refactoring]",
        "Y[WebSocket Emitter] --> Z[Supervisor Refactor]",
        "T[tool cleanup] --> U[websocket-manager]",
    )
    assert node_tasks(plan) == {"ws": "ws", "X": "sup", "Y": "ws", "Z": "sup", "T": "tr", "U": "wm"}
    assert plan.warnings == []


def test_ambiguous_and_unmatched_nodes_are_warnings_not_guesses():
    plan = plan_with("A[WebSocket] --> B[Registry]", "B --> C[Coffee Break]")
    assert node_tasks(plan) == {"A": None, "B": None, "C": None}
    warnings = {w.line: w.message for w in plan.warnings}
    assert "several tasks" in warnings[14] and "no gantt task" in warnings[15]
    assert plan.dependencies == []


def test_edges_give_dependencies_with_kinds_from_labels():
    plan = plan_with(
        "ws -->|Can Start Parallel| wm",
        "wm -- Blocks --> sup",
        "sup ==> tr",
        "tr -.->|can start in parallel| ar",
    )
    deps = [(d.from_key, d.to_key, d.kind, d.label, d.source, d.line) for d in plan.dependencies]
    assert deps == [
        ("ws", "wm", START_TO_START, "Can Start Parallel", "graph", 14),
        ("wm", "sup", FINISH_TO_START, "Blocks", "graph", 15),
        ("sup", "tr", FINISH_TO_START, None, "graph", 16),
        ("tr", "ar", START_TO_START, "can start in parallel", "graph", 17),
    ]


def test_edges_with_an_unmatched_end_add_no_dependency_but_stay_in_the_graph():
    plan = plan_with("ws --> Q[Quality Gate] --> sup")
    assert plan.dependencies == []
    assert [(e.from_id, e.to_id, e.kind) for e in plan.graph.edges] == [("ws", "Q", "-->"), ("Q", "sup", "-->")]


def test_flowchart_errors_reach_the_plan_with_file_lines():
    plan = plan_with("ws --> sup", "end --> ws")
    assert [(e.line, e.file) for e in plan.errors] == [(15, "plan.md")]
    assert [(d.from_key, d.to_key) for d in plan.dependencies] == [("ws", "sup")]
