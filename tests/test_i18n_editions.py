"""The four editions as built for readers: English at the site's root, ru, zh and et beside it.

They come from the session's ``editions`` fixture (``tests/_editions.py``): the book built
again in English and in every translated edition with its PDF, with a Jupyter kernel that
cannot start, from a copy whose Estonian and Russian setup chapters each have one message
left untranslated or fuzzy. Checked here: nothing was executed and the cache is untouched;
every glued number and every figure is the same in all four editions; the switcher, the
banner, the status page's table, the glossary, the interface words and the launch buttons;
each PDF opens, is linked from its front page, and has its chapter titles as text and its
figures. ``test_browser.py`` visits every page of every edition.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from _book import REPO, executes, toc_files
from _editions import FUZZY, UNTRANSLATED

sys.path.insert(0, str(REPO / "_i18n"))

import book_editions
from book_editions import EDITIONS, TRANSLATED, pdf_name

pytestmark = pytest.mark.build

PAGES = toc_files()
BS4 = pytest.importorskip("bs4")
EXERCISE = {"en": "Exercise", "ru": "Упражнение", "zh_CN": "练习", "et": "Ülesanne"}


def _folder(site: Path, edition: book_editions.Edition) -> Path:
    return site / edition.folder if edition.folder else site


def _soup(editions: dict, edition: book_editions.Edition, page: str):
    path = _folder(editions["site"], edition) / f"{page}.html"
    return BS4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _article(soup):
    return soup.select_one("article.bd-article")


def test_nothing_was_executed(editions) -> None:
    for log in (editions["english_log"], editions["log"]):
        assert "Executing notebook" not in log
        assert "Kernel died" not in log
    assert editions["cache_after"] == editions["cache_before"], "the execution cache changed"
    assert len(editions["cache_before"]) > 1


def test_every_edition_has_every_page(editions) -> None:
    for edition in EDITIONS:
        folder = _folder(editions["site"], edition)
        missing = [page for page in PAGES if not (folder / f"{page}.html").is_file()]
        assert not missing, f"{edition.language}: no page for {missing}"
        assert (folder / "search.html").is_file() and (folder / "searchindex.js").is_file()


@pytest.mark.parametrize("page", PAGES)
def test_glued_values_and_figures_are_the_same_in_every_edition(editions, page: str) -> None:
    """Every glued number (myst-nb's ``pasted-text``) and every figure of a page, counted:
    a translation may move a number within its sentence, never change or drop it."""

    def content(edition, language):
        article = _article(_soup(editions, edition, page))
        # the same numbers, written as the edition's language writes them
        glued = Counter(
            book_editions.local_number(span.get_text(), language)
            for span in article.select("span.pasted-text")
        )
        figures = Counter(
            img["src"].rsplit("/", 1)[-1] for img in article.select(".cell_output img")
        )
        return glued, figures

    for edition in TRANSLATED:
        glued, figures = content(EDITIONS[0], edition.language)
        other_glued, other_figures = content(edition, "en")
        assert other_glued == glued, f"{edition.language} {page}: {other_glued ^ glued}"
        assert other_figures == figures, f"{edition.language} {page}: figures differ"


def test_no_glued_number_reads_as_a_decimal_in_russian_or_estonian(editions) -> None:
    """ "10,000" is ten in Russian and Estonian: their glued numbers group digits with a
    space, and Estonian's decimals take its comma (as its translated prose writes them)."""
    for page in PAGES:
        english = [
            span.get_text()
            for span in _article(_soup(editions, EDITIONS[0], page)).select("span.pasted-text")
        ]
        for edition in TRANSLATED:
            spans = _article(_soup(editions, edition, page)).select("span.pasted-text")
            texts = [span.get_text() for span in spans]
            if edition.language == "ru":  # its decimals keep the point: no comma at all
                assert not [t for t in texts if re.search(r"\d,\d", t)], page
            for text in english:
                if re.fullmatch(r"\d{1,3}(,\d{3})+", text):  # a grouped integer
                    expected = {"ru": "\u00a0", "et": "\u00a0"}.get(edition.language, ",")
                    assert text.replace(",", expected) in texts, f"{edition.language}: {text}"
                if edition.language == "et" and re.fullmatch(r"\d+\.\d+", text):
                    assert text.replace(".", ",") in texts, f"et {page}: {text}"


def test_the_comparison_has_numbers_to_compare(editions) -> None:
    glued = [
        page
        for page in PAGES
        if executes(page)
        and _article(_soup(editions, EDITIONS[0], page)).select("span.pasted-text")
    ]
    assert len(glued) > 10, glued


@pytest.mark.parametrize("page", ["book/index", "book/tensors", "book/glossary"])
def test_the_switcher_leads_to_the_same_page(editions, page: str) -> None:
    for edition in EDITIONS:
        soup = _soup(editions, edition, page)
        links = soup.select(".torchbook-languages a.dropdown-item")
        assert [a["hreflang"] for a in links] == ["en", "ru", "zh-CN", "et"]
        here = _folder(editions["site"], edition) / f"{page}.html"
        for link, other in zip(links, EDITIONS, strict=True):
            target = (here.parent / urldefrag(link["href"]).url).resolve()
            assert target == (_folder(editions["site"], other) / f"{page}.html").resolve()
            assert target.is_file()
            assert ("aria-current" in link.attrs) == (other == edition)


@pytest.mark.parametrize("edition", TRANSLATED, ids=lambda e: e.language)
def test_a_page_not_fully_translated_shows_a_banner(editions, edition) -> None:
    spoiled = dict([UNTRANSLATED, FUZZY]).get(edition.language)  # one page each
    for page in PAGES:
        soup = _soup(editions, edition, page)
        banner = soup.select_one(".torchbook-translation-banner")
        if page != spoiled:
            assert banner is None, f"{edition.language} {page}: a banner on a translated page"
            continue
        assert banner is not None, f"{edition.language} {page}: no banner"
        link = banner.select_one("a[hreflang=en]")
        here = _folder(editions["site"], edition) / f"{page}.html"
        english = (editions["site"] / f"{page}.html").resolve()
        assert (here.parent / link["href"]).resolve() == english
        assert re.search(r"\d+\s?%", banner.get_text()), banner.get_text()
    assert not _soup(editions, EDITIONS[0], "book/setup").select(".torchbook-translation-banner")


def test_the_status_page_lists_each_editions_share(editions) -> None:
    root = editions["root"]
    for edition in EDITIONS:
        table = _article(_soup(editions, edition, "book/status")).select_one(
            "table.torchbook-translation-status"
        )
        assert table is not None, f"{edition.language}: no translation table"
        header = [th.get_text(strip=True) for th in table.select("thead th")]
        assert header[1:] == [e.name for e in TRANSLATED]
        rows = table.select("tbody tr")
        assert len(rows) == len(PAGES) + 1  # and the whole book
        for row, page in zip(rows, PAGES, strict=False):
            cells = [td.get_text(" ", strip=True) for td in row.select("td")]
            for text, other in zip(cells[1:], TRANSLATED, strict=True):
                count = book_editions.catalogue_count(
                    book_editions.catalogue_path(root, other.language, page)
                )
                expected = book_editions.share_text(count, edition.language)
                assert text == expected, (edition.language, page, other.language, text)
                if (other.language, page) in (UNTRANSLATED, FUZZY):
                    assert not text.startswith("100 %")
                else:
                    assert text == "100 %"


def _glossary_source() -> dict[str, dict[str, str]]:
    text = (REPO / "book" / "glossary.md").read_text(encoding="utf-8")
    entries, term = {}, None
    for line in text.split("```{glossary}", 1)[1].splitlines():
        if line and not line.startswith((" ", "`")):
            term = line.strip()
        found = book_editions.EQUIVALENTS.match(line.strip())
        if found and term:
            entries[term] = {k: v.strip() for k, v in found.groupdict().items()}
    return entries


def _plain_quotes(text: str) -> str:
    """Sphinx's smart quotes make ' and " typographic, each language its own way."""
    return re.sub(r"[‘’‚“”„«»]", "'", text).replace('"', "'")


@pytest.mark.parametrize("edition", TRANSLATED, ids=lambda e: e.language)
def test_the_glossary_shows_its_own_language_first(editions, edition) -> None:
    source = _glossary_source()
    english_ids = {
        "".join(dt.find_all(string=True, recursive=False)).strip(): dt["id"]
        for dt in _soup(editions, EDITIONS[0], "book/glossary").select("dl.glossary > dt")
    }
    terms = _article(_soup(editions, edition, "book/glossary")).select("dl.glossary > dt")
    assert len(terms) == len(source) > 50
    heads = []
    for dt in terms:
        english = dt.select_one(".torchbook-term-en")
        assert english is not None and english.get("lang") == "en"
        own = "".join(dt.find_all(string=True, recursive=False)).strip()
        expected = source[english.get_text()][edition.glossary_key]
        assert _plain_quotes(own) == _plain_quotes(expected)
        # the anchor is the English term's, so that links reach it from every edition
        assert dt["id"] == english_ids[english.get_text()]
        heads.append(own)
    if edition.language == "zh_CN":  # English order, as English-Chinese glossaries go
        assert [t.select_one(".torchbook-term-en").get_text() for t in terms] == list(source)
    else:
        key = [book_editions.collation_key(h, edition.language) for h in heads]
        assert key == sorted(key), f"{edition.language}: not in alphabetical order"


@pytest.mark.parametrize("edition", TRANSLATED, ids=lambda e: e.language)
def test_glossary_links_reach_their_terms(editions, edition) -> None:
    ids = {dt["id"] for dt in _soup(editions, edition, "book/glossary").select("dt[id]")}
    for page in PAGES:
        for link in _article(_soup(editions, edition, page)).select("a[href*='#term-']"):
            assert urldefrag(link["href"]).fragment in ids, (edition.language, page, link)


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.language)
def test_the_interface_speaks_the_editions_language(editions, edition) -> None:
    soup = _soup(editions, edition, "book/tensors")
    assert soup.html["lang"] == edition.language.replace("_", "-")
    title = soup.select_one("div.exercise .admonition-title").get_text()
    assert title.startswith(f"{EXERCISE[edition.language]} 1.1"), title
    launch = soup.select(".dropdown-launch-buttons a")
    assert {a.get_text(strip=True).split()[0] for a in launch} >= {"Colab", "Binder"}
    english = _soup(editions, EDITIONS[0], "book/tensors")
    english_urls = sorted(a["href"] for a in english.select(".dropdown-launch-buttons a"))
    assert sorted(a["href"] for a in launch) == english_urls, "not the English notebook"
    if edition.folder:
        note = book_editions.ui("english_notebook", edition.language)
        assert all(note in a.get_text() for a in launch), "the button does not say so"
        provenance = soup.select_one("p.torchbook-provenance").get_text()
        assert "Executed on" not in provenance, provenance


# --- the PDFs ----------------------------------------------------------------------


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"PDF TESTS SKIPPED: no {tool} (apt-get install poppler-utils)")
    return path


def _pdf(editions, edition) -> Path:
    return _folder(editions["site"], edition) / pdf_name(edition)


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.language)
def test_each_pdf_is_linked_from_its_front_page_and_opens(editions, edition) -> None:
    pdf = _pdf(editions, edition)
    assert pdf.is_file() and pdf.stat().st_size > 1_000_000, f"no PDF at {pdf}"
    soup = _soup(editions, edition, PAGES[0])
    link = soup.select_one("p.torchbook-pdf a")
    here = _folder(editions["site"], edition) / f"{PAGES[0]}.html"
    assert (here.parent / link["href"]).resolve() == pdf.resolve()
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])
    assert pages > 100, info


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.language)
def test_each_pdf_has_its_chapter_titles_as_text(editions, edition) -> None:
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", "-enc", "UTF-8", str(_pdf(editions, edition)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Each chapter starts a page with its title, in the page's first lines (the page's
    # number above it; a long title wraps, and -layout keeps the pieces in reading order).
    tops = [_squeeze(" ".join(page.strip().splitlines()[:4])) for page in text.split("\f")]
    for page in PAGES:
        title = _article(_soup(editions, edition, page)).select_one("h1")
        words = title.get_text().replace("#", "").strip()
        words = _squeeze(re.sub(r"^\d+\.\s*", "", words))  # the chapter's number
        assert any(words in top for top in tops), f"{edition.language}: no page starts {words!r}"
    if edition.language == "zh_CN":
        assert re.search(r"[\u4e00-\u9fff]{20}", text), "no Chinese text in the Chinese PDF"


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.language)
def test_each_pdf_has_the_figures(editions, edition) -> None:
    listing = subprocess.run(
        [_poppler("pdfimages"), "-list", str(_pdf(editions, edition))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    images = [line for line in listing if line.split()[2] == "image"]
    figures = set()
    for page in PAGES:
        article = _article(_soup(editions, edition, page))
        figures |= {img["src"].rsplit("/", 1)[-1] for img in article.select(".cell_output img")}
    assert len(figures) > 20
    assert len(images) >= len(figures), f"{len(images)} images in the PDF, {len(figures)} figures"


def test_the_editions_build_time_is_reported(editions) -> None:
    english, others = editions["seconds"]
    print(f"editions: English rebuilt in {english:.0f} s, the others and 4 PDFs in {others:.0f} s")
    assert "[editions] done in" in editions["log"]
