"""The bugs issue #18 named, applied one at a time to a copy of the package: each must fail
the tests written for it. ``make mutate`` does not run this; run it by hand after changing
those tests (``.venv/bin/python mutation/named_bugs.py``): it writes ``named_bugs.md``.

The package in ``code/`` is never edited: each bug goes into a temporary copy, which
``PYTHONPATH`` puts ahead of the editable install for that one pytest run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# (name, file in torchbook/, text, buggy text, the tests that must fail)
BUGS = [
    ("evaluate and fit average per batch, not per sample", "train.py",
     "        n = len(targets)\n", "        n = 1\n",
     ["tests/test_train.py::test_evaluate_averages_over_samples_as_the_whole_data_at_once",
      "tests/test_train.py::test_fits_training_averages_are_per_sample_over_the_epoch"]),
    ("fit without optimizer.zero_grad()", "train.py",
     "        optimizer.zero_grad()\n", "",
     ["tests/test_train.py::test_fit_takes_the_steps_of_a_hand_written_loop"]),
    ("Tensor * ndarray: the tensor's gradient not summed back to its shape",
     "scratch/tensor.py",
     "            self.accumulate_grad(_unbroadcast(g * y, x.shape))\n",
     "            self.accumulate_grad(g * y)\n",
     ["tests/test_scratch_tensor.py::test_a_constant_meets_a_tensor",
      "tests/test_scratch_properties.py::test_a_constant_on_either_side_broadcasts_and_sums_the_gradient_back"]),
    ("ndarray - Tensor (the tensor on the right): its gradient not summed back",
     "scratch/tensor.py",
     "            other.accumulate_grad(_unbroadcast(-g, y.shape))\n",
     "            other.accumulate_grad(-g)\n",
     ["tests/test_scratch_tensor.py::test_a_constant_meets_a_tensor",
      "tests/test_scratch_properties.py::test_a_constant_on_either_side_broadcasts_and_sums_the_gradient_back"]),
    ("fallback digits with inverted ink", "data.py",
     "images = (images.clamp(0, 16) * (255.0 / 16.0))",
     "images = (255.0 - images.clamp(0, 16) * (255.0 / 16.0))",
     ["tests/test_data.py::test_offline_fallback_is_every_scikit_learn_digit_laid_out_like_mnist"]),
    ("fallback labels shifted by one", "data.py",
     "    return images[chosen], targets[chosen]\n",
     "    return images[chosen], targets.roll(1)[chosen]\n",
     ["tests/test_data.py::test_offline_fallback_is_every_scikit_learn_digit_laid_out_like_mnist"]),
    ("decision_boundary: one logit column shaded the wrong way round", "plot/boundaries.py",
     "logits.reshape(-1) > 0", "logits.reshape(-1) < 0",
     ["tests/test_plot.py::test_decision_boundary_shades_each_side_as_its_predicted_class",
      "tests/test_plot.py::test_decision_boundary_runs_a_float64_model_in_float64"]),
    ("decision_boundary: one column per class shaded the wrong way round",
     "plot/boundaries.py", "logits.argmax(1)", "logits.argmin(1)",
     ["tests/test_plot.py::test_decision_boundary_shades_each_side_as_its_predicted_class"]),
    ("decision_boundary: the two regions' colours swapped", "plot/boundaries.py",
     'ListedColormap(["#cfe3f3", "#fde3c0"])', 'ListedColormap(["#fde3c0", "#cfe3f3"])',
     ["tests/test_plot.py::test_decision_boundary_shades_each_side_as_its_predicted_class",
      "tests/test_plot.py::test_decision_boundary_runs_a_float64_model_in_float64"]),
    ("decision_boundary: a float64 model fed float32", "plot/boundaries.py",
     "grid = grid.to(device=parameter.device, dtype=parameter.dtype)",
     "grid = grid.to(device=parameter.device)",
     ["tests/test_plot.py::test_decision_boundary_runs_a_float64_model_in_float64"]),
    ("Conv2d initialised with too small a bound", "scratch/nn.py",
     "bound = 1 / math.sqrt(in_channels * kh * kw)", "bound = 1 / (in_channels * kh * kw)",
     ["tests/test_scratch_nn.py::test_conv2d_initialisation_follows_torch"]),
    ("thread_count ignores the affinity mask", "reproducibility.py",
     "return len(os.sched_getaffinity(0))", "return os.cpu_count() or 1",
     ["tests/test_seed.py::test_thread_count_defaults_to_the_cores_this_process_may_use"]),
]  # fmt: skip


def failures(package: Path, tests: list[str]) -> list[str]:
    """The tests (without parameters) that fail with ``package`` imported as torchbook."""
    env = dict(os.environ, PYTHONPATH=str(package.parent), TQDM_DISABLE="1")
    files = sorted({t.split("::")[0] for t in tests})
    where = subprocess.run(
        [sys.executable, "-c", "import torchbook; print(torchbook.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(package)), f"the copy is not the one imported: {where}"
    keyword = " or ".join(t.split("::")[1] for t in tests)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
         "--hypothesis-profile=mutation", *files, "-k", keyword],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    failed = re.findall(r"^FAILED ([^\s\[]+)", run.stdout, re.MULTILINE)
    return sorted(set(failed))


def main() -> int:
    source = REPO / "code" / "torchbook"
    ok = True
    lines = [
        "# The bugs issue #18 named, applied by hand",
        "",
        "Each bug below was put into a copy of the package, one at a time, by",
        "`mutation/named_bugs.py`; the tests named beside it were run against that copy and",
        "had to fail. The package itself was never changed.",
        "",
        "| bug | tests that must fail | they failed |",
        "|---|---|---|",
    ]
    for name, path, text, buggy, tests in BUGS:
        with tempfile.TemporaryDirectory() as scratch:
            package = Path(scratch) / "torchbook"
            shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__"))
            target = package / path
            code = target.read_text()
            assert code.count(text) == 1, f"{path}: the text to break is not there once: {text!r}"
            target.write_text(code.replace(text, buggy))
            failed = failures(package, tests)
        caught = all(t in failed for t in tests)
        ok &= caught
        names = ", ".join(f"`{t.split('::')[1]}`" for t in tests)
        lines.append(f"| {name} | {names} | {'yes' if caught else 'NO: ' + ', '.join(failed)} |")
        print(lines[-1])
    (Path(__file__).parent / "named_bugs.md").write_text("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
