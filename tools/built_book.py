"""What the built book shows, read back from a build folder for the launch notebooks.

Why this exists: a chapter's MyST source says ``{glue:text}`ratio:.1f` `` and
``{eq}`opt-momentum` ``; only the build knows that these are "1.9" and "(7.2)". The
notebooks that Colab and Binder open (``tools/notebooks.py``) must read like the page, so
they take every such value from the build that produced the page, never recompute it:

- glued values from myst-nb's ``jupyter_execute/<page>.glue.json`` (formatted by myst-nb's
  own ``format_plain_text``, exactly as the page formats them);
- the executed cells' outputs from ``jupyter_execute/<page>.ipynb``;
- numbers (equations, exercises, figures, sections), glossary anchors, page titles and
  the citations' texts from the HTML pages (``html/``), i.e. what a reader of the site sees.

The build folder is what ``jupyter-book build`` leaves in ``_build``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, NavigableString, Tag
from myst_nb.core.variables import format_plain_text


@dataclass(frozen=True)
class Target:
    """Something the book numbers: an equation, an exercise, a figure."""

    page: str  # "book/optimizers"
    anchor: str  # its id in the page: "equation-opt-momentum", "ex-optim-..."
    caption: str  # what the book prints: "(7.2)", "Exercise 7.3", "Fig. 7.1"
    number: str  # "7.2"


class BuildError(ValueError):
    """The build folder lacks what a notebook needs (or is older than the sources)."""


class BuiltBook:
    """Read-only view of a build folder (``_build``), for one published address."""

    def __init__(self, build: Path, site_url: str) -> None:
        self.html = build / "html"
        self.executed = build / "jupyter_execute"
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        if not self.html.is_dir() or not self.executed.is_dir():
            raise BuildError(f"{build} is not a built book: it needs html/ and jupyter_execute/")

    # -- addresses ---------------------------------------------------------------------

    def url(self, page: str, anchor: str = "") -> str:
        """The published address of ``page`` (``book/losses``), at ``anchor`` if given."""
        return f"{self.site_url}{page}.html" + (f"#{anchor}" if anchor else "")

    # -- the pages ---------------------------------------------------------------------

    @cached_property
    def pages(self) -> list[str]:
        """Every HTML page under ``book/``, as ``book/<name>``."""
        return sorted(f"book/{path.stem}" for path in (self.html / "book").glob("*.html"))

    def article(self, page: str) -> Tag:
        """The page's own content (no navigation or side tables of contents)."""
        return self._articles[page]

    @cached_property
    def _articles(self) -> dict[str, Tag]:
        articles = {}
        for page in self.pages:
            soup = BeautifulSoup((self.html / f"{page}.html").read_text("utf-8"), "html.parser")
            article = soup.find("article", class_="bd-article")
            if article is None:
                raise BuildError(f"{page}.html has no <article class='bd-article'>")
            articles[page] = article
        return articles

    @cached_property
    def titles(self) -> dict[str, str]:
        """Each page's title as ``{doc}`` links show it (the heading, without its number)."""
        titles = {}
        for page in self.pages:
            heading = self.article(page).find("h1")
            if heading is not None:
                titles[page] = _text_without(heading, "section-number", "headerlink")
        return titles

    @cached_property
    def targets(self) -> dict[str, Target]:
        """Numbered things of the whole book by label: equations, exercises, figures."""
        found: dict[str, Target] = {}
        for page in self.pages:
            article = self.article(page)
            for math in article.select("div.math[id^=equation-]"):
                eqno = math.find("span", class_="eqno")
                caption = _text_without(eqno, "headerlink") if eqno else ""
                label = math["id"].removeprefix("equation-")
                found[label] = Target(page, math["id"], caption, caption.strip("()"))
            for number in article.select("span.caption-number"):
                owner = number.find_parent(id=True)
                if owner is None:
                    continue
                caption = " ".join(number.get_text().split())
                found[owner["id"]] = Target(page, owner["id"], caption, caption.split()[-1])
        return found

    @cached_property
    def references(self) -> dict[str, tuple[str, str]]:
        """What ``{ref}`` links show: label -> (their published address, their text)."""
        found = {}
        for page in self.pages:
            for span in self.article(page).select("a.reference.internal > span.std-ref"):
                href = str(span.parent.get("href", ""))
                label = href.partition("#")[2]
                found[label] = (self._absolute(page, href), " ".join(span.get_text().split()))
        return found

    @cached_property
    def glossary(self) -> dict[str, str]:
        """Every glossary term (lower case, as Sphinx matches ``{term}``) -> its address."""
        terms = {}
        for page in self.pages:
            for term in self.article(page).select("dt[id^=term-]"):
                terms[_text_without(term, "headerlink").lower()] = self.url(page, term["id"])
        return terms

    def section_numbers(self, page: str) -> list[tuple[int, str]]:
        """(level, number) of every heading of the page in order: (2, "7.1.")."""
        numbers = []
        for heading in self.article(page).find_all(re.compile(r"^h[1-6]$")):
            number = heading.find("span", class_="section-number")
            numbers.append((int(heading.name[1]), number.get_text().strip() if number else ""))
        return numbers

    def citations(self, page: str) -> list[str]:
        """Every citation of the page in order, as Markdown linking to the references."""
        spans = self.article(page).select("span.bibtex-citation")
        return [self._inline_markdown(span, page) for span in spans]

    def _inline_markdown(self, element: Tag, page: str) -> str:
        """A citation's few kinds of markup (text, emphasis, links) as Markdown."""
        parts = []
        for child in element.children:
            if isinstance(child, NavigableString):
                parts.append(str(child))
            elif child.name == "a":
                href = str(child.get("href", ""))
                link = self._absolute(page, href)
                parts.append(f"[{self._inline_markdown(child, page)}]({link})")
            elif child.name in ("em", "i"):
                parts.append(f"*{self._inline_markdown(child, page)}*")
            else:
                parts.append(self._inline_markdown(child, page))
        return "".join(parts)

    def _absolute(self, page: str, href: str) -> str:
        """A link of ``page``'s HTML (relative to its folder) as a published address."""
        if re.match(r"^[a-z]+:", href):
            return href
        folder = page.rsplit("/", 1)[0]
        path, _, anchor = href.partition("#")
        target = f"{folder}/{path}" if path else f"{page}.html"
        return self.url(target.removesuffix(".html"), anchor)

    # -- execution -----------------------------------------------------------------------

    def executed_notebook(self, page: str) -> nbformat.NotebookNode:
        """The notebook as the build executed it (myst-nb's ``jupyter_execute`` copy)."""
        path = self.executed / f"{page}.ipynb"
        if not path.is_file():
            raise BuildError(f"{path} is missing: was {page} executed by this build?")
        return nbformat.read(path, as_version=4)

    def glue(self, page: str) -> dict[str, dict]:
        """The page's glued values: key -> their MIME bundle (``text/plain``, ...)."""
        path = self.executed / f"{page}.glue.json"
        if not path.is_file():
            return {}
        return {key: output["data"] for key, output in json.loads(path.read_text()).items()}


def glue_text(data: dict, fmt: str) -> str:
    """A ``{glue:text}`key:fmt` `` value as the page prints it (myst-nb's own formatting)."""
    if "text/plain" not in data:
        raise BuildError(f"glued value has no text/plain: {sorted(data)}")
    return format_plain_text(data["text/plain"], fmt)


def _text_without(element: Tag, *classes: str) -> str:
    """The element's text, whitespace collapsed, leaving out descendants with any of
    ``classes`` (a heading's number and its "#" link)."""
    parts = [
        str(text) for text in element.find_all(string=True) if not _inside(text, element, classes)
    ]
    return " ".join("".join(parts).split())


def _inside(text: NavigableString, element: Tag, classes: tuple[str, ...]) -> bool:
    """True when ``text`` sits in a descendant of ``element`` with one of ``classes``."""
    for parent in text.parents:
        if parent is element:
            return False
        if set(classes) & set(parent.get("class") or []):
            return True
    return False
