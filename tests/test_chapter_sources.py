"""The chapters' MyST sources, read as text: mistakes the build lets through silently.

These run in a second, without building anything: a prose line that MyST swallows as a
comment, and a cell that only glues but is shown to the reader. (A glue key the prose
uses but no cell glues is a warning, hence an error, in the strict build.)
"""

from __future__ import annotations

import ast
import re

import jupytext
import pytest
from _book import REPO, toc_files

CHAPTERS = [name for name in toc_files() if (REPO / f"{name}.md").is_file()]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for every line outside code cells and fenced blocks."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        opener = re.match(r"^(`{3,}|:{3,})", stripped)
        if fence is None and opener:
            fence = opener.group(1)
            continue
        if fence is not None:
            if stripped == fence:
                fence = None
            continue
        lines.append((number, line))
    return lines


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_prose_line_is_swallowed_as_a_comment(name: str) -> None:
    """MyST drops a line that starts with `%` (a comment): half a sentence would vanish."""
    text = (REPO / f"{name}.md").read_text(encoding="utf-8")
    swallowed = [f"{n}: {line}" for n, line in _prose_lines(text) if line.startswith("%")]
    assert not swallowed, f"{name}.md: lines MyST would hide as comments:\n" + "\n".join(swallowed)


def _only_glues(source: str) -> bool:
    """True for a cell whose statements are all `glue(...)` calls (imports aside)."""
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return False
    calls = [s for s in statements if not isinstance(s, ast.Import | ast.ImportFrom)]
    return bool(calls) and all(
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and getattr(s.value.func, "id", None) == "glue"
        for s in calls
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_cells_that_only_glue_are_hidden(name: str) -> None:
    notebook = jupytext.read(REPO / f"{name}.md")
    shown = [
        cell.source.splitlines()[0]
        for cell in notebook.cells
        if cell.cell_type == "code"
        and _only_glues(cell.source)
        and "remove-cell" not in cell.metadata.get("tags", [])
    ]
    assert not shown, f"{name}.md shows cells that only glue (tag them remove-cell): {shown}"
