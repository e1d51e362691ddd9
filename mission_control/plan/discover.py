"""Find a repository's plan when the config names none: a Markdown file with a Mermaid gantt block."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from mission_control.util.files import project_files

_PLAN_SEARCH_DEPTH: Final = 3
_SKIPPED_TOP: Final = ("build/", "dist/")


def find_plan(repo: Path) -> Path | None:
    """The repo's plan: a Markdown file with a mermaid gantt block, preferring shallow paths and docs/.

    Candidates are the project's files as the one walker sees them (git's view), at most three folders
    deep, outside hidden folders and build output.
    """
    found: list[Path] = []
    for rel in project_files(repo, None):
        if not rel.lower().endswith((".md", ".markdown")):
            continue
        parts = rel.split("/")
        if (
            len(parts) > _PLAN_SEARCH_DEPTH + 1
            or any(p.startswith(".") for p in parts[:-1])
            or rel.startswith(_SKIPPED_TOP)
        ):
            continue
        path = repo / rel
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "```mermaid" in text and "gantt" in text:
            found.append(path)
    if not found:
        return None
    found.sort(key=lambda p: (len(p.relative_to(repo).parts) - (1 if "docs" in p.parts else 0), str(p)))
    return found[0]
