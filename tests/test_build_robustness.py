"""The build as a program: reproducible, recoverable after an interruption, and loud on errors.

These build small books in temporary folders: two real chapters for reproducibility, and
tiny made-up chapters for interruption and failure (so those tests stay quick).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from _book import JUPYTER_BOOK, REPO, build_env, executed_outputs, run_build, small_book
from _book import NOTEBOOK_HEADER as HEADER

REPRODUCED = ("tensors", "gradient-descent")

pytestmark = pytest.mark.build


def test_two_clean_builds_are_identical(tmp_path: Path) -> None:
    chapters = {name: (REPO / "book" / f"{name}.md").read_text() for name in REPRODUCED}
    chapters["glossary"] = (REPO / "book" / "glossary.md").read_text()  # the terms they link
    roots = [small_book(tmp_path / f"build{i}", chapters) for i in (1, 2)]
    for root in roots:
        result = run_build(root, build_env(tmp_path / "data"), parallel=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in REPRODUCED:
        first, second = (executed_outputs(root, name) for root in roots)
        assert len(first) == len(second)
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            assert a == b, f"{name}: code cell {index} printed or drew something different"
        glued = [
            (root / "_build" / "jupyter_execute" / "book" / f"{name}.glue.json").read_text()
            for root in roots
        ]
        assert glued[0] == glued[1], f"{name}: glued values differ between builds"
    images = [
        {p.name: p.read_bytes() for p in (root / "_build" / "html" / "_images").glob("*.png")}
        for root in roots
    ]
    assert images[0] and images[0] == images[1], "figures are not byte-identical"


SLOW_CHAPTER = (
    HEADER
    + """
# Slow

```{code-cell} ipython3
import time
time.sleep(4)
print("slept")
```
"""
)


def test_interrupted_build_recovers(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"slow": SLOW_CHAPTER})
    env = build_env(tmp_path / "data")
    process = subprocess.Popen(
        [str(JUPYTER_BOOK), "build", str(root), "-n", "-W", "--keep-going"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(env, PYTHONUNBUFFERED="1"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    for line in process.stdout:  # wait until the chapter is executing, then kill everything
        if "Executing notebook" in line or time.monotonic() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert not (root / "_build" / "html" / "book" / "slow.html").exists()
    result = run_build(root, env, parallel=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "slept" in (root / "_build" / "html" / "book" / "slow.html").read_text()


FAILING_CHAPTER = (
    HEADER
    + """
# Failing

```{code-cell} ipython3
x = 1
```

```{code-cell} ipython3
y = x / 0  # the broken cell
```
"""
)


def test_cell_error_fails_the_build_and_names_chapter_and_cell(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"failing": FAILING_CHAPTER})
    env = build_env(tmp_path / "data")
    result = run_build(root, env, parallel=False)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "a cell error must fail the build"
    assert "failing.md" in log, "the failing chapter is not named"
    assert "y = x / 0  # the broken cell" in log, "the failing cell is not shown"
    assert "ZeroDivisionError" in log
    fixed = FAILING_CHAPTER.replace("y = x / 0  # the broken cell", "y = x / 1")
    (root / "book" / "failing.md").write_text(fixed)
    result = run_build(root, env, parallel=False)
    assert result.returncode == 0, "after the fix the next build must succeed"


def test_a_linked_but_undefined_glossary_term_fails_the_build(tmp_path: Path) -> None:
    chapter = "# Terms\n\nA {term}`tensor` is defined; a {term}`flux capacitor` is not.\n"
    glossary = "# Glossary\n\n```{glossary}\ntensor\n  A multidimensional array.\n```\n"
    root = small_book(tmp_path / "book", {"terms": chapter, "glossary": glossary})
    result = run_build(root, build_env(tmp_path / "data"), parallel=False)
    assert result.returncode != 0
    assert "flux capacitor" in result.stdout + result.stderr
