"""Keep the translation catalogues in step with the English chapters.

The translated editions (``tools/editions.py``) read one gettext catalogue per chapter and
language: ``locales/<language>/LC_MESSAGES/book/<chapter>.po``. This tool makes them:

    python tools/i18n.py extract   # the English messages -> _build/gettext/book/<chapter>.pot
    python tools/i18n.py update    # extract, then sphinx-intl update: new messages added
                                   # untranslated, changed ones marked fuzzy (`make i18n`)
    python tools/i18n.py check     # exit 1 when a catalogue is out of date (tests run it)
    python tools/i18n.py lint [PO...]  # translations that broke a role, code, math or link
    python tools/i18n.py stat      # translated / fuzzy / untranslated per catalogue

Extraction is Sphinx's gettext builder run on the book with execution off: code is not
translated, so nothing is executed and no output becomes a message (``_i18n/editions.py``
keeps display math and word-less cells out as well). Messages carry no source locations
(``gettext_location: false``), so a catalogue changes only when the English text does.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_i18n"))

from book_editions import CATALOGUE_FOLDER, LOCALES, TRANSLATED, catalogue_count  # noqa: E402

LANGUAGES = [edition.language for edition in TRANSLATED]


def sphinx_overrides(root: Path) -> dict[str, object]:
    """What ``jupyter-book build`` passes to Sphinx beyond ``_config.yml``."""
    return {
        "external_toc_path": str(root / "_toc.yml"),
        "latex_individualpages": False,
        "nitpicky": True,
    }


def extract(root: Path = REPO, pot_dir: Path | None = None, quiet: bool = True) -> Path:
    """Write the English messages of every chapter to ``<pot_dir>/book/<chapter>.pot``
    (default ``_build/gettext``); return ``pot_dir``. Executes nothing."""
    from jupyter_book.config import get_final_config
    from jupyter_book.sphinx import build_sphinx

    pot_dir = pot_dir or root / "_build" / "gettext"
    config, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config={"latex_individualpages": False},
        sourcedir=root,
    )
    overrides = sphinx_overrides(root) | {
        "nb_execution_mode": "off",  # code is not translated: nothing runs, no outputs
        # without outputs the glue roles find no values: expected here
        "suppress_warnings": [*config.get("suppress_warnings", []), "mystnb.glue"],
        "project": config.get("html_title") or "torchbook",
    }
    os.environ.setdefault("TORCHBOOK_OFFLINE", "1")  # nothing is executed: no data needed
    with tempfile.TemporaryDirectory(prefix="torchbook-gettext-") as doctrees:
        status = build_sphinx(
            str(root),
            str(pot_dir),
            noconfig=True,
            path_config=str(root / "_config.yml"),
            confoverrides=overrides,
            doctreedir=doctrees,
            builder="gettext",
            freshenv=True,
            quiet=quiet,
        )
    if status != 0:
        raise SystemExit(f"extracting the messages failed: {status}")
    return pot_dir


def pot_messages(path: Path) -> set[str]:
    """The message ids of a ``.pot`` or ``.po`` file (obsolete ones and the header left out)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


# Babel flags a message as a Python format string when it finds ``%s`` or ``{...}`` in it:
# here they are MyST roles ({numref}`exercise %s <label>`) and percentages ("50 % of"), not
# format strings. ``msgfmt -c`` then checks the translation's "%" against them and fails on
# a translation that is right ("50 %" in Russian, "50%" in Chinese). Nothing formats these
# messages, so every catalogue is written without those two flags (and without the
# ``no-python-format`` a translator may have added to silence them).
FALSE_FLAGS = ("python-format", "python-brace-format", "no-python-format")


def without_format_flags(text: str) -> str:
    """A catalogue's text with the false format flags removed (other flags, such as
    ``fuzzy``, kept; a flag line left empty removed)."""
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#,"):
            flags = [flag.strip() for flag in line[2:].split(",")]
            kept = [flag for flag in flags if flag and flag not in FALSE_FLAGS]
            if not kept:
                continue
            line = "#, " + ", ".join(kept) + "\n"
        lines.append(line)
    return "".join(lines)


def strip_format_flags(paths: list[Path]) -> int:
    """Remove the false format flags from these catalogues; return how many changed."""
    changed = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        stripped = without_format_flags(text)
        if stripped != text:
            path.write_text(stripped, encoding="utf-8")
            changed += 1
    return changed


def catalogues(root: Path = REPO, languages: list[str] | None = None) -> list[Path]:
    """Every chapter's catalogue of these languages (default: all)."""
    return [
        path
        for language in languages or LANGUAGES
        for path in sorted(
            (root / LOCALES / language / "LC_MESSAGES" / CATALOGUE_FOLDER).glob("*.po")
        )
    ]


def update(root: Path = REPO, languages: list[str] | None = None) -> None:
    """Extract, then merge into every language's catalogues with sphinx-intl, and strip
    the false format flags Babel adds."""
    pot_dir = extract(root)
    command = [
        str(Path(sys.executable).parent / "sphinx-intl"),
        "update",
        "--pot-dir",
        str(pot_dir),
        "--locale-dir",
        str(root / LOCALES),
        "--jobs",
        "1",
    ]
    for language in languages or LANGUAGES:
        command += ["--language", language]
    subprocess.run(command, check=True)
    strip_format_flags(catalogues(root, languages))


def out_of_date(root: Path = REPO, pot_dir: Path | None = None) -> list[str]:
    """What keeps the committed catalogues from matching the English chapters: a catalogue
    missing or left over, or messages the chapters have and it lacks, or the reverse."""
    pot_dir = pot_dir or extract(root)
    templates = {
        p.relative_to(pot_dir).with_suffix("").as_posix(): p
        for p in sorted((pot_dir / CATALOGUE_FOLDER).glob("*.pot"))
    }
    problems = []
    for language in LANGUAGES:
        folder = root / LOCALES / language / "LC_MESSAGES"
        committed = {
            p.relative_to(folder).with_suffix("").as_posix(): p
            for p in sorted((folder / CATALOGUE_FOLDER).glob("*.po"))
        }
        for docname in sorted(set(committed) - set(templates)):
            problems.append(f"{language}/{docname}.po: no such chapter any more")
        for docname, pot in templates.items():
            if docname not in committed:
                problems.append(f"{language}/{docname}.po: missing")
                continue
            english, catalogue = pot_messages(pot), pot_messages(committed[docname])
            new, gone = english - catalogue, catalogue - english
            if new or gone:
                sample = next(iter(sorted(new or gone)))[:70]
                problems.append(
                    f"{language}/{docname}.po: {len(new)} messages of the chapter missing, "
                    f"{len(gone)} no longer in it (e.g. {sample!r})"
                )
    return problems


ROLE = re.compile(r"\{(?P<name>[\w:.-]+)\}`(?P<content>[^`]*)`")
CODE = re.compile(r"(?<![`}])(`+)(?P<code>[^`]+?)\1(?!`)")
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$]+?\$", re.DOTALL)
LINK = re.compile(r"\]\((?P<url>[^)\s]+)\)")
# Roles whose text a translation may change, as long as the target stays: the target is
# the part in <...>, or all of it when there is none ({term}`batch`: the term "batch").
TITLED_ROLES = {"term", "numref", "ref", "doc"}


def role_targets(text: str) -> list[str]:
    """Each role of a message as it must survive translation: the target of a titled role
    (``term:batch``), else the whole role (glue keys with their format, equations...)."""
    found = []
    for match in ROLE.finditer(text):
        name, content = match["name"], match["content"]
        if name in TITLED_ROLES:
            target = re.search(r"<([^<>]+)>\s*$", content)
            found.append(f"{{{name}}}`{(target[1] if target else content).strip()}`")
        else:
            found.append(match[0])
    return sorted(found)


def lint_message(msgid: str, msgstr: str) -> list[str]:
    """What a translation changed that it must not: roles' targets, glue keys and formats,
    inline code, math, link addresses, and numref's ``%s``."""
    problems = []
    if role_targets(msgid) != role_targets(msgstr):
        problems.append(f"roles {role_targets(msgid)} became {role_targets(msgstr)}")
    for match in ROLE.finditer(msgstr):
        if match["name"] == "numref" and "<" in match["content"]:
            title = match["content"].split("<")[0]
            if "%s" not in title and "{number}" not in title:
                problems.append(f"{match[0]}: a numref's text needs %s (the number)")
    without = ROLE.sub(" ", msgid), ROLE.sub(" ", msgstr)
    for label, pattern, group in (
        ("code", CODE, "code"),
        ("math", MATH, 0),
        ("links", LINK, "url"),
    ):
        before = sorted(m[group] for m in pattern.finditer(without[0]))
        after = sorted(m[group] for m in pattern.finditer(without[1]))
        if before != after:
            gone = sorted(set(before) - set(after)) or before
            problems.append(
                f"{label} changed: {gone[:3]} -> {sorted(set(after) - set(before))[:3]}"
            )
    return problems


def lint(paths: list[Path]) -> list[str]:
    """Problems in the translated (not fuzzy) messages of these catalogues."""
    from babel.messages.pofile import read_po

    problems = []
    for path in paths:
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id or not message.string or message.fuzzy:
                continue
            for problem in lint_message(message.id, message.string):
                problems.append(f"{path}: {message.id[:60]!r}: {problem}")
    return problems


def stat(root: Path = REPO) -> list[str]:
    """One line per catalogue: translated, fuzzy and untranslated messages."""
    lines = []
    for language in LANGUAGES:
        folder = root / LOCALES / language / "LC_MESSAGES"
        for path in sorted((folder / CATALOGUE_FOLDER).glob("*.po")):
            count = catalogue_count(path)
            left = count.total - count.translated - count.fuzzy
            name = path.relative_to(root / LOCALES).as_posix()
            lines.append(
                f"{name}: {count.translated} translated, {count.fuzzy} fuzzy, {left} untranslated"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "update", "check", "lint", "stat"])
    parser.add_argument("--language", "-l", action="append", help="update: only these")
    parser.add_argument("files", nargs="*", type=Path, help="lint: these .po (default: all)")
    parser.add_argument("--pot-dir", type=Path, help="extract, check: the .pot folder")
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(f"messages extracted to {extract(pot_dir=args.pot_dir)}")
    elif args.command == "update":
        update(languages=args.language)
    elif args.command == "check":
        problems = out_of_date(pot_dir=args.pot_dir)
        for problem in problems:
            print(problem)
        if problems:
            print("the catalogues are out of date: run `make i18n`")
            return 1
        print("the catalogues match the English chapters")
    elif args.command == "lint":
        paths = args.files or catalogues()
        problems = lint(paths)
        print("\n".join(problems) or f"{len(paths)} catalogues: no problems found")
        return 1 if problems else 0
    else:
        print("\n".join(stat()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
