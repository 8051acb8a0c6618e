"""Convert the book's chapters to Jupyter notebooks (.ipynb) for Google Colab.

Why this exists: the chapters are MyST markdown notebooks (``book/*.md``), which Jupyter
with jupytext opens as notebooks but Colab cannot open at all: Colab opens ``.ipynb``
only, and a Colab runtime has torch but not the book's own package. This script writes one
``.ipynb`` per chapter of ``_toc.yml`` that has code cells, at the chapter's path under an
output folder (``book/tensors.md`` -> ``OUT/book/tensors.ipynb``), and puts a setup cell
first. The setup cell installs the book's package from the repository (and what else the
chapter imports that Colab lacks) only when ``import torchbook`` fails; where the package
is installed it does nothing, and so never touches the network.

The publish workflow runs it and pushes the folder to the ``notebooks`` branch, where the
"Colab" launch button on each page points (``_ext/colab_notebooks.py``). The repository's
address is read from ``_config.yml`` (``repository.url``), the one place it is written.

    python tools/notebooks.py OUT        # write the notebooks into OUT
    python tools/notebooks.py --branch   # print the branch they are published to
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
SETUP_TAG = "torchbook-setup"
# Modules a chapter may import that a Colab runtime does not have, and their pip names.
# (Colab ships torch, torchvision, numpy, scipy, matplotlib, scikit-learn and tqdm.)
NOT_IN_COLAB = {"myst_nb": "myst-nb"}
# The first cell of every notebook; {packages} becomes one quoted pip argument a line.
SETUP_TEMPLATE = """\
# Setup for Colab: installs the book's package (and what this chapter needs that
# Colab lacks) when it is missing. Where torchbook is installed it does nothing.
try:
    import torchbook  # noqa: F401
except ImportError:
    import subprocess
    import sys

    packages = [
{packages}    ]
    print("installing", *packages)
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + packages, check=True)
"""


def repository_url(root: Path = REPO) -> str:
    """The book's repository address, from ``_config.yml``'s ``repository.url``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    url = (config.get("repository") or {}).get("url")
    if not url:
        raise ValueError(f"{root / '_config.yml'} has no repository.url")
    return str(url).rstrip("/")


def notebooks_branch(root: Path = REPO) -> str:
    """The branch the notebooks are published to (``torchbook_notebooks_branch``), which
    the Colab buttons point at (``_ext/colab_notebooks.py``)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return str(config["sphinx"]["config"]["torchbook_notebooks_branch"])


def _stem(name: str) -> str:
    return name.removesuffix(".md").removesuffix(".ipynb")


def _files(entries: list[dict[str, Any]]) -> Iterator[str]:
    for entry in entries:
        if "file" in entry:
            yield _stem(str(entry["file"]))
        for key in ("chapters", "sections", "parts"):
            yield from _files(entry.get(key) or [])


def toc_chapters(root: Path = REPO) -> list[str]:
    """Every file ``_toc.yml`` lists, in order, without extension (``book/tensors``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [_stem(str(toc["root"])), *_files([toc])]


def has_code(root: Path, name: str) -> bool:
    """True for chapters with code cells: the notebooks the build executes."""
    source = root / f"{name}.md"
    return source.is_file() and "```{code-cell}" in source.read_text(encoding="utf-8")


def setup_source(url: str, chapter_text: str) -> str:
    """The first cell of a chapter's notebook: installs what is missing, else nothing."""
    packages = [f"git+{url}#subdirectory=code"]
    packages += [
        pip_name
        for module, pip_name in NOT_IN_COLAB.items()
        if re.search(rf"^\s*(?:from|import)\s+{module}\b", chapter_text, re.MULTILINE)
    ]
    listed = "".join(f"        {json.dumps(package)},\n" for package in packages)
    return SETUP_TEMPLATE.replace("{packages}", listed)


def chapter_notebook(root: Path, name: str, url: str) -> nbformat.NotebookNode:
    """The chapter ``name`` (``book/tensors``) as a notebook, with the setup cell first."""
    text = (root / f"{name}.md").read_text(encoding="utf-8")
    notebook = jupytext.reads(text, fmt="md:myst")
    setup = nbformat.v4.new_code_cell(setup_source(url, text), metadata={"tags": [SETUP_TAG]})
    notebook.cells.insert(0, setup)
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not paired with the .md
    return notebook


def write_notebooks(out: Path, root: Path = REPO) -> list[Path]:
    """Write every chapter with code cells to ``out`` as ``.ipynb``; return their paths."""
    url = repository_url(root)
    written = []
    for name in toc_chapters(root):
        if not has_code(root, name):
            continue
        path = out / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        notebook = chapter_notebook(root, name, url)
        for cell in notebook.cells:
            cell.pop("id", None)
        notebook.nbformat_minor = 4  # no cell ids: the files do not change from run to run
        nbformat.write(notebook, path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", help="folder to write the notebooks into")
    parser.add_argument(
        "--branch", action="store_true", help="print the branch they are published to, and exit"
    )
    args = parser.parse_args(argv)
    if args.branch:
        print(notebooks_branch())
    elif args.out is None:
        parser.error("name the output folder")
    else:
        for path in write_notebooks(args.out):
            print(path)


if __name__ == "__main__":
    main()
