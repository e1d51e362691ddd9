"""YAML front matter of a Mermaid block (``---`` … ``---`` before ``gantt`` or ``graph``), as Mermaid reads it.

Mermaid 11.17 accepts a block that opens on the diagram's very first line with ``---`` and closes
with ``---`` at the same indentation (its regex: ``^([^\\S\\n\\r]*)-{3}\\s*[\\n\\r](.*?)[\\n\\r]\\1-{3}``);
11.14 and older accept only unindented ``---`` lines. Anything else that starts with ``---`` is
rejected ("Diagrams beginning with --- are not valid"). We read what 11.17 reads, warn where older
releases would fail, and report what every release rejects as an error naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TITLE_RE = re.compile(r"\s*title:\s*(.*)$")


@dataclass
class FrontMatter:
    """The block without its front matter, the ``title`` it set, and problems as (level, index, message)."""

    body: list[tuple[int, str]]
    title: str | None = None
    problems: list[tuple[str, int, str]] = field(default_factory=list)


def split_front_matter(lines: list[tuple[int, str]]) -> FrontMatter:
    """Split a block given as (0-based line index, text) pairs into its front matter and the rest."""
    first = next((pos for pos, (_, text) in enumerate(lines) if text.strip()), None)
    if first is None or lines[first][1].strip() != "---":
        return FrontMatter(lines)
    index, opening = lines[first]
    if first != 0:
        return FrontMatter(
            [], problems=[("error", index, "front matter must open on the diagram's first line; Mermaid rejects it")]
        )
    indent = opening[: len(opening) - len(opening.lstrip())]
    for pos in range(1, len(lines)):
        text = lines[pos][1]
        if text.startswith(indent + "---") and not text[len(indent) + 3 :].strip():
            found = FrontMatter(lines[pos + 1 :])
            for _, inner in lines[1:pos]:
                match = _TITLE_RE.match(inner)
                if match:
                    found.title = match.group(1).strip().strip("\"'")
            if indent:
                found.problems.append(
                    (
                        "warning",
                        index,
                        "indented front matter: Mermaid 11.14 and older reject the diagram; "
                        "put '---' at the start of the line",
                    )
                )
            return found
        if text.strip() == "---":
            message = (
                f"front matter closes with '---' at another indentation than it opens (line {index + 1}); "
                "Mermaid rejects the diagram"
            )
            return FrontMatter([], problems=[("error", lines[pos][0], message)])
    return FrontMatter([], problems=[("error", index, "front matter opened with '---' is never closed")])
