"""The book's chapters as notebooks that read like the pages, for Colab, Binder and download.

Why this exists: the chapters are MyST markdown notebooks (``book/*.md``). Colab opens
``.ipynb`` only and renders plain Markdown, so a chapter converted as it is shows raw
markup (``{glue:text}`ratio:.1f` ``, ```` ```{admonition} ````) where the page shows
numbers and boxes, and its first cell imports myst-nb, which Colab lacks. This script
takes a finished build (``_build``: the pages and the executed notebooks) and writes, for
every chapter of ``_toc.yml`` with code cells (except the build-status page:
``_ext/notebook_pages.py``, which the launch buttons read too):

- a notebook whose text cells are the page's text in plain Markdown, every glued value,
  equation and exercise number, glossary link and citation as the page shows it
  (``tools/myst_markdown.py``, from ``tools/built_book.py``), and whose code cells are
  the chapter's, with the outputs the build computed; cells tagged ``remove-cell`` that
  only glue are left out, other hidden cells are kept folded, solutions are folded;
- a setup cell first, which installs ``torchbook`` from the commit the notebooks were made
  from, where it is missing, keeping the runtime's torch, and says in one line when that
  torch is not the version the book was built and tested with (``requirements-lock.txt``).

The output folder is what the publish workflow pushes to the notebooks branch: the
notebooks under ``book/``, and ``binder/`` with what it installs (``code/``, the lock),
so that Binder builds its environment from that branch and opens the same notebooks as
Colab. The same notebooks replace the executed copies the theme offers for download
(``html/_sources/<page>.ipynb``), so the page's download button offers them too.

    python tools/notebooks.py OUT --build _build [--commit SHA]
    python tools/notebooks.py --branch        # the branch they are published to
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tools"), str(REPO / "_ext")]

from book_address import github_repository, notebooks_branch, repository_url, site_url  # noqa: E402
from built_book import BuiltBook  # noqa: E402
from myst_markdown import MarkdownConverter  # noqa: E402
from notebook_pages import publishes_notebook  # noqa: E402

SETUP_TAG = "torchbook-setup"
# What Binder needs on the notebooks branch besides the notebooks: binder/ installs the
# package from code/ with the versions of the lock (binder/requirements.txt).
BINDER_FILES = ("binder", "code", "requirements-lock.txt")
GLUE_IMPORT = re.compile(r"^from myst_nb import glue[ \t]*\n?", re.MULTILINE)
HIDDEN_TAGS = {"remove-input", "hide-input", "hide-cell"}

SETUP_TEMPLATE = """\
# Setup. Where the book's package is missing (Colab), install it as it was when this
# notebook was made; the runtime's torch is kept, never reinstalled. Elsewhere this only
# checks torch's version: the numbers in the text come from torch {torch}.
import importlib.util
import re
import subprocess
import sys
from importlib.metadata import version

import torch

TORCHBOOK = "torchbook @ git+{repository}@{commit}#subdirectory=code"
if importlib.util.find_spec("torchbook") is None:
    keep = [f"{{name}}=={{version(name)}}" for name in ("torch", "torchvision")
            if importlib.util.find_spec(name) is not None]
    print("installing torchbook from {short}, keeping", *keep)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", TORCHBOOK, *keep],
                   check=True)

if re.match(r"\\d+(\\.\\d+)*", torch.__version__).group() != "{torch}":
    print(f"This runtime has torch {{torch.__version__}}; the book was built and tested with "
          "torch {torch}, so some numbers may differ from the text.")
"""
GLUE_SHIM = '''

def glue(name, value, display=True):
    """Stands in for myst_nb.glue: the book's build put these values into the text."""
'''


# -- which chapters ----------------------------------------------------------------------


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


def published_chapters(root: Path = REPO) -> list[str]:
    """The chapters published as notebooks, in the order of the table of contents."""
    return [n for n in toc_chapters(root) if publishes_notebook(n, has_code(root, n))]


# -- the setup cell ----------------------------------------------------------------------


def book_torch(root: Path = REPO) -> str:
    """The torch version the book is built and tested with, from the lock."""
    lock = (root / "requirements-lock.txt").read_text(encoding="utf-8")
    found = re.search(r"^torch==([\w.]+)", lock, re.MULTILINE)
    if found is None:
        raise ValueError("requirements-lock.txt pins no torch")
    return found.group(1)


def setup_source(repository: str, commit: str, torch: str, shim: bool) -> str:
    """The first cell: installs torchbook at ``commit`` where it is missing, and says when
    torch is not ``torch``; with ``shim``, defines the stand-in for myst-nb's ``glue``."""
    source = SETUP_TEMPLATE.format(
        repository=repository, commit=commit, short=commit[:12], torch=torch
    )
    return source + GLUE_SHIM if shim else source


def current_commit(root: Path = REPO) -> str:
    """The commit checked out in ``root``: what the setup cell installs."""
    result = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


# -- code cells --------------------------------------------------------------------------


def _is_glue(statement: ast.stmt) -> bool:
    call = statement.value if isinstance(statement, ast.Expr) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "glue"


def _glues_only(statement: ast.stmt) -> bool:
    """A ``glue(...)`` call, or a loop of them (with plain assignments to feed them)."""
    if isinstance(statement, ast.For):
        body = statement.body + statement.orelse
        return any(_glues_only(s) for s in body) and all(
            _glues_only(s) or isinstance(s, ast.Assign) for s in body
        )
    return _is_glue(statement)


def _names(tree: ast.AST, context: type[ast.expr_context]) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}


def _bound(tree: ast.AST) -> set[str]:
    return _names(tree, ast.Store)


def _free(tree: ast.AST) -> set[str]:
    """Names a cell reads without binding them itself: what it takes from earlier cells."""
    return _names(tree, ast.Load) - _bound(tree)


def only_glues(source: str, later: list[str]) -> bool:
    """True for a cell that exists only to put values into the text, which the notebook's
    text already has: nothing but ``glue(...)`` calls and loops of them, binding no name
    that a ``later`` cell reads."""
    try:
        tree = ast.parse(source)
        after = [ast.parse(cell) for cell in later]
    except SyntaxError:
        return False  # a cell magic, say: not a glue cell
    if not tree.body or not all(_glues_only(statement) for statement in tree.body):
        return False
    needed = set().union(*(_free(cell) for cell in after)) if after else set()
    return not (_bound(tree) & needed)


def page_outputs(outputs: list[dict]) -> list[dict]:
    """A cell's outputs as the page shows them: without glue's records, each stream's
    chunks joined into one, without execution counts (the notebook drops cells)."""
    shown: list[dict] = []
    for output in outputs:
        if "scrapbook" in output.get("metadata", {}):
            continue
        output = nbformat.from_dict(dict(output))
        if output.output_type == "execute_result":
            output.execution_count = None
        last = shown[-1] if shown else None
        if output.output_type == "stream" and last and last.get("name") == output.name:
            last.text += output.text
            continue
        shown.append(output)
    return shown


def folded(source: str, title: str, metadata: dict) -> str:
    """Fold a cell's code: Colab shows ``title`` in its place (a form), JupyterLab
    collapses it. Colab needs the ``#@title`` line first, which a cell magic cannot have."""
    metadata.setdefault("jupyter", {})["source_hidden"] = True
    if source.startswith("%%"):
        return source
    metadata["cellView"] = "form"
    return f"#@title {title}\n{source}"


def code_cell(cell: dict, executed: dict, solution: str | None) -> nbformat.NotebookNode:
    """A chapter's code cell with the build's outputs, folded as the page folds it."""
    tags = list(cell.get("metadata", {}).get("tags", []))
    metadata: dict[str, Any] = {"tags": tags} if tags else {}
    source = GLUE_IMPORT.sub("", cell["source"])
    outputs = page_outputs(executed.get("outputs", []))
    if solution is not None:
        source = folded(source, f"{_plain(solution)}: code", metadata)
        outputs = []  # the page folds them with the solution; running the cell shows them
    elif "remove-cell" in tags:
        source = folded(source, "Checks behind the text, hidden on the book's page", metadata)
        outputs = []
    elif HIDDEN_TAGS & set(tags):
        source = folded(source, "Code folded on the book's page", metadata)
    if "remove-output" in tags:
        outputs = []
    if {"hide-output", "hide-cell"} & set(tags):
        metadata.setdefault("jupyter", {})["outputs_hidden"] = True
    return nbformat.v4.new_code_cell(source, metadata=metadata, outputs=outputs)


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# -- a chapter ---------------------------------------------------------------------------


def chapter_notebook(root: Path, name: str, book: BuiltBook, commit: str) -> nbformat.NotebookNode:
    """The chapter ``name`` (``book/tensors``) as the notebook readers launch."""
    source = jupytext.reads((root / f"{name}.md").read_text(encoding="utf-8"), fmt="md:myst")
    executed = [c for c in book.executed_notebook(name).cells if c.cell_type == "code"]
    code = [c for c in source.cells if c.cell_type == "code"]
    if [c.source for c in code] != [c.source for c in executed]:
        raise ValueError(f"{name}.md has changed since the build: build the book again")
    repository = repository_url(root)
    raw_files = f"https://raw.githubusercontent.com/{github_repository(repository)}/{commit}/"
    text = MarkdownConverter(book, name, image_url=raw_files)
    cells = []
    outputs = iter(executed)
    for index, cell in enumerate(source.cells):
        if cell.cell_type == "markdown":
            markdown = text.cell(cell.source)
            if markdown.strip():
                cells.append(nbformat.v4.new_markdown_cell(markdown))
        elif cell.cell_type == "code":
            ran = next(outputs)
            later = [c.source for c in source.cells[index + 1 :] if c.cell_type == "code"]
            if "remove-cell" in cell.metadata.get("tags", []) and only_glues(cell.source, later):
                continue
            cells.append(code_cell(cell, ran, text.solution))
    shim = any(re.search(r"\bglue\(", c.source) for c in cells if c.cell_type == "code")
    setup = setup_source(repository, commit, book_torch(root), shim)
    cells.insert(0, nbformat.v4.new_code_cell(setup, metadata={"tags": [SETUP_TAG]}))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in notebook.cells:
        cell.pop("id", None)
    notebook.nbformat_minor = 4  # no cell ids: the files change only when the book does
    return notebook


# -- the notebooks branch and the downloads ----------------------------------------------


def write_notebooks(
    out: Path, build: Path, commit: str | None = None, root: Path = REPO
) -> list[Path]:
    """Write every published chapter's notebook under ``out`` (``out/book/x.ipynb``), what
    Binder needs beside them, and the same notebooks as the site's downloads. Returns the
    notebooks' paths."""
    commit = commit or current_commit(root)
    book = BuiltBook(build, site_url(root))
    written = []
    for name in published_chapters(root):
        notebook = chapter_notebook(root, name, book, commit)
        nbformat.validate(notebook)
        path = out / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        offer_as_download(path, build / "html" / "_sources" / f"{name}.ipynb")
        written.append(path)
    copy_binder_files(out, root)
    write_readme(out, commit, root)
    return written


def offer_as_download(notebook: Path, download: Path) -> None:
    """Put the notebook where the page's download button points (sphinx-book-theme links
    ``_sources/<page>.ipynb``, where it copied the executed notebook during the build)."""
    download.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, download)


def copy_binder_files(out: Path, root: Path = REPO) -> None:
    """Copy :data:`BINDER_FILES` into ``out``, so that Binder builds from the branch."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in BINDER_FILES:
        source, target = root / name, out / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def write_readme(out: Path, commit: str, root: Path = REPO) -> None:
    """Say on the branch where its files come from, and that they are not to be edited."""
    repository = repository_url(root)
    (out / "README.md").write_text(
        "# Notebooks\n\n"
        f"The chapters of {site_url(root)} as notebooks, generated from {repository}/commit/"
        f"{commit} by `tools/notebooks.py` after the book was built; do not edit them here. "
        "`binder/`, `code/` and `requirements-lock.txt` are that commit's, so that Binder "
        "builds the book's environment from this branch.\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", help="folder to write the notebooks into")
    parser.add_argument("--build", type=Path, default=REPO / "_build", help="the built book")
    parser.add_argument("--commit", help="the commit they come from (default: HEAD)")
    parser.add_argument(
        "--branch", action="store_true", help="print the branch they are published to, and exit"
    )
    args = parser.parse_args(argv)
    if args.branch:
        print(notebooks_branch())
    elif args.out is None:
        parser.error("name the output folder")
    else:
        for path in write_notebooks(args.out, args.build, args.commit):
            print(path)


if __name__ == "__main__":
    main()
