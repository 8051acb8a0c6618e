"""Checks on the GitHub Actions workflows in .github/workflows.

Every workflow must be schema-valid, free of zizmor findings (run offline),
pin each action to a full commit SHA, keep top-level permissions minimal,
declare per-job permissions, and never persist the checkout credentials.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
BIN_DIR = Path(sys.executable).parent

WORKFLOWS = ["test.yml", "publish.yml", "gpu-build.yml"]

SHA_REF = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")


def _path(name: str) -> Path:
    path = WORKFLOWS_DIR / name
    assert path.is_file(), f"{name}: workflow file is missing at {path}"
    return path


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load(_path(name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name}: top level is not a mapping"
    return data


def _jobs(name: str) -> dict[str, dict[str, Any]]:
    jobs = _load(name).get("jobs")
    assert isinstance(jobs, dict) and jobs, f"{name}: no jobs defined"
    return jobs


def _uses(name: str) -> Iterator[tuple[str, str]]:
    """Yield (location, uses) for every job-level and step-level `uses:`."""
    for job_id, job in _jobs(name).items():
        if "uses" in job:
            yield f"jobs.{job_id}", str(job["uses"])
        for index, step in enumerate(job.get("steps") or []):
            if "uses" in step:
                where = f"jobs.{job_id}.steps[{index}]"
                yield where, str(step["uses"])


def _tool(name: str) -> str:
    exe = BIN_DIR / name
    if not exe.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}")
    return str(exe)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_matches_github_workflow_schema(name: str) -> None:
    result = subprocess.run(
        [
            _tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            str(_path(name)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"{name}: does not match the GitHub workflow schema:\n{result.stdout}{result.stderr}"
    )


def _describe_finding(finding: dict[str, Any]) -> str:
    """One line per zizmor finding: audit id, description, first line hit."""
    lines = []
    for location in finding.get("locations") or []:
        start = ((location.get("concrete") or {}).get("location") or {}).get("start_point") or {}
        if "row" in start:
            lines.append(str(start["row"] + 1))
    where = f" (line {', '.join(lines)})" if lines else ""
    return f"- {finding.get('ident')}: {finding.get('desc')}{where}"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_zizmor_reports_no_findings(name: str) -> None:
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--format", "json", str(_path(name))],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    # zizmor exits 0 when clean, 10-14 when it has findings, other codes
    # when it could not run at all.
    assert result.returncode == 0 or 10 <= result.returncode <= 14, (
        f"{name}: zizmor failed to run (exit {result.returncode}):\n{result.stderr}"
    )
    findings = json.loads(result.stdout or "[]")
    summary = "\n".join(_describe_finding(f) for f in findings)
    assert findings == [], f"{name}: zizmor findings:\n{summary}"
    assert result.returncode == 0, f"{name}: zizmor exited {result.returncode}:\n{result.stderr}"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_actions_pinned_to_commit_sha(name: str) -> None:
    uses = list(_uses(name))
    assert uses, f"{name}: no `uses:` found; the checks below would be vacuous"
    unpinned = [
        f"{where}: {ref}"
        for where, ref in uses
        if not ref.startswith("./") and not SHA_REF.match(ref)
    ]
    assert not unpinned, f"{name}: actions not pinned to a 40-hex commit SHA:\n" + "\n".join(
        unpinned
    )


@pytest.mark.parametrize("name", WORKFLOWS)
def test_pinned_actions_carry_version_comment(name: str) -> None:
    lines = _path(name).read_text(encoding="utf-8").splitlines()
    missing = []
    for number, line in enumerate(lines, start=1):
        match = USES_LINE.match(line)
        if (
            match
            and not match["ref"].startswith("./")
            and not VERSION_COMMENT.search(match["rest"])
        ):
            missing.append(f"line {number}: {line.strip()}")
    assert not missing, f"{name}: pinned actions need a `# vX.Y.Z` comment:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_top_level_permissions_are_minimal(name: str) -> None:
    data = _load(name)
    assert "permissions" in data, f"{name}: no top-level `permissions:`"
    permissions = data["permissions"]
    assert permissions not in ("write-all", "read-all"), (
        f"{name}: top-level permissions are {permissions!r}"
    )
    assert isinstance(permissions, dict), (
        f"{name}: top-level permissions must be a mapping, got {permissions!r}"
    )
    writes = sorted(k for k, v in permissions.items() if v not in ("read", "none"))
    assert not writes, (
        f"{name}: top-level permissions grant write to {writes}; "
        "grant write scopes on the job that needs them"
    )


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_job_declares_permissions(name: str) -> None:
    missing = [job_id for job_id, job in _jobs(name).items() if "permissions" not in job]
    assert not missing, f"{name}: jobs without `permissions:`: {missing}"


@pytest.mark.parametrize("name", WORKFLOWS)
def test_checkout_does_not_persist_credentials(name: str) -> None:
    checkouts = []
    offenders = []
    for job_id, job in _jobs(name).items():
        for index, step in enumerate(job.get("steps") or []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                checkouts.append(index)
                value = (step.get("with") or {}).get("persist-credentials")
                if value is not False and str(value).lower() != "false":
                    offenders.append(f"jobs.{job_id}.steps[{index}]: persist-credentials={value!r}")
    assert checkouts, f"{name}: no actions/checkout step found"
    assert not offenders, f"{name}: checkout must set `persist-credentials: false`:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize("name", WORKFLOWS)
def test_run_steps_use_bash_by_default(name: str) -> None:
    shell = ((_load(name).get("defaults") or {}).get("run") or {}).get("shell")
    assert shell == "bash", (
        f"{name}: set `defaults: run: shell: bash` so run steps use "
        f"`bash -eo pipefail` (found {shell!r})"
    )


def _steps(name: str) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(job id, job, step) for every step."""
    for job_id, job in _jobs(name).items():
        for step in job.get("steps") or []:
            yield job_id, job, step


def _builds_the_book(job: dict[str, Any]) -> bool:
    return any("make book" in str(step.get("run", "")) for step in job.get("steps") or [])


@pytest.mark.parametrize("name", WORKFLOWS)
def test_pip_downloads_are_cached_on_the_lock(name: str) -> None:
    installs = [
        step
        for job_id, job, step in _steps(name)
        if str(step.get("uses", "")).startswith("actions/setup-python@")
        and "make" in " ".join(str(s.get("run", "")) for s in job.get("steps") or [])
    ]
    assert installs, f"{name}: no job sets up Python to run make"
    for step in installs:
        settings = step.get("with") or {}
        assert settings.get("cache") == "pip", f"{name}: setup-python without `cache: pip`"
        assert "requirements-lock.txt" in str(settings.get("cache-dependency-path")), (
            f"{name}: the pip cache must be keyed on requirements-lock.txt"
        )


@pytest.mark.parametrize("name", ["publish.yml", "gpu-build.yml"])
def test_deploying_builds_require_mnist(name: str) -> None:
    jobs = [job for job in _jobs(name).values() if _builds_the_book(job)]
    assert jobs, f"{name}: no job runs make book"
    for job in jobs:
        assert str((job.get("env") or {}).get("TORCHBOOK_REQUIRE_MNIST")) == "1", (
            f"{name}: a job that builds the book must set TORCHBOOK_REQUIRE_MNIST: '1'"
        )


@pytest.mark.parametrize("name", ["publish.yml", "gpu-build.yml"])
def test_execution_cache_is_kept_keyed_on_lock_and_package(name: str) -> None:
    caches = [
        step
        for _, job, step in _steps(name)
        if _builds_the_book(job)
        and str(step.get("uses", "")).startswith("actions/cache@")
        and (step.get("with") or {}).get("path") == "_build/.jupyter_cache"
    ]
    assert caches, f"{name}: _build/.jupyter_cache is not cached"
    key = " ".join(str(caches[0]["with"]["key"]).split())
    assert "hashFiles('requirements-lock.txt')" in key
    assert "hashFiles('code/**'" in key, f"{name}: the key must follow the package"


def test_the_gpu_workflow_says_what_it_installs() -> None:
    text = _path("gpu-build.yml").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for words in ("requirements-lock.txt", "CUDA 13", "cudnn", "TORCHBOOK_REQUIRE_MNIST"):
        assert words in header, f"gpu-build.yml's header does not mention {words}"
