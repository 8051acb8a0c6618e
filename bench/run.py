"""``make bench``: every benchmark of the book in one run, written to bench/results.md.

Sections: the machine, build times (clean, unchanged, one chapter edited, the package
edited) with per-chapter execution times, the translated editions and the PDFs
(bench/editions_times.py), the NumPy framework's speed beside PyTorch's,
and the accuracy of the MNIST recipes on real handwriting. Each section is the output of
a script in this folder, which can also be run alone.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_times  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = (
        f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
        if torch.cuda.is_available()
        else "none"
    )
    return "\n".join(
        [
            f"- date: {datetime.date.today().isoformat()}",
            f"- CPU: {cpu}, {os.cpu_count()} cores; torch threads {torch.get_num_threads()}",
            "- load average at the start (1, 5, 15 min): "
            + ", ".join(f"{x:.1f}" for x in os.getloadavg()),
            f"- GPU: {gpu}",
            f"- Python {platform.python_version()}, torch {torch.__version__}",
        ]
    )


def settle(below: float = 1.5, longest_s: float = 180.0) -> None:
    """Wait (at most ``longest_s``) for the load the build timings left to die down, so
    that the speed and accuracy timings do not measure the builds' aftermath."""
    import time

    deadline = time.monotonic() + longest_s
    while os.getloadavg()[0] > below and time.monotonic() < deadline:
        time.sleep(5)


def _script(name: str, *args: str) -> str:
    """Run another benchmark script and return what it printed (or why it failed)."""
    path = HERE / name
    if not path.exists():
        return f"(not available yet: {name} is missing)"
    env = dict(os.environ, TQDM_DISABLE="1")
    result = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, env=env, check=False
    )
    text = result.stdout.strip()
    if result.returncode != 0:
        text += (
            f"\n\n**{name} exited with {result.returncode}**\n\n```\n{result.stderr[-2000:]}\n```"
        )
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist", default=os.environ.get("MNIST_T10K", "../shared/data/mnist-t10k")
    )
    parser.add_argument("--output", default=str(HERE / "results.md"))
    parser.add_argument("--skip-builds", action="store_true", help="skip the build timings")
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="*",
        default=[1, 2, 4],
        help="worker counts to time the parallel execution with (none: skip)",
    )
    args = parser.parse_args()
    sections = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py).",
        "",
        "## Machine",
        machine(),
    ]
    if not args.skip_builds:
        print("timing the builds (several minutes)...", flush=True)
        sections += [
            "",
            "## Builds",
            build_times.report(*build_times.measure(tuple(args.jobs))),
        ]
        print("timing the translated editions and the PDFs (several minutes)...", flush=True)
        sections += ["", "## Editions and PDFs", _script("editions_times.py")]
    settle()
    print("timing the NumPy framework against PyTorch...", flush=True)
    sections += [
        "",
        "## NumPy framework vs PyTorch",
        _script("scratch_speed.py", "--mnist", args.mnist),
    ]
    print("training the MNIST recipes on real handwriting...", flush=True)
    sections += [
        "",
        "## MNIST recipes on real handwriting",
        _script("mnist_proxy.py", "--mnist", args.mnist),
    ]
    text = "\n".join(sections) + "\n"
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
