"""Markdown structure of a plan: headings, fenced blocks, task-list items, rollback components.

markdown-it-py does the CommonMark work (so a ``#`` inside fenced code is never a heading, and
nested lists and indented fences are read right); its token line maps tie every element back to
the file's lines for round-trip edits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from mission_control.plan.document import LineEdit
from mission_control.plan.model import ChecklistItem, CodeBlock, Heading, Span

_CHECKBOX_RE = re.compile(r"^(\s*(?:>\s*)*(?:[-*+]|\d+[.)])\s+\[)([ xX])(\])(?=\s|$)")
_COMPONENT_RE = re.compile(r"--component(?:=|\s+)([A-Za-z0-9_.\-]+)")
_LEADING_SYMBOLS_RE = re.compile(r"^[^\w(\[<\"'`]+", re.UNICODE)
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_MD = MarkdownIt("commonmark")
# The structure needs the block tokens; of the inline content only headings' is read as Markdown
# (their text without emphasis markers), so the block pass runs without the inline pass (a third
# of markdown-it's time on a real plan) and headings are read inline one by one. A text without
# "\r" or NUL also skips the normalising pass, which would change nothing in it.
_BLOCKS = MarkdownIt("commonmark").disable(["inline", "text_join"])
_CLEAN_BLOCKS = MarkdownIt("commonmark").disable(["normalize", "inline", "text_join"])


@dataclass
class Structure:
    """What the Markdown layer found; lines are 1-based."""

    headings: list[Heading] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    # Per code block: whether its body lines can be edited without re-reading the Markdown
    # (a closed, top-level fence at column 0 whose content is exactly its lines).
    editable: list[bool] = field(default_factory=list)


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
    env: dict[str, object] = {}
    tokens = (_CLEAN_BLOCKS if "\r" not in text and "\0" not in text else _BLOCKS).parse(text, env)
    lines = _split_lines(text)
    result = Structure()
    stack: list[Heading] = []
    title_level = _title_level(tokens)
    for pos, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            inline = tokens[pos + 1]
            inline.children = []
            _MD.inline.parse(inline.content, _MD, env, inline.children)  # what the core "inline" rule does
            heading = Heading(int(token.tag[1:]), display_text(_inline_text(inline)), token.map[0] + 1)
            result.headings.append(heading)
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
        elif token.type == "fence" and token.map:
            result.editable.append(_editable_fence(token, lines))
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


def _editable_fence(token: Token, lines: list[str]) -> bool:
    """Whether edits to this fence's body lines leave the rest of the Markdown as it is."""
    assert token.map is not None  # the caller reads only fences that have a line map
    first, end = token.map
    if token.level != 0 or end - 1 >= len(lines) or end - first < 2:
        return False
    if lines[first][:1] not in ("`", "~") or not _FENCE_RE.match(lines[end - 1]):
        return False
    body = lines[first + 1 : end - 1]
    return token.content == ("\n".join(body) + "\n" if body else "")


def update_structure(structure: Structure, lines: list[str], edits: list[LineEdit]) -> Structure | None:
    """The structure after line ``edits`` (already applied to ``lines``), or None to re-parse.

    Two kinds of edit keep the Markdown as it was: a change inside the body of an editable
    fence (that is neither a fence line itself nor becomes one), and a checkbox flip
    ``[ ]`` ↔ ``[x]`` of a known checklist item. Anything else needs a full parse.
    """
    blocks = list(structure.code_blocks)
    checklist = list(structure.checklist)
    by_line = {item.line: pos for pos, item in enumerate(checklist)}
    touched: set[int] = set()
    for edit in edits:
        pos = by_line.get(edit.index + 1)
        col = _flipped_column(checklist[pos], edit) if pos is not None else None
        if pos is not None and col is not None:
            checklist[pos] = replace(checklist[pos], done=edit.new[col] in "xX")
            continue
        touched_pos = _editable_block(structure, edit)
        if touched_pos is None:
            return None
        touched.add(touched_pos)
    if not touched:
        blocks = structure.code_blocks  # the same list: callers may tell a checkbox-only edit by it
    for pos in touched:
        block = blocks[pos]
        body = lines[block.line : block.end_line - 1]
        blocks[pos] = replace(block, text="\n".join(body) + "\n" if body else "")
    return Structure(
        structure.headings,
        blocks,
        checklist,
        _components(blocks) if touched else structure.components,
        structure.editable,
    )


def _flipped_column(item: ChecklistItem, edit: LineEdit) -> int | None:
    """The column of ``item``'s checkbox when ``edit`` only flips it (``[ ]`` ↔ ``[x]``), else None."""
    if item.box is None:
        return None
    col = item.box.start
    old, new = edit.old, edit.new
    flipped = (
        col >= 0
        and len(old) == len(new) > col
        and old[col] in " xX"
        and new[col] in " xX"
        and old[:col] == new[:col]
        and old[col + 1 :] == new[col + 1 :]
    )
    return col if flipped else None


def _editable_block(structure: Structure, edit: LineEdit) -> int | None:
    """The editable code block whose body holds the edited line, if the edit is harmless there."""
    if "\0" in edit.new or "\n" in edit.new or "\r" in edit.new:
        return None
    if _FENCE_RE.match(edit.old) or _FENCE_RE.match(edit.new):
        return None
    for pos, block in enumerate(structure.code_blocks):
        if block.line <= edit.index < block.end_line - 1:
            return pos if structure.editable[pos] else None
    return None


def _title_level(tokens: Sequence[Token]) -> int | None:
    """The level of the document title: a lone H1 that opens the document."""
    levels = [int(t.tag[1:]) for t in tokens if t.type == "heading_open"]
    if levels and levels[0] == 1 and levels.count(1) == 1:
        return 1
    return None


def _path(stack: list[Heading], title_level: int | None) -> tuple[str, ...]:
    return tuple(h.text for h in stack if h.level != title_level)


def _inline_text(token: Token) -> str:
    """Plain text of an inline token: text and code spans, without emphasis markers."""
    if not token.children:
        return token.content
    parts: list[str] = []
    for child in token.children:
        if child.type in ("text", "text_special", "code_inline", "html_inline"):  # (text_special: an escape)
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _checklist_item(
    tokens: Sequence[Token], pos: int, lines: list[str], heading: tuple[str, ...]
) -> ChecklistItem | None:
    line_map = tokens[pos].map
    if line_map is None:
        return None
    index = line_map[0]
    if index >= len(lines):
        return None
    match = _CHECKBOX_RE.match(lines[index])
    inline = next((t for t in tokens[pos + 1 : pos + 3] if t.type == "inline"), None)
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
    if "\r" not in text:
        return text.split("\n")  # the usual file, and 6x faster than the regex
    return re.split(r"\r\n|\r|\n", text)
