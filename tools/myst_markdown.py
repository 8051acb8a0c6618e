"""A chapter's MyST markdown cells as the plain Markdown that Colab and Jupyter render.

Why this exists: Colab renders a notebook's text cells as plain Markdown with math; MyST's
roles (``{glue:text}`key:.1f` ``, ``{eq}`label` ``, ``{term}`word` ``...) and directives
(```` ```{admonition} ````, exercises, gated solutions) show up there as raw markup. This
module rewrites each text cell into what the book's page shows, with the values taken
from the build (:class:`built_book.BuiltBook`):

- glued values become their formatted text; ``{term}``, ``{eq}``, ``{numref}``, ``{ref}``,
  ``{doc}`` and ``{cite}`` become the words or numbers the page prints, linked to the
  published page (the notebook has no glossary or other chapters to link to);
- admonitions and exercises become block quotes with a bold title; solutions become
  ``<details>`` blocks, folded like the page's dropdowns, and the code cells between a
  ``solution-start`` and its ``solution-end`` are reported through
  :attr:`MarkdownConverter.solution` so that the notebook can fold them too;
- display math loses its MyST label and gains the page's number as ``\\tag``; headings get
  the page's section numbers; ``(label)=`` targets and ``%`` comments go.

Anything else MyST-specific raises :class:`ConversionError` naming the chapter and the
markup, so that new syntax in a chapter fails the tests instead of reaching a reader raw.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from built_book import BuiltBook, glue_text
from glued_cases import parse_case

ADMONITIONS = {
    "admonition": "",
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
}
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\s*(?P<info>.*?)\s*$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<content>[^`]*)`")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
MATH_END = re.compile(r"^(?P<math>.*?)\$\$\s*(?:\((?P<label>[^()\s]+)\))?\s*$")
TARGET = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*)$")
BARE_MATH = re.compile(r"^\\begin\{(?P<env>align|gather|equation)(?P<star>\*?)\}")
IMAGE = re.compile(r"(!\[[^\]]*\]\()(?P<path>[^)\s]+)")


class ConversionError(ValueError):
    """MyST markup with no plain-Markdown form here: say which chapter and which markup."""


@dataclass
class Directive:
    name: str
    argument: str
    options: dict[str, str]
    body: list[str]


@dataclass
class Math:
    lines: list[str]
    label: str | None


@dataclass
class Verbatim:
    """A plain code fence: copied as it is."""

    lines: list[str]


@dataclass
class Text:
    lines: list[str] = field(default_factory=list)


Block = Directive | Math | Verbatim | Text


def blocks(lines: list[str]) -> Iterator[Block]:
    """Split MyST lines into directives, display math, code fences and plain text."""
    text = Text()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        is_fence = fence and (fence["fence"][0] == "`" or fence["info"].startswith("{"))
        if is_fence or line.startswith("$$") or BARE_MATH.match(line):
            if text.lines:
                yield text
                text = Text()
            if is_fence:
                end = _closing_fence(lines, i, fence["fence"])
                directive = DIRECTIVE.match(fence["info"])
                if directive:
                    yield _directive(directive["name"], directive["argument"], lines[i + 1 : end])
                else:
                    yield Verbatim(lines[i : end + 1])
            elif line.startswith("$$"):
                end, math = _display_math(lines, i)
                yield math
            else:
                end, math = _bare_environment(lines, i)
                yield math
            i = end + 1
        else:
            text.lines.append(line)
            i += 1
    if text.lines:
        yield text


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for end in range(start + 1, len(lines)):
        if closing.match(lines[end]):
            return end
    return len(lines)  # unclosed: to the end, as CommonMark does


def _directive(name: str, argument: str, lines: list[str]) -> Directive:
    """A directive's options (``:key: value`` lines or a ``---`` YAML block) and body."""
    options: dict[str, str] = {}
    body = list(lines)
    if body and body[0].strip() == "---":
        end = body.index("---", 1)
        for line in body[1:end]:
            key, _, value = line.partition(":")
            options[key.strip()] = value.strip()
        body = body[end + 1 :]
    else:
        while body and OPTION.match(body[0]):
            option = OPTION.match(body[0])
            options[option["key"]] = option["value"]
            body = body[1:]
    return Directive(name, argument.strip(), options, body)


def _display_math(lines: list[str], start: int) -> tuple[int, Math]:
    """``$$ ... $$ (label)`` on one line or several; returns the last line's index."""
    first = lines[start][2:]
    end_here = MATH_END.match(first)
    if end_here:
        return start, Math([end_here["math"].strip()], end_here["label"])
    body = [first] if first.strip() else []
    for end in range(start + 1, len(lines)):
        closing = MATH_END.match(lines[end])
        if closing:
            if closing["math"].strip():
                body.append(closing["math"])
            return end, Math(body, closing["label"])
        body.append(lines[end])
    raise ConversionError(f"display math opened at line {start + 1} is never closed")


def _bare_environment(lines: list[str], start: int) -> tuple[int, Math]:
    """An amsmath environment written without ``$$`` (MyST's amsmath extension): as display
    math with the inner form that works inside ``$$`` (``aligned``, ``gathered``)."""
    opening = BARE_MATH.match(lines[start])
    env = opening["env"] + opening["star"]
    closing = f"\\end{{{env}}}"
    end = next((j for j in range(start, len(lines)) if closing in lines[j]), None)
    if end is None:
        raise ConversionError(f"\\begin{{{env}}} at line {start + 1} is never closed")
    body = "\n".join(lines[start : end + 1])
    inner = {"align": "aligned", "gather": "gathered"}.get(opening["env"])
    if inner:
        body = body.replace(f"\\begin{{{env}}}", f"\\begin{{{inner}}}")
        body = body.replace(closing, f"\\end{{{inner}}}")
    else:
        body = body.replace(f"\\begin{{{env}}}", "").replace(closing, "")
    return end, Math(body.strip().splitlines(), None)


class MarkdownConverter:
    """Converts one chapter's markdown cells in order (citations and section numbers are
    matched to the page's in order, so every cell goes through here, first to last)."""

    def __init__(self, book: BuiltBook, page: str, image_url: str) -> None:
        self.book = book
        self.page = page
        self.image_url = image_url  # where files of the repository are served, for images
        self.glued = book.glue(page)
        self.citations = iter(book.citations(page))
        self.headings = iter(book.section_numbers(page))
        self.exercises: dict[str, str] = {}  # label -> "Exercise 7.3 (title)"
        self.solution: str | None = None  # the open solution's title, between its markers
        self._solution_parts = 0

    def fail(self, message: str) -> ConversionError:
        return ConversionError(f"{self.page}: {message}")

    # -- cells -------------------------------------------------------------------------

    def cell(self, source: str) -> str:
        """One markdown cell as Markdown; the parts inside a solution come folded."""
        parts: list[tuple[str | None, str]] = []
        for block in blocks(source.splitlines()):
            if isinstance(block, Directive) and block.name == "solution-start":
                self.solution = self._solution_title(block.argument)
                self._solution_parts = 0
            elif isinstance(block, Directive) and block.name == "solution-end":
                self.solution = None
            else:
                parts.append((self.solution, self.render(block, top=True)))
        return self._fold(parts)

    def _fold(self, parts: list[tuple[str | None, str]]) -> str:
        """Join the cell's parts, each run of parts inside a solution in a <details>."""
        out: list[str] = []
        run: list[str] = []
        title = None
        for solution, text in [*parts, (None, "")]:
            if solution is not None:
                run.append(text)
                title = solution
                continue
            if "".join(run).strip():
                self._solution_parts += 1
                summary = title if self._solution_parts == 1 else f"{title}, continued"
                out.append(details(summary, "\n".join(run)))
                text = text.lstrip("\n")  # one blank line ends the HTML block, no more
            run = []
            out.append(text)
        return "\n".join(out).strip("\n")

    def _solution_title(self, label: str) -> str:
        if label not in self.exercises:
            raise self.fail(f"solution to {label!r} comes before its exercise")
        return "Solution to " + _summary_html(self.exercises[label])

    # -- blocks ------------------------------------------------------------------------

    def render(self, block: Block, top: bool = False) -> str:
        if isinstance(block, Text):
            return self.text(block.lines, top)
        if isinstance(block, Verbatim):
            return "\n".join(block.lines)
        if isinstance(block, Math):
            return self.math(block)
        return self.directive(block)

    def render_all(self, lines: list[str]) -> str:
        """A directive's body, without the blank lines around it."""
        return "\n".join(self.render(block) for block in blocks(lines)).strip("\n")

    def text(self, lines: list[str], top: bool) -> str:
        kept = []
        for line in lines:
            if TARGET.match(line) or line.startswith("%"):
                continue  # a MyST target or comment: nothing on the page
            heading = HEADING.match(line) if top else None
            if heading:
                line = self.heading(heading)
            kept.append(line)
        return self.inline("\n".join(kept))

    def heading(self, heading: re.Match[str]) -> str:
        level = len(heading["hashes"])
        found = next(self.headings, None)
        if found is None or found[0] != level:
            raise self.fail(f"heading {heading['title']!r} does not match the page's headings")
        number = f"{found[1]} " if found[1] else ""
        return f"{heading['hashes']} {number}{heading['title']}"

    def math(self, block: Math) -> str:
        lines = [line for line in block.lines if line.strip()]
        if block.label is not None:
            target = self.book.targets.get(block.label)
            if target is None:
                raise self.fail(f"equation {block.label!r} has no number in the build")
            lines.append(f"\\tag{{{target.number}}}")
        return "$$\n" + "\n".join(lines) + "\n$$"

    def directive(self, block: Directive) -> str:
        name = block.name
        if name in ADMONITIONS:
            title = block.argument or ADMONITIONS[name]
            body = self.render_all(block.body)
            if "dropdown" in block.options.get("class", "").split():
                return details(_summary_html(self.inline(title)), body) + "\n"
            return quote(f"**{self.inline(title)}**\n\n{body}")
        if name == "exercise":
            return self.exercise(block)
        if name == "solution":
            title = self._solution_title(block.argument)
            return details(title, self.render_all(block.body)) + "\n"
        if name == "math":
            return self.math(Math(block.body, block.options.get("label")))
        if name in ("figure", "image"):
            return self.figure(block)
        if name == "glued-case":
            return self.glued_case(block)
        raise self.fail(f"no Markdown form for the directive {{{name}}}")

    def glued_case(self, block: Directive) -> str:
        """The prose of a computed outcome if it is the case the build found, else nothing
        (``_ext/glued_cases.py``)."""
        try:
            key, value = parse_case(block.argument)
        except ValueError as error:
            raise self.fail(str(error)) from None
        return self.render_all(block.body) if glue_text(self._glued(key), "") == value else ""

    def exercise(self, block: Directive) -> str:
        label = block.options.get("label")
        target = self.book.targets.get(label or "")
        if target is None:
            raise self.fail(f"exercise {label!r} has no number in the build")
        title = self.inline(block.argument)
        heading = f"{target.caption} ({title})" if title else target.caption
        self.exercises[label] = heading
        bold = f"**{target.caption}** ({title})" if title else f"**{target.caption}**"
        return quote(f"{bold}\n\n{self.render_all(block.body)}")

    def figure(self, block: Directive) -> str:
        alt = block.options.get("alt", "")
        image = f"![{alt}]({self.image_url}{_source_path(self.page, block.argument)})"
        caption = self.render_all(block.body).strip()
        label = block.options.get("name")
        target = self.book.targets.get(label or "")
        if target is not None:
            caption = f"**{target.caption}** {caption}"
        return f"{image}\n\n{caption}".strip()

    # -- inline markup -----------------------------------------------------------------

    def inline(self, text: str) -> str:
        """Roles replaced by what the page prints; images pointed at absolute addresses."""
        text = ROLE.sub(lambda match: self.role(match["name"], match["content"]), text)
        return IMAGE.sub(lambda match: match[1] + self._image(match["path"]), text)

    def _image(self, path: str) -> str:
        if re.match(r"^[a-z]+:", path):
            return path
        return self.image_url + _source_path(self.page, path)

    def role(self, name: str, content: str) -> str:
        explicit = EXPLICIT.match(content)
        text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
        if name in ("glue", "glue:", "glue:any", "glue:text"):
            return self.glue_text(content)
        if name == "glue:md":
            return self.glue_markdown(content)
        if name == "term":
            url = self.book.glossary.get(target.lower())
            if url is None:
                raise self.fail(f"{{term}} {target!r} is not in the glossary")
            return f"[{text or target}]({url})"
        if name == "eq":
            found = self._target(target, "equation")
            return f"[{text or found.caption}]({self.book.url(found.page, found.anchor)})"
        if name == "numref":
            found = self._target(target, "numbered target")
            caption = found.caption
            if text:
                caption = text.replace("%s", found.number).replace("{number}", found.number)
            return f"[{caption}]({self.book.url(found.page, found.anchor)})"
        if name == "ref":
            if target not in self.book.references:
                raise self.fail(f"{{ref}} {target!r} is not a link of the built pages")
            url, shown = self.book.references[target]
            return f"[{text or shown}]({url})"
        if name == "doc":
            page = _resolve_page(self.page, target)
            if page not in self.book.titles:
                raise self.fail(f"{{doc}} {target!r} is not a page of the book")
            return f"[{text or self.book.titles[page]}]({self.book.url(page)})"
        if name.startswith("cite"):
            citation = next(self.citations, None)
            if citation is None:
                raise self.fail(f"{{{name}}} {content!r}: the page has fewer citations")
            return citation
        if name == "math":
            return f"${content}$"
        raise self.fail(f"no Markdown form for the role {{{name}}}")

    def _target(self, label: str, what: str):
        found = self.book.targets.get(label)
        if found is None:
            raise self.fail(f"{what} {label!r} has no number in the build")
        return found

    def glue_text(self, content: str) -> str:
        key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "")
        if "::" in key:
            raise self.fail(f"glue from another page ({content!r}) is not supported")
        return glue_text(self._glued(key), fmt)

    def glue_markdown(self, content: str) -> str:
        key = content.split(":", 1)[0]
        data = self._glued(key)
        if "text/markdown" not in data:
            raise self.fail(f"{{glue:md}} {key!r} has no text/markdown")
        return str(data["text/markdown"]).strip()

    def _glued(self, key: str) -> dict:
        if key not in self.glued:
            raise self.fail(f"glue key {key!r} is not in the build's glue data")
        return self.glued[key]


def details(summary: str, body: str) -> str:
    """A folded block, as the page's dropdowns: Colab and Jupyter render <details>, and
    Markdown inside it once a blank line separates it from the tags."""
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>\n"


def quote(markdown: str) -> str:
    """Markdown as a block quote. Math goes on one line first: Jupyter and Colab take math
    out of the text before they parse Markdown, so a ``>`` inside it would be math too."""
    lines = _unwrap_math(markdown.strip().splitlines())
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def _unwrap_math(lines: list[str]) -> list[str]:
    """Lines with every formula on one line (code blocks are left as they are)."""
    joined: list[str] = []
    pending = ""
    fence = None
    for line in lines:
        opening = FENCE.match(line)
        if not pending and (fence or opening):
            if fence is None:
                fence = opening["fence"]
            elif line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            joined.append(line)
            continue
        pending = f"{pending} {line.strip()}" if pending else line
        if not _math_open(pending):
            joined.append(pending)
            pending = ""
    if pending:
        joined.append(pending)
    return joined


def _math_open(text: str) -> bool:
    """True while ``text`` has opened a ``$`` or ``$$`` it has not closed."""
    text = re.sub(r"`[^`]*`", "", text).replace("\\$", "")
    displays = text.count("$$")
    return displays % 2 == 1 or (text.count("$") - 2 * displays) % 2 == 1


def _summary_html(text: str) -> str:
    """A title for <summary>, where Markdown is not parsed: code spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def _resolve_page(page: str, target: str) -> str:
    """``{doc}`` targets are relative to the citing page, or absolute from the root."""
    target = target.removesuffix(".md").removesuffix(".ipynb")
    if target.startswith("/"):
        return target.lstrip("/")
    folder = page.rsplit("/", 1)[0]
    return f"{folder}/{target}"


def _source_path(page: str, path: str) -> str:
    """A path written in ``page``'s source, from the repository root."""
    if path.startswith("/"):
        return path.lstrip("/")
    parts = page.split("/")[:-1]
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
