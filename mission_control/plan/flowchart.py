"""Mermaid flowcharts (``graph``/``flowchart``): nodes, labels and edges, for dependencies.

Covers what dependency edges need: every bracket shape and quoted label, ``A@{ label: ... }``,
``:::class`` suffixes, every link stroke and head (``-->``, ``---``, ``==>``, ``-.->``, ``--x``,
``<-->``, ``~~~`` and their longer spellings), ``|label|`` and ``-- label -->`` labels, chains,
``&`` groups, ``;`` separators and subgraphs (a node only when an edge names its id, shown with its
title). ``style X`` creates node X, as Mermaid's ``addVertex`` does; ``classDef``, ``class``,
``linkStyle`` and ``click`` lines add nothing (``click`` on an unknown id creates nothing in Mermaid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from mission_control.plan.frontmatter import split_front_matter
from mission_control.plan.model import Diagnostic

_HEADER_RE = re.compile(r"^(graph|flowchart|flowchart-elk)\b\s*(TB|TD|BT|RL|LR|>|<|\^|v)?\s*;?\s*$", re.IGNORECASE)
# A keyword needs whitespace after it: ``style-node`` is a (bad) node id, not a style line.
_SKIP_RE = re.compile(r"^(?:(?:style|classDef|class|linkStyle|click|direction)\s|acc(?:Title|Descr)\s*[:{])")
_RESERVED = {
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "style",
    "class",
    "classDef",
    "linkStyle",
    "interpolate",
    "_self",
    "_blank",
    "_parent",
    "_top",
}
# A line starting with these is a statement (or an error), never an edge from a node of that name.
_NOT_A_SOURCE: Final = frozenset({*_RESERVED, "click", "direction"})
# Shapes, longest opening first; each maps to the closings that end it.
_SHAPES = [
    ("(((", (")))",)),
    ("((", ("))",)),
    ("([", ("])",)),
    ("[[", ("]]",)),
    ("[(", (")]",)),
    ("[/", ("/]", "\\]")),
    ("[\\", ("\\]", "/]")),
    ("{{", ("}}",)),
    ("(", (")",)),
    ("[", ("]",)),
    ("{", ("}",)),
    (">", ("]",)),
]
_SHAPE_STARTS: Final = frozenset(opening[0] for opening, _ in _SHAPES)
_LINK_RE = re.compile(
    # A head letter right after the stroke belongs to the link, as in Mermaid: A---oB is A --o B.
    r"\s*(?P<l>[xo<]?)(?P<body>-{2,}|={2,}|-\.+-|~{3,})(?P<r>>|[xo]|)\s*"
)
_QUOTED_RE = re.compile(r'"([^"]*)"')
_EDGE_ID_RE = re.compile(r"\s+[A-Za-z0-9_]+@(?=\s*[xo<]?(?:--|==|-\.|~~))")
_TEXT_LINK_OPEN_RE = re.compile(r"\s*(?P<l>[xo<]?)(?P<open>--|==|-\.)(?=[^-=.>])")
# A closing stroke without a head needs three characters: ``-- t --- B`` is a link, ``-- t -- B`` an error.
_CLOSE_RES = {
    "--": re.compile(r"\s*-{2,}(?P<r>>|[xo](?!\w)|(?<=---))\s*"),
    "==": re.compile(r"\s*={2,}(?P<r>>|[xo](?!\w)|(?<====))\s*"),
    "-.": re.compile(r"\s*\.+-(?P<r>>|[xo](?!\w)|)\s*"),
}


@dataclass
class Flowchart:
    """Nodes (id → label, first line) in order of appearance and edges as written."""

    direction: str = "TD"
    nodes: dict[str, str] = field(default_factory=dict)
    node_lines: dict[str, int] = field(default_factory=dict)
    edges: list[tuple[str, str, str | None, str, int]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    subgraphs: dict[str, str] = field(default_factory=dict)  # id -> title; a node only once an edge names it


class FlowchartSyntaxError(Exception):
    """One statement that does not parse; ``column`` is where it went wrong."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


def parse_flowchart(lines: list[tuple[int, str]], file: str | None = None) -> Flowchart:
    """Parse a flowchart block given as (0-based line index, text) pairs."""
    chart = Flowchart()
    header_seen = False
    found = split_front_matter(lines)
    for level, at, message in found.problems:
        chart.diagnostics.append(Diagnostic(level, at + 1, message, file))
    for index, text in found.body:
        stripped = text.strip()
        if not stripped or (stripped.startswith("%%")):
            continue
        if header_seen:
            fast = _FAST_EDGE_RE.match(text)
            if fast is not None and fast.group(1) not in _NOT_A_SOURCE and fast.group(4) not in _RESERVED:
                source, target = fast.group(1, 4)
                _add_node(chart, index, source, _label(fast.group(2)))
                _add_node(chart, index, target, _label(fast.group(5)))
                edge_label = fast.group(3)
                chart.edges.append(
                    (source, target, None if edge_label is None else edge_label.strip(), "-->", index + 1)
                )
                continue
        else:
            header_seen = True
            header = _HEADER_RE.match(stripped)
            if header:
                chart.direction = _direction(header.group(2))
                continue
            first = stripped.split(";", 1)
            header = _HEADER_RE.match(first[0])
            if not header:
                chart.diagnostics.append(
                    Diagnostic(
                        "error",
                        index + 1,
                        f"expected 'graph' or 'flowchart' to open the diagram, found {stripped[:40]!r}",
                        file,
                    )
                )
                return chart
            chart.direction = _direction(header.group(2))
            stripped = first[1] if len(first) > 1 else ""
            text = stripped
        _parse_line(chart, index, text, file)
    return chart


def _direction(token: str | None) -> str:
    return {None: "TD", ">": "LR", "<": "RL", "^": "BT", "v": "TB"}.get(token, (token or "TD").upper())


def _parse_line(chart: Flowchart, index: int, text: str, file: str | None) -> None:
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t;":
            pos += 1
        if pos >= len(text):
            return
        rest = text[pos:]
        if _SKIP_RE.match(rest):
            styled = re.match(r"style\s+(\S+)", rest)
            if styled and styled.group(1) not in chart.nodes:  # Mermaid's addVertex: 'style X' creates X
                chart.nodes[styled.group(1)] = chart.subgraphs.get(styled.group(1), styled.group(1))
                chart.node_lines[styled.group(1)] = index + 1
            return  # otherwise styling and interaction lines carry no dependencies (click, class: no node)
        if _SUBGRAPH_RE.match(rest):
            if not _subgraph(chart, index, rest[8:].strip()):
                chart.diagnostics.append(
                    Diagnostic(
                        "error",
                        index + 1,
                        f"flowchart: expected a subgraph id or \"title\" after 'subgraph', found {rest[8:].strip()!r}",
                        file,
                    )
                )
            return
        if _END_RE.fullmatch(rest):
            return
        try:
            pos = _statement(chart, index, text, pos)
        except FlowchartSyntaxError as exc:
            chart.diagnostics.append(
                Diagnostic("error", index + 1, f"flowchart: {exc} at column {exc.column + 1}", file)
            )
            return


def _subgraph(chart: Flowchart, index: int, rest: str) -> bool:
    """Record ``subgraph id[Title]`` as a node (edges may target it); False if malformed."""
    if rest.startswith('"'):
        return rest.count('"') >= 2  # ``subgraph "Title"``: an automatic id nobody can name
    match = re.fullmatch(r"([\w.\-]+)\s*(?:\[(.*)\])?\s*;?\s*|([\w.\- ]+)", rest)
    if not rest or match is None:
        return False
    if match.group(3) is not None:  # ``subgraph Some Title``: an automatic id nobody can name
        return True
    node_id = match.group(1)
    title = (match.group(2) or node_id).strip().strip('"')
    chart.subgraphs[node_id] = title
    if chart.nodes.get(node_id) == node_id:  # an edge named it first: it shows the title
        chart.nodes[node_id] = title
    return True


def _statement(chart: Flowchart, index: int, text: str, pos: int) -> int:
    """Parse ``group (link group)*``; return the position after the statement."""
    left, pos = _group(chart, index, text, pos)
    while True:
        link = _link(text, pos)
        if link is None:
            break
        kind, label, pos = link
        if not text[pos:].strip(" \t;"):
            raise FlowchartSyntaxError(f"a link '{kind}' needs a node after it", pos)
        right, pos = _group(chart, index, text, pos)
        for a in left:
            for b in right:
                chart.edges.append((a, b, label, kind, index + 1))
        left = right
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos < len(text) and text[pos] != ";":
        raise FlowchartSyntaxError(f"unexpected {text[pos : pos + 12]!r}", pos)
    return pos


def _group(chart: Flowchart, index: int, text: str, pos: int) -> tuple[list[str], int]:
    """Parse ``node (& node)*``."""
    ids = []
    while True:
        node_id, pos = _node(chart, index, text, pos)
        ids.append(node_id)
        match = _AMPERSAND_RE.match(text, pos)
        if not match:
            return ids, pos
        pos = match.end()


def _node(chart: Flowchart, index: int, text: str, pos: int) -> tuple[str, int]:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    start = pos
    pos = _PLAIN_ID_RE.match(text, pos).end()  # type: ignore[union-attr]  # (matches the empty string)
    while pos < len(text) and _id_char(text, pos):
        pos += 1
    node_id = text[start:pos]
    if not node_id:
        raise FlowchartSyntaxError("expected a node id", start)
    if node_id in _RESERVED or _KEYWORD_PREFIX_RE.match(node_id):
        raise FlowchartSyntaxError(f"{node_id!r} is a keyword and cannot be a node id", start)
    label, pos = _shape(text, pos)
    if text.startswith("@{", pos):
        close = text.find("}", pos)
        if close < 0:
            raise FlowchartSyntaxError("unclosed '@{'", pos)
        data = text[pos + 2 : close]
        found = re.search(r"label\s*:\s*(\"[^\"]*\"|'[^']*'|[^,}]+)", data)
        if found:
            label = found.group(1).strip().strip("\"'")
        pos = close + 1
    if text.startswith(":::", pos):
        pos += 3
        while pos < len(text) and (text[pos].isalnum() or text[pos] in "_-"):
            pos += 1
    _add_node(chart, index, node_id, label)
    return node_id, pos


def _add_node(chart: Flowchart, index: int, node_id: str, label: str | None) -> None:
    """Record a node mention: a label given here wins; a first bare mention shows its id (or subgraph title)."""
    if label is not None or node_id not in chart.nodes:
        chart.nodes[node_id] = label if label is not None else chart.subgraphs.get(node_id, node_id)
    chart.node_lines.setdefault(node_id, index + 1)


def _label(text: str | None) -> str | None:
    return None if text is None else text.strip()


#: The usual dependency line in one match: ``A --> B``, ``A[label] -->|text| B[label]``: plain ids,
#: square shapes with unquoted labels, one ``-->``. What :func:`_parse_line` reads from such a line
#: (Hypothesis compares both); any other line, or a keyword as an id, takes the general path.
_SQUARE_LABEL: Final = r"(?:\[(?![\[(/\\])([^\]\"]*)\])?"
_FAST_EDGE_RE: Final = re.compile(
    r"[ \t;]*([A-Za-z0-9_]+)" + _SQUARE_LABEL + r"\s*-->\s*(?:\|([^|\"]*)\|[ \t]*)?"
    r"([A-Za-z0-9_]+)" + _SQUARE_LABEL + r"[ \t;]*\Z"
)


_SUBGRAPH_RE: Final = re.compile(r"subgraph\b")
_END_RE: Final = re.compile(r"end\s*;?\s*")
_AMPERSAND_RE: Final = re.compile(r"\s*&\s*")
_KEYWORD_PREFIX_RE: Final = re.compile(r"(end|subgraph|graph|flowchart|style|class|classDef|linkStyle)[.\-/]")
# Characters that are always part of an id, whatever follows (see _id_char): read in one step.
_PLAIN_ID_RE: Final = re.compile(r"[A-Za-z0-9_]*")


def _id_char(text: str, pos: int) -> bool:
    char = text[pos]
    nxt = text[pos + 1] if pos + 1 < len(text) else ""
    if char.isalnum() or char in "_!#$%'*+.`?\\/" or (ord(char) > 127 and char.isalpha()):
        return not (char == "." and nxt == "-")
    if char == "-":
        return nxt not in ("-", ">", ".", "")
    if char == "=":
        return nxt != "="
    return False


def _shape(text: str, pos: int) -> tuple[str | None, int]:
    if text[pos : pos + 1] not in _SHAPE_STARTS:
        return None, pos  # no shape opens here (most nodes after the first mention)
    for opening, closings in _SHAPES:
        if not text.startswith(opening, pos):
            continue
        body_start = pos + len(opening)
        stripped_start = body_start
        while stripped_start < len(text) and text[stripped_start] == " ":
            stripped_start += 1
        if stripped_start < len(text) and text[stripped_start] == '"':
            quote_end = text.find('"', stripped_start + 1)
            if quote_end < 0:
                raise FlowchartSyntaxError("unclosed '\"' in a node label", stripped_start)
            after = quote_end + 1
            while after < len(text) and text[after] == " ":
                after += 1
            for closing in closings:
                if text.startswith(closing, after):
                    return text[stripped_start + 1 : quote_end], after + len(closing)
            raise FlowchartSyntaxError(f"expected {closings[0]!r} after the quoted label", after)
        best = None
        for closing in closings:
            found = text.find(closing, body_start)
            if found >= 0 and (best is None or found < best[0]):
                best = (found, closing)
        if best is None:
            raise FlowchartSyntaxError(f"node shape {opening!r} is never closed (expected {closings[0]!r})", pos)
        return text[body_start : best[0]].strip(), best[0] + len(best[1])
    return None, pos


def _link(text: str, pos: int) -> tuple[str, str | None, int] | None:
    """Parse a link (with an optional ``|label|`` or ``-- label -->`` text); None if none here."""
    edge_id = _EDGE_ID_RE.match(text, pos)  # ``A e1@--> B``: the edge's id names nothing we need
    if edge_id:
        pos = edge_id.end()
    match = _LINK_RE.match(text, pos)
    if match and match.group("body") in ("--", "==") and not match.group("r"):
        match = None  # a bare '--' opens a '-- text -->' link
    if match:
        kind = _canonical(match.group("l"), match.group("body"), match.group("r"))
        pos = match.end()
        label = None
        if pos < len(text) and text[pos] == "|":
            close = text.find("|", pos + 1)
            if close < 0:
                raise FlowchartSyntaxError("unclosed '|' edge label", pos)
            label = _clean_label(text[pos + 1 : close])
            pos = close + 1
        return kind, label, pos
    opening = _TEXT_LINK_OPEN_RE.match(text, pos)
    if not opening:
        return None
    closer = _CLOSE_RES[opening.group("open")]
    scan = opening.end()
    while scan < len(text):
        closing = closer.search(text, scan)
        if closing is None:
            break
        if closing.start() > opening.end():
            label = _clean_label(text[opening.end() : closing.start()])
            body = {"--": "--", "==": "==", "-.": "-.-"}[opening.group("open")]
            return _canonical(opening.group("l"), body, closing.group("r")), label, closing.end()
        scan = closing.end()
    raise FlowchartSyntaxError("a '-- text -->' link is never closed", pos)


def _clean_label(text: str) -> str:
    """An edge label as Mermaid keeps it: each ``"quoted"`` part without its quotes, then trimmed
    (``-- " q  r " -->`` is ``q  r``; ``-- "a" b -->`` is ``a b``)."""
    return _QUOTED_RE.sub(r"\1", text).strip()


def _canonical(left: str, body: str, right: str) -> str:
    """The shortest spelling of a link: ``--->`` → ``-->``, ``-..->`` → ``-.->``."""
    if body.startswith("~"):
        return "~~~"
    stroke = "==" if body.startswith("=") else ("-.-" if "." in body else "--")
    if stroke == "--" and not right and not left:
        return "---"
    if stroke == "==" and not right and not left:
        return "==="
    return f"{left}{stroke}{right}"
