"""Prose for each outcome of a computation (``_ext/glued_cases.py``): the build keeps the
case the code glued and no other, fails when the glued value names no case, and the
translation catalogues get every case."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _book import NOTEBOOK_HEADER, REPO, build_env, run_build, small_book

sys.path.insert(0, str(REPO / "_ext"))

from glued_cases import parse_case

pytestmark = pytest.mark.build

CHAPTER = (
    NOTEBOOK_HEADER
    + """
# Cases

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue

glue("outcome", "OUTCOME", display=False)
glue("count", 1234, display=False)
```

```{glued-case} outcome = rises
The loss rose on {glue:text}`count:,d` steps.
```

```{glued-case} outcome = falls
The loss fell at every step.
```

```{glued-case} outcome = flat
The loss stayed where it was.
```
"""
)


@pytest.mark.parametrize(
    ("argument", "parsed"),
    [("std1 = constant", ("std1", "constant")), ("k=v", ("k", "v")), (" a =  b c ", ("a", "b c"))],
)
def test_a_case_names_a_key_and_a_value(argument: str, parsed: tuple[str, str]) -> None:
    assert parse_case(argument) == parsed


@pytest.mark.parametrize("argument", ["std1", "= constant", "std1 =", "two words = x"])
def test_a_malformed_case_is_refused(argument: str) -> None:
    with pytest.raises(ValueError, match="key = value"):
        parse_case(argument)


def _page(root: Path) -> str:
    return (root / "_build" / "html" / "book" / "cases.html").read_text(encoding="utf-8")


def test_the_page_shows_the_case_the_code_found_and_no_other(tmp_path: Path) -> None:
    env = build_env(tmp_path / "data")
    root = small_book(tmp_path / "book", {"cases": CHAPTER.replace("OUTCOME", "rises")})
    result = run_build(root, env, parallel=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = _page(root)
    assert "The loss rose on" in page and "1,234" in page
    assert "fell at every step" not in page and "stayed where it was" not in page

    (root / "book" / "cases.md").write_text(CHAPTER.replace("OUTCOME", "falls"))
    result = run_build(root, env, parallel=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = _page(root)
    assert "fell at every step" in page
    assert "The loss rose on" not in page and "stayed where it was" not in page


def test_a_value_no_case_names_fails_the_build(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"cases": CHAPTER.replace("OUTCOME", "wobbles")})
    result = run_build(root, build_env(tmp_path / "data"), parallel=False)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "a glued outcome without its prose must fail the build"
    assert "glued-case 'outcome'" in log and "'wobbles'" in log, log[-3000:]


def test_every_case_is_a_message_to_translate(tmp_path: Path) -> None:
    """The catalogues hold every case, whichever the build found (extraction executes
    nothing, so it has no glued value to choose by)."""
    root = small_book(tmp_path / "book", {"cases": CHAPTER.replace("OUTCOME", "rises")})
    pot_dir = tmp_path / "gettext"
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import i18n; "
        "i18n.extract(Path(sys.argv[2]), Path(sys.argv[3]))"
    )
    result = subprocess.run(  # in a process of its own: the build's libraries warn
        [sys.executable, "-c", code, str(REPO / "tools"), str(root), str(pot_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = (pot_dir / "book" / "cases.pot").read_text(encoding="utf-8")
    for message in (
        "The loss rose on {glue:text}`count:,d` steps.",
        "The loss fell at every step.",
        "The loss stayed where it was.",
    ):
        assert f'msgid "{message}"' in text, message


# Glued words or names (relu, constant, `sklearn-digits`, "tanh, elu"), not a phrase.
NAME = r"`?[\w.+-]+`?"
ONE_WORD = re.compile(rf"{NAME}(?:, {NAME})*")


def test_no_page_glues_prose(book) -> None:
    """Prose glued from a code cell, as Markdown or as a string, would stay English in
    every edition: a page glues a case and writes its prose in the page instead."""
    folder = Path(book["root"]) / "_build" / "jupyter_execute" / "book"
    pages = sorted(folder.glob("*.glue.json"))
    assert len(pages) > 10
    prose = {}
    for path in pages:
        for key, output in json.loads(path.read_text(encoding="utf-8")).items():
            data = output.get("data", {})
            text = data.get("text/markdown")
            if text is None:
                try:
                    text = ast.literal_eval(data.get("text/plain", ""))
                except (ValueError, SyntaxError):
                    continue
            if isinstance(text, str) and not ONE_WORD.fullmatch(text.strip()):
                prose[f"{path.name.removesuffix('.glue.json')}:{key}"] = text[:60]
    assert not prose, f"glued prose (write it as glued-case blocks): {prose}"
