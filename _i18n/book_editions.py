"""The book's editions: English at the site's root, Russian, Chinese and Estonian beside it.

A translated edition is the English book built with Sphinx's ``language`` set, reading the
catalogues ``locales/<language>/LC_MESSAGES/book/<chapter>.po`` (``tools/editions.py``
builds it; ``tools/i18n.py`` keeps the catalogues in step with the English chapters). Every
edition, English included, loads this extension, which does what Sphinx's gettext does not:

- It keeps out of the catalogues what is not prose (:class:`KeepOutOfCatalogues`): display
  math; titles, table cells and paragraphs with no word outside code, math and roles
  (``0``, ```(3,)```); the glossary's terms and the line of their ru/et/zh equivalents.
- In a translated edition the glossary shows its own language first
  (:func:`arrange_glossary`): each entry is headed by the term in the edition's language
  (from that line), then the English term; the line lists English and the other two
  languages; entries are sorted in the edition's alphabetical order (Russian, Estonian;
  Chinese keeps the English order, as English-Chinese glossaries do).
- It counts, per page, the messages still shown in English (untranslated, fuzzy, or new
  since the catalogue was last updated; outputs of code cells are not counted: they are
  shared by all editions) and shows a banner at the top of every page that has any, with
  the translated share and a link to the English page (:func:`add_page_context`).
- Every page gets the language switcher (``_templates/language-switcher.html``, placed by
  ``article_header_end`` in ``_config.yml``), which links to the same page in each edition;
  each edition's front page links its PDF; in a translated edition the Colab and Binder
  buttons say that they open the English notebook.
- The directive ``{translation-status}`` (on the build-status page) renders each
  edition's translated share per chapter, counted from the catalogues.

Nothing here changes what a chapter computes, so it lives outside ``_ext/``, whose files key
the execution cache (``_ext/package_cache.py``): editing it re-executes nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import extract_messages

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Edition:
    """One edition of the book."""

    language: str  # Sphinx's language, the catalogue folder under locales/
    folder: str  # where it is published under the site's root ("" for English)
    name: str  # the language's name in that language
    short: str  # the switcher's label
    glossary_key: str  # the prefix of its equivalents in the glossary ("" for English)


EDITIONS = (
    Edition("en", "", "English", "EN", ""),
    Edition("ru", "ru", "Русский", "RU", "ru"),
    Edition("zh_CN", "zh", "中文", "中文", "zh"),
    Edition("et", "et", "Eesti", "ET", "et"),
)
TRANSLATED = tuple(edition for edition in EDITIONS if edition.folder)
LOCALES = "locales"  # relative to the book's root; `locale_dirs` in _config.yml
CATALOGUE_FOLDER = "book"  # chapters' catalogues: LC_MESSAGES/book/<chapter>.po

# The interface strings this extension adds, in every edition's language.
UI: dict[str, dict[str, str]] = {
    "language": {"en": "Language", "ru": "Язык", "zh_CN": "语言", "et": "Keel"},
    "banner_title": {
        "ru": "Перевод не закончен",
        "zh_CN": "翻译尚未完成",
        "et": "Tõlge on pooleli",
    },
    "banner": {
        "ru": "Переведено {share} текста этой страницы; остальное показано по-английски.",
        "zh_CN": "本页文字已翻译 {share}，其余部分以英文显示。",
        "et": "Selle lehe tekstist on tõlgitud {share}; ülejäänu on inglise keeles.",
    },
    "english_page": {
        "ru": "Английский оригинал этой страницы",
        "zh_CN": "本页英文原文",
        "et": "Selle lehe ingliskeelne originaal",
    },
    "pdf": {
        "en": "The whole book as one PDF",
        "ru": "Вся книга одним файлом PDF",
        "zh_CN": "全书 PDF 版",
        "et": "Kogu raamat ühe PDF-failina",
    },
    "english_notebook": {
        "ru": "(английский блокнот)",
        "zh_CN": "（英文笔记本）",
        "et": "(ingliskeelne märkmik)",
    },
    "english_notebook_tooltip": {
        "ru": "Открывает английскую версию главы как блокнот",
        "zh_CN": "以笔记本形式打开本章的英文版",
        "et": "Avab peatüki ingliskeelse versiooni märkmikuna",
    },
    "search": {
        "ru": "Поиск по книге…",
        "zh_CN": "搜索本书…",
        "et": "Otsi raamatust…",
    },
    "footer": {
        "ru": "Все результаты, числа и рисунки на этих страницах вычислены при сборке книги.",
        "zh_CN": "这些页面上的每个输出、数字和图表都是在构建本书时计算得出的。",
        "et": "Iga väljund, arv ja joonis nendel lehtedel arvutati raamatu koostamisel.",
    },
    "provenance": {
        "ru": "Выполнено на {machine} за {seconds} с, {date}.",
        "zh_CN": "于 {date} 在 {machine} 上执行，用时 {seconds} 秒。",
        "et": "Käivitatud {date}: {machine}, {seconds} s.",
    },
    "provenance_no_time": {
        "ru": "Выполнено на {machine}, {date}.",
        "zh_CN": "于 {date} 在 {machine} 上执行。",
        "et": "Käivitatud {date}: {machine}.",
    },
    "chapter": {"en": "Chapter", "ru": "Глава", "zh_CN": "章节", "et": "Peatükk"},
    "total": {"en": "Whole book", "ru": "Вся книга", "zh_CN": "全书", "et": "Kogu raamat"},
    "fuzzy": {
        "en": "{count} to check",
        "ru": "проверить: {count}",
        "zh_CN": "待核对 {count} 条",
        "et": "kontrollida: {count}",
    },
    "no_catalogue": {
        "en": "no catalogue",
        "ru": "нет каталога",
        "zh_CN": "无目录文件",
        "et": "kataloog puudub",
    },
}


def ui(key: str, language: str, **values: object) -> str:
    """The interface string ``key`` in ``language`` (English where it has none)."""
    texts = UI[key]
    text = texts.get(language) or texts.get("en") or next(iter(texts.values()))
    return text.format(**values)


def edition_of(language: str | None) -> Edition:
    """The edition built with Sphinx's ``language`` (English for none)."""
    for edition in EDITIONS:
        if edition.language == (language or "en"):
            return edition
    raise ValueError(
        f"language {language!r}: the book has editions in {', '.join(e.language for e in EDITIONS)}"
    )


def pdf_name(edition: Edition) -> str:
    """The file name of an edition's PDF, at the root of the edition."""
    return f"torchbook-{edition.folder or 'en'}.pdf"


def edition_url(pagename: str, here: Edition, there: Edition, suffix: str = ".html") -> str:
    """The relative address of page ``pagename`` of edition ``there`` from the same page of
    edition ``here``; English sits at the site's root, the others in their folders."""
    up = "../" * pagename.count("/") + ("../" if here.folder else "")
    return f"{up}{there.folder + '/' if there.folder else ''}{pagename}{suffix}"


# --- what the catalogues hold ---------------------------------------------------------

_CODE = re.compile(r"`+[^`]*`+")
_ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]")
GLOSSARY_ORDER = ("ru", "et", "zh")  # as the glossary's equivalents list them
EQUIVALENTS = re.compile(r"^ru: (?P<ru>.+?) · et: (?P<et>.+?) · zh: (?P<zh>.+)$", re.DOTALL)


def has_words(text: str) -> bool:
    """True when ``text`` (MyST source) has a letter outside roles, code and math."""
    for pattern in (_ROLE, _CODE, _MATH):
        text = pattern.sub(" ", text)
    return bool(_LETTER.search(text))


def _in_glossary(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.glossary):
            return True
        parent = parent.parent
    return False


def _myst_inline(node: nodes.Element) -> str | None:
    """The MyST source of a title made of text and inline code only, else None."""
    parts = []
    for child in node.children:
        if isinstance(child, nodes.literal):
            parts.append(f"`{child.astext()}`")
        elif isinstance(child, nodes.Text):
            parts.append(child.astext())
        else:
            return None
    return "".join(parts)


def not_prose(node: nodes.TextElement) -> bool:
    """True for what the catalogues leave out (see :class:`KeepOutOfCatalogues`)."""
    from sphinx_exercise.nodes import exercise_title, solution_title

    if isinstance(node, nodes.math_block):
        return True
    if isinstance(node, (exercise_title, solution_title)):
        # "Exercise"/"Solution to" are sphinx-exercise's words, in its own catalogue; the
        # exercise's own title inside is a message of its own (its subtitle, see below)
        return True
    if isinstance(node, nodes.term) and _in_glossary(node):
        return True
    if isinstance(node, nodes.paragraph) and _in_glossary(node):
        return bool(EQUIVALENTS.match(node.astext().strip()))
    if isinstance(node, (nodes.paragraph, nodes.title)) and node.rawsource:
        return not has_words(node.rawsource)
    return False


class KeepOutOfCatalogues(SphinxTransform):
    """Decide what the catalogues hold, before Sphinx extracts (gettext builder) or
    translates (``Locale``, priority 20) the messages; the same in every build.

    Not prose, so not messages: display math, word-less titles, cells and paragraphs, the
    glossary's terms and their equivalents (see the module). An exercise's title
    (sphinx-exercise's subtitle, "Lab task 1: two integer tensors") is made a message: the
    directive gives it no source, so Sphinx would leave it out."""

    default_priority = 15

    def apply(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import exercise_subtitle

        for node in self.document.findall(exercise_subtitle):
            source = _myst_inline(node)
            if source and has_words(source):
                # one inline node, which sphinx-exercise moves into the title it writes
                # ("Exercise 1.1 (...)"), where the gettext builder still finds it
                message = nodes.inline(source, "", *node.children, translatable=True)
                message.source = self.document["source"]
                message.line = node.parent.line or 0
                node.children = []
                node += message
        for node in self.document.findall(nodes.TextElement):
            if not_prose(node):
                node["translatable"] = False


class ForgetMessageDocuments(SphinxTransform):
    """Sphinx parses each translated message as a small document of its own and moves the
    result into the page, but the moved nodes still name that small document as theirs,
    and with it the build's settings and environment: pickled with the page, they made a
    translated page's doctree 15 times the English one's, and reading it back took a
    second. They belong to the page."""

    default_priority = 21  # after Locale

    def apply(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.Node):  # text too
            if node.document is not self.document:
                node.document = None  # docutils then answers with the parent's: the page


class RegisterTranslatedExercises(SphinxTransform):
    """sphinx-exercise titles a solution ("Solution to Exercise 1.1 (...)") from a copy of
    its exercise taken when the directive ran, before the translation: copy it again."""

    default_priority = 22  # after Locale and ForgetMessageDocuments

    def apply(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in self.document.findall(
            lambda n: isinstance(n, (exercise_node, exercise_enumerable_node))
        ):
            entry = registry.get(node.get("label", ""))
            if entry is not None and entry.get("docname") == self.env.docname:
                entry["node"] = node.deepcopy()


class TranslateTocCaptions(SphinxTransform):
    """The parts' captions in the table of contents ("Part I — Tensors"), which
    sphinx-external-toc inserts (priority 100) after Sphinx has translated the page (20):
    the gettext builder puts them in the front page's catalogue; translate them here."""

    default_priority = 101

    def apply(self, **kwargs: Any) -> None:
        from sphinx.locale import init as init_locale
        from sphinx.util.i18n import docname_to_domain

        if not edition_of(self.config.language).folder:
            return
        toctrees = [n for n in self.document.findall(addnodes.toctree) if n.get("rawcaption")]
        if not toctrees:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        folders = [str(Path(self.env.srcdir, d)) for d in self.config.locale_dirs]
        catalogue, found = init_locale(folders, self.config.language, domain)
        for toctree in toctrees:
            caption = toctree["rawcaption"]
            translated = catalogue.gettext(caption) if found else caption
            if translated != caption:
                toctree.apply_translated_message(caption, translated)
            toctree["translated"] = translated != caption


def note_read_docs(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    env.torchbook_root_reread = app.config.root_doc in docnames


def rewrite_all_after_front_page(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page shows the front page's table of contents in its sidebar: when the
    front page was read again (its English or its catalogue changed), write them all."""
    if getattr(env, "torchbook_root_reread", False) and edition_of(app.config.language).folder:
        return sorted(env.found_docs)
    return []


# --- glued values in a translated message ---------------------------------------------


def _page_reference(document: nodes.document) -> str:
    """The page being read, as a path from the book's root (``/book/tensors.md``)."""
    env = document.settings.env
    return "/" + Path(env.doc2path(env.docname, False)).as_posix()


def _glue_roles() -> dict[str, type]:
    """myst-nb's glue roles, each taught to read the page's values from inside a
    translated message.

    Sphinx parses a translated message as a small document of its own, without the
    notebook the page's glue roles read their values from (myst-nb: "No key ... found in
    glue data for this document"). In such a message, ``{glue:text}`` and ``{glue}`` become
    myst-nb's own references to the page itself (as ``page::key`` would), which it resolves
    from the values it saved while reading the page (``jupyter_execute/<page>.glue.json``),
    formatted by the same code; ``{glue:md}`` reads them from there too. On the page's own
    text (not a translation) the roles are myst-nb's, unchanged.
    """
    from myst_nb.ext.glue.crossref import read_glue_cache
    from myst_nb.ext.glue.roles import PasteMarkdownRole, PasteRoleAny, PasteTextRole
    from myst_nb.ext.glue.utils import create_pending_glue_ref, glue_warning

    def in_translation(role: Any) -> bool:
        return "nb_renderer" not in role.document and "::" not in role.text

    def to_this_page(role: Any, key: str, **kwargs: Any) -> list[nodes.Node]:
        """myst-nb's reference to ``key`` of the page itself, resolved after reading."""
        page = _page_reference(role.document)
        return [
            create_pending_glue_ref(
                role.document, role.source, role.line, page, key, inline=True, **kwargs
            )
        ]

    class TranslatedPasteText(PasteTextRole):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            if not in_translation(self):
                return super().run()
            key, _, spec = self.text.rpartition(":") if ":" in self.text else ("", "", "")
            key, spec = (key, spec) if key else (self.text, "s")
            return to_this_page(self, key, gtype="text", fmt_spec=spec), []

    class TranslatedPasteAny(PasteRoleAny):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            if not in_translation(self):
                return super().run()
            return to_this_page(self, self.text), []

    class TranslatedPasteMarkdown(PasteMarkdownRole):
        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            if not in_translation(self):
                return super().run()
            env = self.document.settings.env
            key = self.text.rsplit(":", 1)[0] if ":" in self.text else self.text
            output = read_glue_cache(env.mystnb_config.output_folder, env.docname).get(key)
            markdown = (output or {}).get("data", {}).get("text/markdown")
            if markdown is None:
                warning = glue_warning(
                    f"No text/markdown glued as {key!r} on this page", self.document, self.line
                )
                return [], [warning]
            parent = nodes.inline()
            found, messages = self.inliner.parse(markdown, self.line or 0, self.inliner, parent)
            for node in found:
                self.set_source_info(node)
            return found, messages

    return {
        "text": TranslatedPasteText,
        "": TranslatedPasteAny,
        "any": TranslatedPasteAny,
        "md": TranslatedPasteMarkdown,
    }


# Glued numbers are written the English way ("10,000", "0.25"). Russian and Estonian
# write a decimal with a comma, so there "10,000" reads as ten: both group digits with a
# (no-break) space, "10 000". The Estonian translation also writes its decimals with a
# comma ("0,001"), as Estonian does, so its glued ones follow ("0,25"); the Russian one
# keeps the point, as Russian programming texts often do, and so do its glued numbers.
# Chinese writes numbers as English does. Code, outputs and math keep the point everywhere.
NUMBER_STYLE = {"ru": ("\u00a0", "."), "et": ("\u00a0", ",")}  # (digit groups, decimal)
NUMBER = re.compile(r"^[-+−]?\d{1,3}(?:,\d{3})*(?:\.\d+)?(?:\s*%)?$|^[-+−]?\d+(?:\.\d+)?(?:\s*%)?$")


def local_number(text: str, language: str) -> str:
    """A glued number as this language writes it (anything that is not a plain number,
    such as a glued tuple or word, unchanged)."""
    style = NUMBER_STYLE.get(language)
    if style is None or not NUMBER.match(text.strip()):
        return text
    group, decimal = style
    return "".join(group if c == "," else decimal if c == "." else c for c in text)


class NumbersAsTheLanguageWritesThem(SphinxPostTransform):
    """Glued numbers in the edition's way (after myst-nb has pasted them, priority 5)."""

    default_priority = 6

    def run(self, **kwargs: Any) -> None:
        language = self.config.language or "en"
        if language not in NUMBER_STYLE:
            return
        for node in self.document.findall(nodes.inline):
            if "pasted-text" in node["classes"] and len(node.children) == 1:
                text = node.astext()
                written = local_number(text, language)
                if written != text:
                    node.children = [nodes.Text(written)]


def register_glue_roles(app: Sphinx) -> None:
    """Put the glue roles that work in translations in myst-nb's ``glue`` domain."""
    for name, role in _glue_roles().items():
        app.add_role_to_domain("glue", name, role(), override=True)


# --- the glossary in a translated edition ------------------------------------------------

_ALPHABETS = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "et": "abcdefghijklmnopqrsšzžtuvwõäöüxy",
}


def collation_key(text: str, language: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key of ``text`` in the alphabet of ``language`` (Estonian puts š, z, ž after
    s and õ, ä, ö, ü after w; Russian puts ё after е); other characters sort after the
    alphabet's letters, by code point."""
    alphabet = _ALPHABETS.get(language.split("_")[0], "")
    key = []
    for char in text.lower():
        if char in alphabet:
            key.append((0, alphabet.index(char), ""))
        elif char.isalnum():
            key.append((1, ord(char), ""))
    return tuple(key)


def arrange_glossary(doctree: nodes.document, edition: Edition) -> None:
    """Head each glossary entry with the edition's own term (see the module)."""
    for glossary in doctree.findall(addnodes.glossary):
        for items in glossary.findall(nodes.definition_list):
            entries = []
            for item in items.children:
                if not isinstance(item, nodes.definition_list_item):
                    continue
                term = next(iter(item.findall(nodes.term)), None)
                line = next(
                    (
                        p
                        for p in item.findall(nodes.paragraph)
                        if EQUIVALENTS.match(p.astext().strip())
                    ),
                    None,
                )
                if term is None or line is None:
                    entries.append((item, item.astext()))
                    continue
                found = EQUIVALENTS.match(line.astext().strip())
                assert found is not None
                own = found[edition.glossary_key].strip()
                english = term.astext()
                for child in list(term.children):
                    if not isinstance(child, (nodes.target, addnodes.index)):
                        term.remove(child)
                term += nodes.Text(own)
                # docutils writes a class language-xx as the attribute lang="xx"
                term += nodes.inline(english, english, classes=["torchbook-term-en", "language-en"])
                others = [f"en: {english}"] + [
                    f"{key}: {found[key].strip()}"
                    for key in GLOSSARY_ORDER
                    if key != edition.glossary_key
                ]
                line.children = []
                line += nodes.Text(" · ".join(others))
                entries.append((item, own))
            if edition.language != "zh_CN":
                entries.sort(key=lambda entry: collation_key(entry[1], edition.language))
                items.children = []
                for item, _ in entries:
                    items += item


# --- what is left in English ---------------------------------------------------------


def _in_output(node: nodes.Node) -> bool:
    parent: nodes.Node | None = node
    while parent is not None:
        if isinstance(parent, nodes.Element) and str(parent.get("nb_element", "")).startswith(
            "cell_code_output"
        ):
            return True
        parent = parent.parent
    return False


def count_messages(doctree: nodes.document) -> tuple[int, int]:
    """(messages still in English, messages) of a translated page's prose. Sphinx marks
    each message it looked up in the page's catalogue ``translated`` true or false; a page
    without a catalogue (a chapter newer than the catalogues) has none marked, all
    English. Outputs of code cells are shared by the editions and not counted."""
    left = total = 0
    for node, _ in extract_messages(doctree):
        if _in_output(node):
            continue
        total += 1
        left += not node.get("translated", False)
    return left, total


def after_reading(app: Sphinx, doctree: nodes.document) -> None:
    edition = edition_of(app.config.language)
    if not edition.folder:
        return
    arrange_glossary(doctree, edition)
    counts = getattr(app.env, "torchbook_untranslated", {})
    counts[app.env.docname] = count_messages(doctree)
    app.env.torchbook_untranslated = counts


def translate_provenance(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The line under a chapter's title that ``_ext/provenance.py`` writes in English
    ("Executed on ... in 6.7 s on 2026-11-30."), in the edition's language, from the same
    execution record."""
    import datetime

    from myst_nb.sphinx_ import NbMetadataCollector

    edition = edition_of(app.config.language)
    if not edition.folder:
        return
    line = next(
        (p for p in doctree.findall(nodes.paragraph) if "torchbook-provenance" in p["classes"]),
        None,
    )
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    if line is None or not data:
        return
    import provenance  # _ext/provenance.py, loaded by the build as a local extension

    when = datetime.datetime.fromtimestamp(data["mtime"], tz=datetime.timezone.utc)
    runtime = data.get("runtime")
    values = {"machine": provenance.environment_summary(), "date": f"{when:%Y-%m-%d}"}
    if runtime is None:
        text = ui("provenance_no_time", edition.language, **values)
    else:
        text = ui("provenance", edition.language, seconds=f"{runtime:.1f}", **values)
    line.children = [nodes.Text(text)]


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "torchbook_untranslated", {}).pop(docname, None)


def merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    counts = getattr(env, "torchbook_untranslated", {})
    counts.update(getattr(other, "torchbook_untranslated", {}))
    env.torchbook_untranslated = counts


# --- the page ---------------------------------------------------------------------------


def banner_html(pagename: str, edition: Edition, left: int, total: int) -> str:
    """The notice at the top of a page whose translation is incomplete."""
    share = f"{int(100 * (total - left) / total) if total else 0} %"
    if edition.language == "zh_CN":
        share = share.replace(" ", "")
    english = edition_url(pagename, edition, EDITIONS[0])
    return (
        f'<div class="admonition warning torchbook-translation-banner" role="note">\n'
        f'<p class="admonition-title">{html.escape(ui("banner_title", edition.language))}</p>\n'
        f"<p>{html.escape(ui('banner', edition.language, share=share))} "
        f'<a href="{english}" hreflang="en">'
        f"{html.escape(ui('english_page', edition.language))}</a>.</p>\n</div>\n"
    )


def pdf_link_html(pagename: str, edition: Edition) -> str:
    """The link to the edition's PDF, on its front page."""
    url = "../" * pagename.count("/") + pdf_name(edition)
    return (
        f'<p class="torchbook-pdf"><a href="{url}" download>'
        f'<i class="fa-solid fa-file-pdf"></i> {html.escape(ui("pdf", edition.language))}'
        "</a></p>\n"
    )


def _english_launch_buttons(context: dict[str, Any], edition: Edition) -> None:
    for group in context.get("header_buttons") or []:
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") in {"Colab", "Binder"}:
                button["text"] = f"{button['text']} {ui('english_notebook', edition.language)}"
                button["tooltip"] = ui("english_notebook_tooltip", edition.language)


def add_switcher_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """The switcher's links (before the theme renders its components, or it drops the
    switcher as empty)."""
    edition = edition_of(app.config.language)
    context["torchbook_language_label"] = ui("language", edition.language)
    context["torchbook_edition"] = edition
    context["torchbook_editions"] = [
        {
            "language": other.language,
            "hreflang": other.language.replace("_", "-"),
            "name": other.name,
            "short": other.short,
            "url": edition_url(pagename, edition, other),
            "current": other == edition,
        }
        for other in EDITIONS
    ]


def add_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """The banner, the PDF link and the launch buttons' notes."""
    edition = edition_of(app.config.language)
    if app.builder.name != "html" or doctree is None:
        return
    body = context.get("body", "")
    if pagename == app.config.root_doc:
        body = body.replace("</h1>", "</h1>\n" + pdf_link_html(pagename, edition), 1)
    if edition.folder:
        left, total = getattr(app.env, "torchbook_untranslated", {}).get(pagename, (0, 0))
        if left:
            body = banner_html(pagename, edition, left, total) + body
        _english_launch_buttons(context, edition)
    context["body"] = body


# --- the status page ----------------------------------------------------------------


@dataclass
class CatalogueCount:
    """Messages of one chapter's catalogue."""

    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    found: bool = False


def catalogue_count(path: Path) -> CatalogueCount:
    """Count a ``.po`` file's messages: translated ones have a message and are not fuzzy."""
    from babel.messages.pofile import read_po

    if not path.is_file():
        return CatalogueCount()
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    count = CatalogueCount(found=True)
    for message in catalogue:
        if not message.id:
            continue  # the header
        count.total += 1
        if message.fuzzy:
            count.fuzzy += 1
        elif message.string:
            count.translated += 1
    return count


def catalogue_path(root: Path, language: str, docname: str) -> Path:
    return root / LOCALES / language / "LC_MESSAGES" / f"{docname}.po"


def share_text(count: CatalogueCount, language: str) -> str:
    if not count.found:
        return ui("no_catalogue", language)
    percent = 100.0 * count.translated / count.total if count.total else 100.0
    text = f"{percent:.0f} %" if percent in (0.0, 100.0) else f"{percent:.1f} %"
    if count.fuzzy:
        text += f" ({ui('fuzzy', language, count=count.fuzzy)})"
    return text


class TranslationStatus(SphinxDirective):
    """``{translation-status}``: a table of each edition's translated share per chapter."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        language = edition_of(self.config.language).language
        site_map = getattr(self.config, "external_site_map", None)
        docnames = list(site_map) if site_map is not None else sorted(self.env.found_docs)
        table = nodes.table(classes=["torchbook-translation-status"])
        group = nodes.tgroup(cols=1 + len(TRANSLATED))
        table += group
        for _ in range(1 + len(TRANSLATED)):
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        group += head
        row = nodes.row()
        head += row
        for text in [ui("chapter", language), *(e.name for e in TRANSLATED)]:
            row += nodes.entry("", nodes.paragraph(text=text))
        body = nodes.tbody()
        group += body
        totals = {e.language: CatalogueCount(found=True) for e in TRANSLATED}
        for docname in docnames:
            row = nodes.row()
            body += row
            ref = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{docname}", refexplicit=False
            )
            ref += nodes.inline(docname, docname)
            row += nodes.entry("", nodes.paragraph("", "", ref))
            for edition in TRANSLATED:
                path = catalogue_path(root, edition.language, docname)
                self.env.note_dependency(str(path))
                count = catalogue_count(path)
                total = totals[edition.language]
                total.total += count.total
                total.translated += count.translated
                total.fuzzy += count.fuzzy
                total.found &= count.found
                row += nodes.entry("", nodes.paragraph(text=share_text(count, language)))
        row = nodes.row()
        body += row
        row += nodes.entry("", nodes.paragraph("", "", nodes.strong(text=ui("total", language))))
        for edition in TRANSLATED:
            text = share_text(totals[edition.language], language)
            row += nodes.entry("", nodes.paragraph("", "", nodes.strong(text=text)))
        return [table]


def singlehtml_as_html(app: Sphinx) -> None:
    """The PDFs are printed from Sphinx's one-page HTML. Extensions register how to write
    their nodes for the builder ``html``; once any registers one for ``singlehtml`` (as
    sphinx-exercise does), Sphinx stops falling back to ``html`` for the others
    (sphinx-jupyterbook-latex's hidden cells fail). Give ``singlehtml`` what ``html`` has."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


INTERFACE = Path(__file__).parent / "locale"  # <language>/LC_MESSAGES/<domain>.po


def load_interface_catalogues(app: Sphinx) -> None:
    """Put this extension's translations of the theme's and sphinx-exercise's words
    (``_i18n/locale/<language>/LC_MESSAGES/{sphinx,booktheme,exercise}.po``) in front of
    their own: pydata-sphinx-theme has no Estonian, sphinx-exercise no Estonian either, and
    some of their words are missing or odd in the others ("Решение к Упражнение 1.1",
    sphinx-book-theme's zh_CN in traditional characters). The words they lack fall back to
    theirs."""
    import gettext
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from sphinx import locale

    language = edition_of(app.config.language).language
    for path in sorted((INTERFACE / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        buffer = BytesIO()
        write_mo(buffer, catalogue)
        buffer.seek(0)
        ours = gettext.GNUTranslations(buffer)
        key = ("general", path.stem)
        theirs = locale.translators.get(key)
        if theirs is not None and theirs.__class__ is not gettext.NullTranslations:
            ours.add_fallback(theirs)
        locale.translators[key] = ours


def fill_script_translations(app: Sphinx, exception: Exception | None) -> None:
    """Sphinx's own catalogues for Russian and Estonian give its search page some empty
    translations ("Search finished, found ... page(s)"): the page then shows nothing where
    it says how many pages it found. Fill them in the copied ``_static/translations.js``
    from this extension's catalogue, or with the English words."""
    import gettext
    import json

    from sphinx import locale

    edition = edition_of(app.config.language)
    script = Path(app.outdir) / "_static" / "translations.js"
    if exception is not None or not edition.folder or not script.is_file():
        return
    ours = locale.translators.get(("general", "sphinx"), gettext.NullTranslations())
    text = script.read_text(encoding="utf-8")

    def fill(found: re.Match[str]) -> str:
        msgid = json.loads(found[1])
        return f"{found[1]}: {json.dumps(ours.gettext(msgid) or msgid)}"

    filled = re.sub(r'("(?:[^"\\]|\\.)*"): ""', fill, text)
    if filled != text:
        script.write_text(filled, encoding="utf-8")


def source_digest() -> str:
    """A digest of this folder (the extension and its interface catalogues): a setting
    whose value it is makes Sphinx read every page again when they change."""
    import hashlib

    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".po"}:
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def setup(app: Sphinx) -> dict[str, object]:
    # now, before sphinx-exercise sets "Exercise %s" as its numbering (config-inited)
    load_interface_catalogues(app)
    app.add_config_value("torchbook_editions_digest", source_digest(), "env")
    app.add_transform(KeepOutOfCatalogues)
    app.add_transform(ForgetMessageDocuments)
    app.add_transform(RegisterTranslatedExercises)
    app.add_transform(TranslateTocCaptions)
    app.add_post_transform(NumbersAsTheLanguageWritesThem)
    app.add_directive("translation-status", TranslationStatus)
    app.setup_extension("myst_nb")  # its glue domain first, then our roles in it
    register_glue_roles(app)
    app.connect("doctree-read", after_reading)
    app.connect("doctree-resolved", translate_provenance, priority=600)  # after provenance
    app.connect("builder-inited", singlehtml_as_html)
    app.connect("build-finished", fill_script_translations)
    app.connect("env-before-read-docs", note_read_docs)
    app.connect("env-get-updated", rewrite_all_after_front_page)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    # after the theme's buttons (501) and colab_notebooks.py's rewrite of them (600)
    app.connect("html-page-context", add_page_context, priority=700)
    # before pydata-sphinx-theme renders the header's components (500)
    app.connect("html-page-context", add_switcher_context, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
