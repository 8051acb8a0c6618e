"""The chapters' MyST sources, read as text: mistakes the build lets through silently.

These run in a second, without building anything: a prose line that MyST swallows as a
comment, a cell that only glues but is shown to the reader, and exercises that are not
sphinx-exercise directives or whose gated solutions and references do not match. (A glue
key the prose uses but no cell glues is a warning, hence an error, in the strict build.)
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

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


# Exercises are sphinx-exercise directives (CONTRIBUTING.md): numbered by the build, per
# chapter, and cited by label, so no exercise number is ever typed in a source.
EXERCISE_HEADING = re.compile(r"^#{1,6}[ \t]+Exercises?[ \t]+\d.*$", re.MULTILINE)
# "exercise 7.1", "Exercises 1.1 to 1.9", "Exercise 3" (a line break may fall inside). A
# source's own numbered tasks are "task 2 of the lab", never "exercise 2".
TYPED_NUMBER = re.compile(r"\b[Ee]xercises?\s+\d+(?:\.\d+)?\b")
DIRECTIVE = re.compile(
    r"^(`{3,}|:{3,})\{(exercise|solution-start|solution-end|solution)\}[ \t]*(.*)$"
)
EXERCISE_REF = re.compile(r"\{(?:numref|ref)\}`(?:[^`<]*<)?(ex-[^`>\s]*)>?`")


@dataclass
class Exercises:
    """What one page's exercise directives say, read from its source."""

    labels: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _exercises(text: str) -> Exercises:
    """The exercise labels, references to ``ex-`` labels, and structural problems of a page.

    Every ``exercise`` needs a ``:label:`` (and a ``:::`` fence when its title has
    backticks: a backtick fence's info string cannot contain one); every ``solution-start``
    names an exercise of the same page that comes before it and is closed by a
    ``solution-end`` before the next solution starts; every exercise has exactly one solution.
    """
    found = Exercises(references=EXERCISE_REF.findall(text))
    lines = text.splitlines()
    open_solution: tuple[int, str] | None = None
    solved: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        match = DIRECTIVE.match(line)
        if not match:
            continue
        name, argument = match.group(2), match.group(3).strip()
        if match.group(1).startswith("`") and "`" in argument:
            found.problems.append(
                f"line {number}: a backtick fence cannot open a directive whose title has"
                " `code` (CommonMark reads it as text); open it with ::: instead"
            )
        options = {}
        for option in lines[number:]:
            pair = re.match(r"^:([\w-]+):[ \t]*(.*)$", option)
            if not pair:
                break
            options[pair.group(1)] = pair.group(2).strip()
        if name == "exercise":
            label = options.get("label", "")
            if not label:
                found.problems.append(f"line {number}: an exercise without a :label:")
            else:
                found.labels.append(label)
        elif name == "solution":
            found.problems.append(
                f"line {number}: a plain solution directive cannot hold code cells;"
                " use solution-start and solution-end"
            )
        elif name == "solution-start":
            if open_solution is not None:
                found.problems.append(
                    f"line {number}: solution-start inside the solution of line"
                    f" {open_solution[0]}, which has no solution-end"
                )
            if argument not in found.labels:
                found.problems.append(
                    f"line {number}: solution-start {argument!r} names no exercise"
                    " above it on this page"
                )
            solved[argument] = solved.get(argument, 0) + 1
            open_solution = (number, argument)
        else:  # solution-end
            if open_solution is None:
                found.problems.append(f"line {number}: solution-end without a solution-start")
            open_solution = None
    if open_solution is not None:
        found.problems.append(
            f"line {open_solution[0]}: solution-start {open_solution[1]!r} has no solution-end"
        )
    for label in found.labels:
        if solved.get(label, 0) != 1:
            found.problems.append(f"exercise {label!r} has {solved.get(label, 0)} solutions")
    return found


def _typed_numbers(text: str) -> list[str]:
    """Exercise headings and typed exercise numbers: the build numbers exercises."""
    headings = [m.group(0) for m in EXERCISE_HEADING.finditer(text)]
    typed = [" ".join(m.group(0).split()) for m in TYPED_NUMBER.finditer(text)]
    return headings + typed


def _book_problems(pages: dict[str, str]) -> list[str]:
    """Problems across pages: duplicate exercise labels, references to missing ones."""
    problems, owner = [], {}
    read = {name: _exercises(text) for name, text in pages.items()}
    for name, found in read.items():
        for label in found.labels:
            if label in owner:
                problems.append(f"label {label!r} in {name} and in {owner[label]}")
            owner.setdefault(label, name)
    for name, found in read.items():
        missing = sorted({label for label in found.references if label not in owner})
        problems += [f"{name} refers to {label!r}, which no exercise has" for label in missing]
    return problems


def _page(name: str) -> str:
    return (REPO / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_exercise_number_is_typed(name: str) -> None:
    typed = _typed_numbers(_page(name))
    assert not typed, (
        f"{name}.md types exercise numbers; use an exercise directive and"
        f" {{numref}}`exercise %s <ex-label>` instead: {typed}"
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_exercises_have_labels_and_gated_solutions(name: str) -> None:
    text = _page(name)
    found = _exercises(text)
    assert not found.problems, f"{name}.md: " + "; ".join(found.problems)
    if re.search(r"^## Exercises", text, re.MULTILINE):
        assert found.labels, f"{name}.md has an Exercises section but no exercise directive"


def test_exercise_labels_are_unique_and_every_reference_resolves() -> None:
    pages = {name: _page(name) for name in CHAPTERS}
    assert not _book_problems(pages)
    labels = [label for text in pages.values() for label in _exercises(text).labels]
    assert len(labels) >= 60, f"only {len(labels)} exercises found: is the parser blind?"


GOOD = """```{exercise} a title
:label: ex-a

Statement.
```

```{solution-start} ex-a
:class: dropdown
```

```{code-cell} ipython3
print(1)
```

Why.

```{solution-end}
```

As {numref}`exercise %s <ex-a>` shows, and {numref}`ex-a` and {ref}`ex-a`.
"""


def test_the_exercise_checks_pass_a_good_page() -> None:
    found = _exercises(GOOD)
    assert found.labels == ["ex-a"] and not found.problems
    assert found.references == ["ex-a", "ex-a", "ex-a"]
    assert not _typed_numbers(GOOD)
    assert not _book_problems({"one": GOOD})
    colon = GOOD.replace("```{exercise} a title", ":::{exercise} a `code` title", 1)
    colon = colon.replace("Statement.\n```", "Statement.\n:::", 1)
    assert _exercises(colon).labels == ["ex-a"] and not _exercises(colon).problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GOOD.replace(":label: ex-a\n", ""), "without a :label:"),
        (GOOD.replace("{solution-start} ex-a", "{solution-start} ex-b"), "names no exercise"),
        (GOOD.replace("```{solution-end}\n```\n", ""), "has no solution-end"),
        (GOOD + "\n```{solution-end}\n```\n", "without a solution-start"),
        (GOOD.replace("Why.", "```{solution-start} ex-a\n```"), "inside the solution"),
        (GOOD + "\n```{solution-start} ex-a\n```\n\n```{solution-end}\n```\n", "2 solutions"),
        (GOOD.replace("```{solution-start} ex-a", "```{solution} ex-a"), "plain solution"),
        (GOOD.replace("} a title", "} a `code` title"), "open it with :::"),
    ],
)
def test_the_exercise_checks_catch_a_bad_page(text: str, problem: str) -> None:
    problems = _exercises(text).problems
    assert any(problem in found for found in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "### Exercise 7.3: weight decay with momentum\n",
        "## Exercise 2\n",
        "explain it with exercise 7.1.\n",
        "Exercises 1.1 to 1.9 are the lab's.\n",
        "the cell checks it (exercise\n4.2).\n",
        "Exercise 3 asks for more.\n",
    ],
)
def test_the_typed_number_check_catches_typed_numbers(text: str) -> None:
    assert _typed_numbers(text), text


def test_the_book_checks_catch_duplicates_and_dangling_references() -> None:
    other = GOOD.replace("{numref}`ex-a`", "{numref}`ex-missing`")
    problems = _book_problems({"one": GOOD, "two": other})
    assert any("'ex-a' in two and in one" in p for p in problems), problems
    assert any("two refers to 'ex-missing'" in p for p in problems), problems
