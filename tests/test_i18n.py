"""The translation catalogues (locales/) and the editions' extension, without a book build.

The catalogues must hold exactly the messages of the English chapters: extracting them
afresh (Sphinx's gettext builder, executing nothing) and comparing is what
``tools/i18n.py check`` does, and a catalogue that drifted from the English fails here
until ``make i18n`` refreshes it. Translated messages must keep what the build needs
(roles' targets, glued keys with their formats, code, math, links). The building blocks of
``_i18n/book_editions.py`` are checked on their own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _book import REPO, toc_files

sys.path.insert(0, str(REPO / "_i18n"))
sys.path.insert(0, str(REPO / "tools"))

import book_editions
import i18n

LANGUAGES = [edition.language for edition in book_editions.TRANSLATED]


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """The English messages, extracted afresh from the chapters (in a process of its own:
    the build's libraries warn, which this test session turns into errors)."""
    folder = tmp_path_factory.mktemp("gettext")
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "i18n.py"), "extract", "--pot-dir", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return folder


def test_the_catalogues_match_the_english_chapters(templates: Path) -> None:
    problems = i18n.out_of_date(REPO, templates)
    assert not problems, "the catalogues are out of date; run `make i18n`:\n" + "\n".join(problems)


def test_every_page_has_a_template(templates: Path) -> None:
    found = sorted(
        p.relative_to(templates).with_suffix("").as_posix() for p in templates.rglob("*.pot")
    )
    assert found == sorted(toc_files())


def test_the_catalogues_hold_prose_only(templates: Path) -> None:
    """No code, outputs, display math or word-less cells; exercise titles are in."""
    messages = set()
    for pot in templates.rglob("*.pot"):
        messages |= i18n.pot_messages(pot)
    assert not [m for m in messages if m.startswith(("import ", "print("))], "code extracted"
    assert not [m for m in messages if m.lstrip().startswith("\\")], "display math extracted"
    assert not [m for m in messages if not book_editions.has_words(m)], "word-less messages"
    assert "computing on" not in " ".join(messages), "an output was extracted"
    assert "Lab task 1: two integer tensors" in messages  # an exercise's title
    assert not [m for m in messages if book_editions.EQUIVALENTS.match(m)], (
        "the glossary's equivalents are the extension's, not the translators'"
    )


def test_translations_keep_roles_code_and_math() -> None:
    paths = sorted((REPO / i18n.LOCALES).glob("*/LC_MESSAGES/book/*.po"))
    assert len(paths) == len(LANGUAGES) * len(toc_files())
    problems = i18n.lint(paths)
    assert not problems, "\n".join(problems[:30])


def test_no_catalogue_claims_to_hold_format_strings() -> None:
    """Babel flags messages with ``%s`` or ``{...}`` (roles, percentages) as format
    strings, and ``msgfmt -c`` then rejects right translations: `make i18n` strips the
    flags, and none may come back by hand."""
    for path in i18n.catalogues():
        text = path.read_text(encoding="utf-8")
        assert i18n.without_format_flags(text) == text, f"{path}: a format flag"
        if shutil.which("msgfmt") is None:  # Debian's gettext: the check a translator runs
            continue
        result = subprocess.run(
            ["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{path}: {result.stderr[-2000:]}"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("10,000", "ru", "10\u00a0000"),
        ("1,234,567.25", "ru", "1\u00a0234\u00a0567.25"),  # Russian keeps the point
        ("1,234,567.25", "et", "1\u00a0234\u00a0567,25"),  # Estonian: the decimal comma
        ("-60,000", "et", "-60\u00a0000"),
        ("0.25", "et", "0,25"),
        ("0.25", "ru", "0.25"),
        ("12.5 %", "et", "12,5 %"),
        ("10,000", "zh_CN", "10,000"),  # Chinese writes numbers as English does
        ("0.25", "zh_CN", "0.25"),
        ("10,000", "en", "10,000"),
        ("(3, 4)", "et", "(3, 4)"),  # a glued tuple is no number
        ("1,2", "et", "1,2"),
        ("3,0000", "ru", "3,0000"),
        ("relu", "et", "relu"),
        ("1e-05", "et", "1e-05"),  # not written as a plain decimal: left as it is
    ],
)
def test_glued_numbers_are_written_as_the_language_writes_them(
    text: str, language: str, expected: str
) -> None:
    assert book_editions.local_number(text, language) == expected


def test_format_flags_are_stripped_and_other_flags_kept() -> None:
    text = (
        '#, fuzzy, python-format\nmsgid "a %s"\n\n#, python-brace-format, python-format\n'
        'msgid "{eq}`x`"\n\n#, no-python-format\nmsgid "50 %"\n#, fuzzy\nmsgid "d"\n'
    )
    assert i18n.without_format_flags(text) == (
        '#, fuzzy\nmsgid "a %s"\n\nmsgid "{eq}`x`"\n\nmsgid "50 %"\n#, fuzzy\nmsgid "d"\n'
    )


@pytest.mark.skipif(
    os.environ.get("TORCHBOOK_ALLOW_UNTRANSLATED") == "1",
    reason="TORCHBOOK_ALLOW_UNTRANSLATED=1: pages left in English show a banner instead",
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    """Every message translated and none fuzzy: after an English change, `make i18n` brings
    the new and changed messages, and this fails until they are translated (the editions
    would show them in English, under a banner)."""
    folder = REPO / i18n.LOCALES / language / "LC_MESSAGES" / "book"
    left = {}
    for path in sorted(folder.glob("*.po")):
        count = book_editions.catalogue_count(path)
        if count.translated < count.total:
            left[path.stem] = count.total - count.translated
    assert not left, f"{language}: messages not translated (or fuzzy) per chapter: {left}"


def test_interface_catalogues_cover_every_edition() -> None:
    from babel.messages.pofile import read_po

    for edition in book_editions.TRANSLATED:
        folder = book_editions.INTERFACE / edition.language / "LC_MESSAGES"
        for domain in ("sphinx", "booktheme", "exercise"):
            with (folder / f"{domain}.po").open("rb") as handle:
                catalogue = read_po(handle)
            empty = [m.id for m in catalogue if m.id and not m.string]
            assert not empty, f"{edition.language}/{domain}.po: {empty}"
        for key, texts in book_editions.UI.items():
            assert edition.language in texts or "en" in texts, (key, edition.language)


# --- the pieces ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0", False),
        ("`(3,)`", False),
        ("$x^2$ and $y$", True),
        ("$x^2$, $y$", False),
        ("{glue:text}`n:,d`", False),
        ("{term}`batch`", False),
        ("`view` returns a view", True),
        ("Тензоры", True),
        ("张量", True),
    ],
)
def test_has_words(text: str, words: bool) -> None:
    assert book_editions.has_words(text) is words


def test_estonian_and_russian_alphabetical_order() -> None:
    def order(words: list[str], language: str) -> list[str]:
        return sorted(words, key=lambda w: book_editions.collation_key(w, language))

    assert order(["tõke", "zeta", "šokk", "sõna", "žürii", "õun", "ümar", "äss"], "et") == [
        "sõna", "šokk", "zeta", "žürii", "tõke", "õun", "äss", "ümar",
    ]  # fmt: skip
    assert order(["ёж", "еда", "жук", "ель"], "ru") == ["еда", "ель", "ёж", "жук"]


def test_every_glossary_entry_has_its_equivalents() -> None:
    text = (REPO / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = re.findall(r"^[^\s`].*\n  \S", text.split("```{glossary}", 1)[1], re.MULTILINE)
    lines = [line.strip() for line in text.splitlines() if line.startswith("  ru: ")]
    assert len(lines) == len(terms) > 50
    for line in lines:
        assert book_editions.EQUIVALENTS.match(line), line


@pytest.mark.parametrize(
    ("page", "here", "there", "url"),
    [
        ("book/tensors", "en", "ru", "../ru/book/tensors.html"),
        ("book/tensors", "ru", "en", "../../book/tensors.html"),
        ("book/tensors", "ru", "zh_CN", "../../zh/book/tensors.html"),
        ("index", "et", "en", "../index.html"),
    ],
)
def test_the_switcher_links_the_same_page(page: str, here: str, there: str, url: str) -> None:
    edition = book_editions.edition_of
    assert book_editions.edition_url(page, edition(here), edition(there)) == url


@pytest.mark.parametrize(
    ("msgid", "msgstr", "problem"),
    [
        ("a {term}`tensors <tensor>` b", "а {term}`тензоры <tensor>` б", None),
        ("of a {term}`batch` of", "{term}`батча <batch>`", None),
        ("of a {term}`batch` of", "{term}`батча`", "roles"),
        ("holds {glue:text}`n:,d` images", "{glue:text}`n:,d` изображений", None),
        ("holds {glue:text}`n:,d` images", "{glue:text}`n:.2f` изображений", "roles"),
        ("see {numref}`exercise %s <ex-a>`", "см. {numref}`упражнение %s <ex-a>`", None),
        ("see {numref}`exercise %s <ex-a>`", "см. {numref}`упражнение <ex-a>`", "%s"),
        ("`view` shares", "`view` делит", None),
        ("`view` shares", "`вид` делит", "code"),
        ("$x^2$ grows", "$x^3$ растёт", "math"),
        ("[docs](https://pytorch.org)", "[документация](https://pytorch.org)", None),
        ("[docs](https://pytorch.org)", "[документация](https://pytorch.ru)", "links"),
    ],
)
def test_lint_message(msgid: str, msgstr: str, problem: str | None) -> None:
    problems = i18n.lint_message(msgid, msgstr)
    if problem is None:
        assert not problems
    else:
        assert problems and problem in " ".join(problems), problems
