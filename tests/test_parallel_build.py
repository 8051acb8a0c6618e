"""``make book``'s parallel execution, and a build that cannot quietly change its data.

Small books in temporary folders: two real chapters built serially (``jupyter-book build``
alone) and in parallel (``tools/execute.py`` first) must print the same; a chapter that
reads MNIST is re-executed when the data source changes; ``TORCHBOOK_REQUIRE_MNIST=1``
stops a build that would show the stand-in, and lets one with MNIST through. All offline,
with small IDX files the tests write.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _book import (
    BUILD_LOG_START,
    NOTEBOOK_HEADER,
    REPO,
    build_env,
    execute_in_parallel,
    executed,
    executed_by_build,
    executed_in_parallel,
    executed_outputs,
    run_build,
    small_book,
)
from test_data import _write_idx, _write_mnist

pytestmark = pytest.mark.build

REPRODUCED = ("tensors", "gradient-descent")

READS_DATA = (
    NOTEBOOK_HEADER
    + """
# Reads data

```{code-cell} ipython3
import torchbook as tb
train, test = tb.data.mnist(train=True), tb.data.mnist(train=False)
print(f"source {train.source} {test.source}: {len(train)} and {len(test)} images")
```
"""
)

NO_DATA = (
    NOTEBOOK_HEADER
    + """
# No data

```{code-cell} ipython3
print(6 * 7)
```
"""
)


def _env(data: Path, **extra: str) -> dict[str, str]:
    """An offline build's environment (``build_env``), not following the caller's worker
    count, with ``extra`` variables set."""
    env = build_env(data)
    env.pop("TORCHBOOK_JOBS", None)
    return env | extra


def _page(root: Path, name: str) -> str:
    return (root / "_build" / "html" / "book" / f"{name}.html").read_text(encoding="utf-8")


def test_serial_and_parallel_builds_print_the_same(tmp_path: Path) -> None:
    chapters = {name: (REPO / "book" / f"{name}.md").read_text() for name in REPRODUCED}
    chapters["glossary"] = (REPO / "book" / "glossary.md").read_text()  # the terms they link
    serial = small_book(tmp_path / "serial", chapters)
    parallel = small_book(tmp_path / "parallel", chapters)
    env = _env(tmp_path / "data")
    for root, in_parallel in ((serial, False), (parallel, True)):
        result = run_build(root, env, parallel=in_parallel)
        assert result.returncode == 0, result.stdout[-4000:]
        if in_parallel:
            assert executed_in_parallel(result.stdout) == {f"book/{n}" for n in REPRODUCED}
            assert executed_by_build(result.stdout) == set()
        else:
            assert executed_by_build(result.stdout) == {f"book/{n}" for n in REPRODUCED}
    for name in REPRODUCED:
        first, second = executed_outputs(serial, name), executed_outputs(parallel, name)
        assert len(first) == len(second)
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            assert a == b, f"{name}: code cell {index} differs between serial and parallel"
        glued = [  # the same values; a cached notebook's keys come in another order
            json.loads(
                (root / "_build" / "jupyter_execute" / "book" / f"{name}.glue.json").read_text()
            )
            for root in (serial, parallel)
        ]
        assert glued[0] and glued[0] == glued[1], f"{name}: glued values differ"
    images = [
        {p.name: p.read_bytes() for p in (root / "_build" / "html" / "_images").glob("*.png")}
        for root in (serial, parallel)
    ]
    assert images[0] and images[0] == images[1], "figures are not byte-identical"
    pages = [_page(root, "tensors") for root in (serial, parallel)]
    provenance = re.compile(r'<p class="torchbook-provenance">[^<]*</p>')
    assert provenance.sub("", pages[0]) == provenance.sub("", pages[1]), "pages differ"
    # Both ways key the cache alike: the parallel step finds the serial build's results.
    again = run_build(serial, env, parallel=True)
    assert again.returncode == 0 and executed(again.stdout) == set(), again.stdout[-3000:]
    assert "nothing to execute" in again.stdout


def test_a_change_of_data_source_re_executes(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"reads-data": READS_DATA, "no-data": NO_DATA})
    data = tmp_path / "data"
    env = _env(data)
    result = run_build(root, env, parallel=True)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "source sklearn-digits sklearn-digits" in _page(root, "reads-data")

    result = run_build(root, env, parallel=True)
    assert result.returncode == 0 and executed(result.stdout) == set()

    _write_mnist(data, n_test=2, n_train=3)  # MNIST appears: what the page says is stale
    result = run_build(root, env, parallel=True)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "book/reads-data" in executed(result.stdout)
    assert "source mnist mnist: 3 and 2 images" in _page(root, "reads-data")

    # a plain `jupyter-book build .` keys the same way
    _write_mnist(data, n_test=4, n_train=3)  # other files: another source
    result = run_build(root, env, parallel=False)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "book/reads-data" in executed_by_build(result.stdout)
    assert "source mnist mnist: 3 and 4 images" in _page(root, "reads-data")


@pytest.mark.parametrize("parallel", [True, False], ids=["make-book", "jupyter-book"])
def test_required_mnist_missing_stops_the_build(tmp_path: Path, parallel: bool) -> None:
    root = small_book(tmp_path / "book", {"reads-data": READS_DATA})
    env = _env(tmp_path / "data", TORCHBOOK_REQUIRE_MNIST="1")
    result = run_build(root, env, parallel=parallel)
    assert result.returncode != 0, "a build without MNIST must fail when MNIST is required"
    assert "TORCHBOOK_REQUIRE_MNIST=1 forbids the fallback" in result.stdout
    assert str(tmp_path / "data" / "MNIST" / "raw") in result.stdout
    assert executed(result.stdout) == set(), "no chapter may run before the data is settled"
    assert not (root / "_build" / "html" / "book" / "reads-data.html").exists()


def test_required_mnist_present_builds_from_it(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"reads-data": READS_DATA})
    data = tmp_path / "data"
    _write_mnist(data, n_test=2, n_train=3)
    env = _env(data, TORCHBOOK_REQUIRE_MNIST="1")
    result = run_build(root, env, parallel=True)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "source mnist mnist: 3 and 2 images" in _page(root, "reads-data")
    assert re.search(r"data mnist sha256:[0-9a-f]{16}", result.stdout)


def test_half_a_data_folder_stops_the_build_and_says_what_is_missing(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"reads-data": READS_DATA})
    data = tmp_path / "data"
    raw = data / "MNIST" / "raw"
    _write_idx(raw, "t10k", np.zeros((2, 28, 28)), np.array([1, 2]), gz=True)
    result = run_build(root, _env(data), parallel=True)
    assert result.returncode != 0
    assert f"MNIST folder {raw} is incomplete" in result.stdout
    assert "train-images-idx3-ubyte, train-labels-idx1-ubyte are missing" in result.stdout


def test_execute_takes_its_worker_count_from_the_environment(tmp_path: Path) -> None:
    result = execute_in_parallel(tmp_path, _env(tmp_path / "data", TORCHBOOK_JOBS="٣"))
    assert result.returncode != 0 and "TORCHBOOK_JOBS='٣'" in result.stderr


DIES = (
    NOTEBOOK_HEADER
    + """
# Dies

```{code-cell} ipython3
import os
os._exit(3)
```
"""
)

STUCK = (
    NOTEBOOK_HEADER
    + """
# Stuck

```{code-cell} ipython3
print("started")
```

```{code-cell} ipython3
import time
time.sleep(30)
```
"""
)


def test_a_dead_kernel_is_left_to_the_build_which_fails(tmp_path: Path) -> None:
    root = small_book(tmp_path / "book", {"dies": DIES, "no-data": NO_DATA})
    result = run_build(root, _env(tmp_path / "data"), parallel=True)
    log = result.stdout
    assert "book/dies.md: failed after" in log and "the build will run it again" in log
    assert "book/no-data.md: executed in parallel" in log
    assert result.returncode != 0, "the build must fail on the chapter whose kernel died"
    assert "dies.md" in log.split(BUILD_LOG_START, 1)[1]


def test_a_stuck_chapter_is_abandoned_not_waited_for(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(REPO / "tools"))
    import execute

    sys.path.insert(0, str(REPO / "_ext"))
    import build_environment

    for name, value in build_environment.SETTINGS.items():  # restored after the test
        monkeypatch.setenv(name, value)
    for name, value in _env(tmp_path / "data").items():
        monkeypatch.setenv(name, value)
    root = small_book(tmp_path / "book", {"stuck": STUCK})
    monkeypatch.setattr(execute, "SLACK_S", 5.0 - 600)  # a cell may go silent for 5 s
    start = time.monotonic()
    assert execute.run(root, jobs=1) == 1
    assert time.monotonic() - start < 28, "it waited for the stuck cell"
    from jupyter_cache import get_cache

    caches = list((root / "_build" / ".jupyter_cache").glob("pkg-*"))
    assert len(caches) == 1 and get_cache(str(caches[0])).list_cache_records() == []
