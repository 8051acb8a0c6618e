"""Time the translated editions and the PDFs against their budgets.

In a temporary copy of the sources: the English book is built as ``make book`` builds it
(which fills the execution cache), then ``tools/editions.py`` builds the three translated
editions and the four PDFs (budget: 4 minutes with the English cache warm, on the 2-core
development machine); then everything is rebuilt without a change, as ``make editions``
does (``make book``, then the editions: 30 s); then one Russian message is changed and
the editions rebuilt (the Russian HTML and PDF only). Prints a markdown report, with the
1-minute load average before and after each measurement. Run as
``python bench/editions_times.py``; ``make bench`` runs it too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from _book import build, build_env, copy_sources  # noqa: E402

EDITIONS_BUDGET_S = 240.0
NO_CHANGE_BUDGET_S = 30.0


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _editions(root: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "editions.py"), str(root)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"the editions failed:\n{log[-4000:]}")
    return time.perf_counter() - start, log


def _steps(log: str) -> str:
    """The tool's own lines (what was built, printed, skipped)."""
    lines = [line.removeprefix("[editions] ") for line in log.splitlines()]
    return "; ".join(line for line in lines if re.match(r"(ru|zh_CN|et|en): ", line))


def _edit_one_message(path: Path) -> None:
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as handle:
        catalogue = read_po(handle)
    message = next(m for m in catalogue if m.id and m.string)
    message.string += " "
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=76)


def measure() -> list[tuple[str, float, str, str, str]]:
    """Rows: (scenario, seconds, what happened, budget verdict, load)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="torchbook-bench-editions-") as folder:
        root = Path(folder)
        copy_sources(root)
        env = build_env(root / "data", keep_device=True)
        before = _load()
        log, seconds = build(root, root / "data", strict=False, keep_device=True)
        rows.append(("English book (`make book`, fills the cache)", seconds, "", "", before))
        before = _load()
        seconds, log = _editions(root, env)
        met = seconds <= EDITIONS_BUDGET_S
        rows.append(
            (
                "3 translated editions + 4 PDFs, English cache warm",
                seconds,
                _steps(log),
                f"≤ {EDITIONS_BUDGET_S:.0f} s: {'met' if met else '**NOT MET**'}",
                f"{before} → {_load()}",
            )
        )
        before = _load()
        log, english = build(root, root / "data", strict=False, keep_device=True)
        others, log = _editions(root, env)
        total = english + others
        met = total <= NO_CHANGE_BUDGET_S and "printed in" not in log
        rows.append(
            (
                "no-change rebuild of everything (`make editions`)",
                total,
                f"English {english:.1f} s, editions {others:.1f} s; {_steps(log)}",
                f"≤ {NO_CHANGE_BUDGET_S:.0f} s, nothing printed: {'met' if met else '**NOT MET**'}",
                f"{before} → {_load()}",
            )
        )
        _edit_one_message(root / "locales" / "ru" / "LC_MESSAGES" / "book" / "setup.po")
        before = _load()
        seconds, log = _editions(root, env)
        rows.append(
            (
                "after editing one Russian message",
                seconds,
                _steps(log),
                "",
                f"{before} → {_load()}",
            )
        )
    return rows


def report(rows: list[tuple[str, float, str, str, str]]) -> str:
    lines = [
        "Built as `make editions` builds (`tools/editions.py` after the English build), "
        "offline. Load: the 1-minute load average before → after.",
        "",
        "| build | seconds | what happened | budget | load |",
        "|---|---:|---|---|---|",
    ]
    lines += [
        f"| {name} | {seconds:.1f} | {what} | {budget} | {load} |"
        for name, seconds, what, budget, load in rows
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
