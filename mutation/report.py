"""Write ``mutation/results.md`` from the last ``mutmut run`` (``make mutate`` calls this).

Run from ``code/``, where ``mutants/`` is: ``../.venv/bin/python ../mutation/report.py``
writes the file again, say after a reason was added to ``reasons.py``, with the wall time
and load ``make mutate`` recorded in ``mutants/run.json``. For every module the score is
mutmut's own: (killed + timed out) / (all mutants - skipped); a mutant no test runs counts
against it.
Every mutant left alive is listed with its change and the reason it may live, looked up
in ``reasons.py`` by the change itself (so a reason follows its mutant when mutmut
renumbers, and a changed line needs its reason reviewed). Exits 1 when the score is under
the target or a survivor has no reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reasons import REASONS

TARGET = 0.90
CAUGHT = ("killed", "timeout")


def function_of(key: str) -> str:
    """``torchbook.train.xǁHistoryǁmetric__mutmut_3`` -> ``train.History.metric``."""
    module, _, mangled = key.partition("__mutmut_")[0].rpartition(".")
    name = mangled[2:].replace("ǁ", ".")  # x_function, or xǁClassǁmethod
    return f"{module.removeprefix('torchbook.')}.{name}"


def change_of(key: str, source: str) -> str:
    """The mutant's change as one line: removed lines, then ``->``, then the added ones."""
    lines = get_diff_for_mutant(key, path=source).splitlines()
    removed = [x[1:].strip() for x in lines if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++")]
    return f"{' / '.join(removed)} -> {' / '.join(added)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("../mutation/results.md"))
    args = parser.parse_args()
    run = json.loads(Path("mutants/run.json").read_text())  # written by `make mutate`

    counts: dict[str, Counter[str]] = {}
    alive: list[tuple[str, str, str, str]] = []  # (module, status, function, change)
    for meta in sorted(Path("mutants/torchbook").rglob("*.py.meta")):
        source = meta.relative_to("mutants").as_posix().removesuffix(".meta")
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not exit_codes:
            continue
        module = source.removeprefix("torchbook/")
        counts[module] = Counter()
        for key, code in sorted(exit_codes.items(), key=lambda kv: _number(kv[0])):
            status = status_by_exit_code[code]
            counts[module][status] += 1
            if status not in CAUGHT and status != "skipped":
                alive.append((module, status, function_of(key), change_of(key, source)))

    def score(c: Counter[str]) -> float:
        tested = sum(c.values()) - c["skipped"]
        return sum(c[s] for s in CAUGHT) / tested if tested else 1.0

    total = sum(counts.values(), Counter())
    unexplained = [a for a in alive if f"{a[2]}: {a[3]}" not in REASONS]
    stale = sorted(set(REASONS) - {f"{a[2]}: {a[3]}" for a in alive})

    out = ["# Mutation testing: the last run of `make mutate`", ""]
    out += [
        "mutmut changes the package one small thing at a time (an operator, a number, a string,",
        "an argument, a condition) and runs, for each such mutant, the fast unit tests that call",
        "the function it changed. A mutant is *killed* when a test fails, and *timed out* when",
        "its tests ran past 15 times their normal time (a loop that no longer ends) or the",
        "test run itself broke (mutmut's exit code 255). The score is (killed + timed out) /",
        "all mutants; a mutant no test runs would count as alive.",
        "",
        f"- mutmut {metadata.version('mutmut')}, hypothesis profile `mutation` (derandomized); "
        f"modules and tests: `[tool.mutmut]` in `code/pyproject.toml`",
        f"- run {run['date']}: {run['seconds'] / 60:.1f} min wall time on {run['cpus']} CPU "
        f"cores, {run['workers']} workers of 1 torch thread each",
        f"- load average (1, 5, 15 min) before / after: {run['load_before']} / "
        f"{run['load_after']} (other people's work shares the machine)",
        f"- score: **{score(total):.1%}** ({sum(total[s] for s in CAUGHT)} of "
        f"{sum(total.values()) - total['skipped']} mutants killed), target {TARGET:.0%}",
        "",
        "| module | mutants | killed | timed out | survived | no test | other | score |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for module, c in [*counts.items(), ("**all**", total)]:
        other = sum(c.values()) - sum(c[s] for s in (*CAUGHT, "survived", "no tests"))
        out.append(
            f"| {module} | {sum(c.values())} | {c['killed']} | {c['timeout']} | {c['survived']} "
            f"| {c['no tests']} | {other} | {score(c):.1%} |"
        )
    out += ["", "## The mutants left alive, and why they may live", ""]
    out += [
        "*Equivalent*: no program could tell the mutant from the original (the same values,",
        "the same errors). *Harmless*: it changes something nothing depends on, such as a",
        "cosmetic constant of a drawing. Reasons live in `mutation/reasons.py`, keyed by the",
        "change.",
        "",
    ]
    current = None
    for module, status, function, change in alive:
        if module != current:
            out += ["", f"### {module}", ""]
            current = module
        reason = REASONS.get(f"{function}: {change}", "**NO REASON GIVEN**")
        shown = change.replace("|", "\\|")
        out.append(f"- `{function}` ({status}): `{shown}`  \n  {reason}")
    if stale:
        out += ["", "## Reasons for mutants that no longer survive", ""]
        out += [f"- `{key}`" for key in stale]
    out += ["", "## The bugs issue #18 named", ""]
    out += ["Applied one at a time by `mutation/named_bugs.py`: see `mutation/named_bugs.md`."]
    args.output.write_text("\n".join(out) + "\n")
    print(f"score {score(total):.1%}; {len(alive)} alive, {len(unexplained)} without a reason")
    for _, _, function, change in unexplained:
        print(f"  no reason: {function}: {change}")
    return 0 if score(total) >= TARGET and not unexplained else 1


def _number(key: str) -> int:
    return int(key.rpartition("__mutmut_")[2])


if __name__ == "__main__":
    raise SystemExit(main())
