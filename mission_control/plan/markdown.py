"""Markdown structure of a plan: headings, fenced blocks, task-list items, rollback components.

markdown-it-py does the CommonMark work (so a ``#`` inside fenced code is never a heading, and
nested lists and indented fences are read right); its token line maps tie every element back to
the file's lines for round-trip edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from mission_control.plan.model import ChecklistItem, CodeBlock, Heading, Span

_CHECKBOX_RE = re.compile(r"^(\s*(?:>\s*)*(?:[-*+]|\d+[.)])\s+\[)([ xX])(\])(?=\s|$)")
_COMPONENT_RE = re.compile(r"--component(?:=|\s+)([A-Za-z0-9_.\-]+)")
_LEADING_SYMBOLS_RE = re.compile(r"^[^\w(\[<\"'`]+", re.UNICODE)
_MD = MarkdownIt("commonmark")


@dataclass
class Structure:
    """What the Markdown layer found; lines are 1-based."""

    headings: list[Heading] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    components: list[str] = field(default_factory=list)


def display_text(text: str) -> str:
    """Readable text for a heading or item: mend Mac-Roman mojibake, drop leading emoji.

    Plans pasted through the wrong encoding show ``‚úÖ`` where ``✅`` was meant; when the text
    round-trips through Mac Roman into valid UTF-8 we show the intended characters. Leading
    symbols (emoji, bullets) are decoration, not part of a heading's name.
    """
    if any(ord(c) > 127 for c in text):
        try:
            mended = text.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            mended = text
        text = mended
    return _LEADING_SYMBOLS_RE.sub("", text).strip()


def parse_structure(text: str) -> Structure:
    """Read headings, fences, checklists and rollback components from Markdown ``text``."""
    tokens = _MD.parse(text)
    lines = _split_lines(text)
    result = Structure()
    stack: list[Heading] = []
    title_level = _title_level(tokens)
    for pos, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            heading = Heading(int(token.tag[1:]), display_text(_inline_text(tokens[pos + 1])), token.map[0] + 1)
            result.headings.append(heading)
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
        elif token.type == "fence" and token.map:
            result.code_blocks.append(
                CodeBlock(
                    lang=(token.info.split() or [""])[0].lower(),
                    text=token.content,
                    heading=_path(stack, title_level),
                    line=token.map[0] + 1,
                    end_line=token.map[1],
                )
            )
        elif token.type == "list_item_open" and token.map:
            item = _checklist_item(tokens, pos, lines, _path(stack, title_level))
            if item is not None:
                result.checklist.append(item)
    result.components = _components(result.code_blocks)
    return result


def _title_level(tokens: list) -> int | None:
    """The level of the document title: a lone H1 that opens the document."""
    levels = [int(t.tag[1:]) for t in tokens if t.type == "heading_open"]
    if levels and levels[0] == 1 and levels.count(1) == 1:
        return 1
    return None


def _path(stack: list[Heading], title_level: int | None) -> tuple[str, ...]:
    return tuple(h.text for h in stack if h.level != title_level)


def _inline_text(token) -> str:
    """Plain text of an inline token: text and code spans, without emphasis markers."""
    if not token.children:
        return token.content
    parts = []
    for child in token.children:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _checklist_item(tokens: list, pos: int, lines: list[str], heading: tuple[str, ...]) -> ChecklistItem | None:
    index = tokens[pos].map[0]
    if index >= len(lines):
        return None
    match = _CHECKBOX_RE.match(lines[index])
    inline = next((t for t in tokens[pos + 1:pos + 3] if t.type == "inline"), None)
    if match is None or inline is None:
        return None
    content = inline.content
    text = re.sub(r"^\[[ xX]\]\s*", "", content.split("\n", 1)[0])
    return ChecklistItem(
        text=display_text(text) or text.strip(),
        heading=heading,
        done=match.group(2) in "xX",
        line=index + 1,
        box=Span(index, match.end(1), match.end(2)),
    )


def _components(blocks: list[CodeBlock]) -> list[str]:
    """Component names from rollback commands (``--component NAME``); ``--full`` is not one."""
    names: list[str] = []
    for block in blocks:
        for match in _COMPONENT_RE.finditer(block.text):
            if match.group(1) not in names:
                names.append(match.group(1))
    return names


def _split_lines(text: str) -> list[str]:
    """Lines without their endings, split exactly as markdown-it counts them."""
    return re.split(r"\r\n|\r|\n", text)
