"""Build the translated editions of the book and a PDF of every edition.

    python tools/editions.py [--language ru ...] [--no-pdf] [--strict] [--jobs N] [ROOT]

``make editions`` runs it after ``make book``. The English edition is ``make book``'s
``_build/html``; each translated edition is the same book built by Sphinx with its
``language`` and the catalogues under ``locales/`` (``_config.yml``'s ``locale_dirs``), in
``_build/editions/<language>/html``, then copied into the English site's folder for it
(``_build/html/ru``, ``zh``, ``et``), so that the site holds all four side by side.

**Nothing is executed.** A translated edition reads the execution cache the English build
filled (``_build/.jupyter_cache``: ``_ext/package_cache.py`` keys it on the package, the
lock, the device and the data, none of which depends on the language, and this tool links
``_build/editions/<language>/.jupyter_cache`` to it). Before building, the tool checks that
the cache holds every chapter, and it builds with a Jupyter kernel that cannot start, so a
chapter missing from the cache fails the build instead of being executed again.

**PDFs.** Each edition is also built as one HTML page (Sphinx's ``singlehtml`` builder,
sharing the HTML build's parsed pages) and printed to PDF by the system's Chromium through
Playwright (``TORCHBOOK_CHROMIUM`` or a ``chromium`` on the PATH, as the browser tests find
it); the PDF lands at the root of its edition (``torchbook-en.pdf``, ``ru/torchbook-ru.pdf``
...), where the edition's front page links it. Chinese needs a CJK font (Debian's
``fonts-noto-cjk``). An edition whose HTML has not changed since its PDF was made is not
printed again.

**Time.** With one process (the default on two cores) Chromium prints one edition while
Sphinx builds the next; ``--jobs N`` builds N editions at a time in processes of their own
(the default is half the cores: each keeps two busy).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_i18n"))
sys.path.insert(0, str(REPO / "tools"))

from book_editions import EDITIONS, TRANSLATED, Edition, edition_of, pdf_name, ui  # noqa: E402
from local_browser import chromium, serve  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
NO_KERNEL = {
    "argv": ["/bin/false"],
    "display_name": "no execution in a translated edition",
    "language": "python",
}


def log(message: str) -> None:
    print(f"[editions] {message}", flush=True)


def edition_dir(root: Path, edition: Edition) -> Path:
    """Where an edition is built: ``_build`` for English (``make book``), else
    ``_build/editions/<language>``."""
    return (
        root / "_build" if not edition.folder else root / "_build" / "editions" / edition.language
    )


def html_dir(root: Path, edition: Edition) -> Path:
    return edition_dir(root, edition) / "html"


def site_dir(root: Path, edition: Edition) -> Path:
    """Where an edition is published: the English site's root, or its folder in it."""
    return root / "_build" / "html" / edition.folder if edition.folder else root / "_build" / "html"


def sphinx_overrides(root: Path) -> dict[str, object]:
    """What ``jupyter-book build . -n`` passes to Sphinx beyond ``_config.yml``: the same
    here, so that a PDF build shares the English HTML build's parsed pages."""
    return {
        "external_toc_path": (root / "_toc.yml").as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
    }


def translated_title(root: Path, edition: Edition, title: str) -> str:
    """The book's title in an edition: the front page's catalogue translates it."""
    from babel.messages.pofile import read_po

    path = root / "locales" / edition.language / "LC_MESSAGES" / "book" / "index.po"
    if not path.is_file():
        return title
    with path.open("rb") as handle:
        message = read_po(handle).get(title)
    return message.string if message is not None and message.string and not message.fuzzy else title


def edition_overrides(root: Path, edition: Edition) -> dict[str, object]:
    """The Sphinx settings of a translated edition."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config={"latex_individualpages": False},
        sourcedir=root,
    )
    overrides = sphinx_overrides(root)
    if not edition.folder:
        return overrides
    title = translated_title(root, edition, config.get("html_title", ""))
    return overrides | {
        "language": edition.language,
        "html_title": title,
        "html_theme_options": {
            "search_bar_text": ui("search", edition.language),
            "extra_footer": f"<p>{ui('footer', edition.language)}</p>\n",
        },
    }


def missing_from_cache(root: Path) -> list[str]:
    """Chapters the execution cache lacks (what ``make book`` would execute)."""
    import execute
    import yaml

    sys.path.insert(0, str(root / "_ext"))
    import package_cache

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    digest, _, _ = package_cache.cache_key(root)
    cache = root / "_build" / ".jupyter_cache" / f"pkg-{digest}"
    if not (cache / "global.db").is_file():
        return [p.relative_to(root).as_posix() for p in execute.toc_sources(root)]
    missing, _ = execute.read_chapters(root, cache, config)
    return [chapter.path.relative_to(root).as_posix() for chapter in missing]


@contextlib.contextmanager
def no_kernel() -> Iterator[None]:
    """A Jupyter ``python3`` kernel that cannot start, first on ``JUPYTER_PATH``."""
    saved = os.environ.get("JUPYTER_PATH")
    with tempfile.TemporaryDirectory(prefix="torchbook-no-kernel-") as folder:
        spec = Path(folder) / "kernels" / "python3"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps(NO_KERNEL))
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [folder, saved]))
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved


# What a translated edition shares with the English build: the execution cache
# (_ext/package_cache.py) and the recompressed figures (_ext/lean_images.py), both kept by
# the extensions beside the output folder, here linked to the English build's.
SHARED = (".jupyter_cache", ".image_cache")


def link_shared(root: Path, edition: Edition) -> None:
    """``_build/editions/<language>/<shared>`` -> ``_build/<shared>``."""
    if not edition.folder:
        return
    for name in SHARED:
        link = edition_dir(root, edition) / name
        link.parent.mkdir(parents=True, exist_ok=True)
        (root / "_build" / name).mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(root / "_build" / name, link.parent)
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            shutil.rmtree(link)
        link.symlink_to(target, target_is_directory=True)


def sphinx(
    root: Path, edition: Edition, builder: str, outdir: Path, strict: bool, quiet: bool
) -> None:
    """One Sphinx build of an edition, in this process, as ``jupyter-book build`` runs it."""
    from jupyter_book.sphinx import build_sphinx
    from sphinx import locale

    link_shared(root, edition)
    # Sphinx keeps the interface translations it loaded in a global: an edition built
    # after another in this process would otherwise fall back to the other's language.
    locale.translators.clear()
    status = build_sphinx(
        str(root),
        str(outdir),
        noconfig=True,
        path_config=str(root / "_config.yml"),
        confoverrides=edition_overrides(root, edition),
        doctreedir=str(edition_dir(root, edition) / ".doctrees"),
        builder=builder,
        warningiserror=strict,
        keep_going=True,
        quiet=quiet,
    )
    if status != 0:
        raise SystemExit(f"the {edition.language} edition's {builder} build failed ({status})")


def sync(source: Path, target: Path, keep: set[str] = frozenset()) -> int:
    """Make ``target`` a copy of ``source``, copying only what differs; names in ``keep``
    (at the top of ``target``) are left alone. Returns the number of files copied."""
    copied = 0
    wanted = set()
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        wanted.add(relative)
        out = target / relative
        if path.is_dir():
            out.mkdir(parents=True, exist_ok=True)
            continue
        stat = path.stat()
        if out.is_file():
            there = out.stat()
            if there.st_size == stat.st_size and int(there.st_mtime) == int(stat.st_mtime):
                continue
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out)
        copied += 1
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target)
        if relative in wanted or relative.parts[0] in keep:
            continue
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        else:
            path.unlink()
    return copied


ARTICLE = re.compile(rb"<article class=\"bd-article\".*?</article>", re.DOTALL)


def fingerprint(folder: Path, skip: set[str] = frozenset()) -> str:
    """A digest of what an edition's PDF is made from: the text of its pages (the article
    of each ``.html``, not the page around it, where a page written again may differ in
    the addresses of its scripts) and the names of its figures (named by their hash)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in skip or not path.is_file():
            continue
        if path.suffix == ".html":
            data = path.read_bytes()
            found = ARTICLE.search(data)
            digest.update(f"{relative.as_posix()}\0".encode() + (found[0] if found else data))
        elif relative.parts[0] == "_images":
            digest.update(f"{relative.as_posix()}\n".encode())
    return digest.hexdigest()


PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: white !important; }
/* shadows would be printed as images (and are no use on paper); :not(#id) outranks the
   theme's own !important rules */
*:not(#torchbook-print) { box-shadow: none !important; text-shadow: none !important; }
/* page breaks work only outside flex and grid containers */
.bd-container, .bd-container__inner, .bd-main, .bd-content, .bd-article-container,
.bd-page-width, .bd-article { display: block !important; }
.bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer,
.bd-footer-content, .prev-next-area, .torchbook-languages, .torchbook-pdf,
.torchbook-translation-banner, .headerlink, button.copybtn, .toggle-button,
#jb-print-docs-body { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-page-width { max-width: 100% !important; }
section { break-inside: auto; }
/* Sphinx's one-page book nests each chapter (<span id="document-..."> and its section)
   in the front page's section that lists them, so its title is an <h3>: every chapter
   starts a page, with a title of a chapter's size. The theme hides the first <h1> of a
   printed page, here the book's title: show it. */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
span[id^="document-"] + section { break-before: page; }
span[id^="document-"] + section > :is(h2, h3, h4) { font-size: 2.2rem; margin-top: 0; }
/* long lines of code wrap instead of running off the page */
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
div.cell_output img { max-width: 100% !important; break-inside: avoid; }
"""

SHOW_ALL_JS = """async () => {
  // solutions and other folded blocks: open them all for print
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('.toggle-hidden, .toggle-details__container')
    .forEach(el => el.classList.remove('toggle-hidden'));
  document.querySelectorAll('.dropdown, .toggle')
    .forEach(el => el.classList.remove('toggle-hidden'));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const images = Array.from(document.images);
  await Promise.all(images.map(img => img.complete ? null :
    new Promise(ok => { img.onload = img.onerror = ok; })));
  return images.filter(img => !img.naturalWidth).map(img => img.src);
}"""


def print_pdf(singlehtml: Path, page: str, target: Path, edition: Edition) -> float:
    """Print the one-page book ``singlehtml/<page>.html`` to ``target`` with Chromium;
    return the seconds it took."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        raise SystemExit(
            "no Chromium to print the PDFs with: apt-get install chromium (Debian; "
            "`make editions` does this when run as root), or set TORCHBOOK_CHROMIUM"
        )
    start = time.perf_counter()
    # Sphinx writes the one page at the front page's path (book/index.html) but with
    # addresses relative to the root (_images/..., _static/...): a <base> makes them resolve
    # while links within the book (book/index.html#document-...) stay within the page.
    html = singlehtml / f"{page}.html"
    text = html.read_text(encoding="utf-8")
    base = f'<base href="{"../" * page.count("/")}">'
    if page.count("/") and base not in text:
        html.write_text(text.replace("<head>", f"<head>\n{base}", 1), encoding="utf-8")
    with serve(singlehtml) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.set_default_timeout(180_000)
            # offline: nothing leaves 127.0.0.1
            tab.route(lambda u: not u.startswith(url), lambda route: route.abort())
            tab.goto(f"{url}{page}.html", wait_until="load")
            tab.add_style_tag(content=PRINT_CSS)
            broken = tab.evaluate(SHOW_ALL_JS)
            if broken:
                raise SystemExit(f"{edition.language}: images did not load: {broken[:5]}")
            tab.emulate_media(media="print")
            tmp = target.with_suffix(".tmp.pdf")
            tab.pdf(
                path=str(tmp),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    '<div style="font-size:8px;width:100%;text-align:center;">'
                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                ),
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                outline=True,  # the chapters as bookmarks
                tagged=False,  # a tagged PDF is 2.5 times as large; the HTML is the accessible form
            )
            tmp.replace(target)
        finally:
            browser.close()
    return time.perf_counter() - start


def prepare_pdf(
    root: Path, edition: Edition, strict: bool, quiet: bool, force: bool
) -> Callable[[], None] | None:
    """Build the edition as one page, and return what prints it to its PDF (at the root of
    its site); None when its HTML has not changed since the PDF was made."""
    import execute

    site = site_dir(root, edition)
    skip = {e.folder for e in TRANSLATED} if not edition.folder else set()
    skip |= {pdf_name(e) for e in EDITIONS}
    stamp = edition_dir(root, edition) / f"{pdf_name(edition)}.source"
    pdf = site / pdf_name(edition)
    source = fingerprint(html_dir(root, edition), skip=skip)
    if not force and pdf.is_file() and stamp.is_file() and stamp.read_text() == source:
        log(f"{edition.language}: the HTML has not changed since {pdf.name} was made")
        return None
    start = time.perf_counter()
    singlehtml = edition_dir(root, edition) / "singlehtml"
    with no_kernel():
        sphinx(root, edition, "singlehtml", singlehtml, strict, quiet)
    built = time.perf_counter() - start
    page = execute.toc_entries(root)[0]

    def make() -> None:
        seconds = print_pdf(singlehtml, page, pdf, edition)
        stamp.write_text(source)
        size = pdf.stat().st_size / 1e6
        log(
            f"{edition.language}: {pdf.relative_to(root)} ({size:.1f} MB): one page built "
            f"in {built:.1f} s, printed in {seconds:.1f} s"
        )

    return make


def build_edition(root: Path, edition: Edition, strict: bool, quiet: bool) -> None:
    """A translated edition's HTML, then copied into the site."""
    start = time.perf_counter()
    with no_kernel():
        sphinx(root, edition, "html", html_dir(root, edition), strict, quiet)
    site = site_dir(root, edition)
    copied = sync(html_dir(root, edition), site, keep={pdf_name(edition)})
    log(
        f"{edition.language}: built in {time.perf_counter() - start:.1f} s; "
        f"{copied} files copied to {site.relative_to(root)}"
    )


def run_edition(
    root: Path, language: str, strict: bool, quiet: bool, pdf: bool, force: bool
) -> None:
    """Everything for one edition, in a process of its own: its HTML (a translated one),
    then its one-page HTML and its PDF."""
    sys.path.insert(0, str(root / "_ext"))
    import build_environment

    build_environment.apply()
    edition = edition_of(language)
    if edition.folder:
        build_edition(root, edition, strict, quiet)
    if pdf:
        job = prepare_pdf(root, edition, strict, quiet, force)
        if job is not None:
            job()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--language",
        "-l",
        action="append",
        choices=[e.language for e in EDITIONS],
        help="only these editions (default: all; en builds only its PDF)",
    )
    parser.add_argument("--no-pdf", action="store_true", help="HTML only")
    parser.add_argument("--force-pdf", action="store_true", help="print even if unchanged")
    parser.add_argument("--strict", action="store_true", help="warnings are errors (tests)")
    parser.add_argument("--verbose", "-v", action="store_true", help="Sphinx's own log")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help="editions built at a time, each in a process with its Chromium (default: half "
        "the cores); 1: one process, Chromium printing one while Sphinx builds the next",
    )
    parser.add_argument("root", nargs="?", default=str(REPO), help="the book (default: here)")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    editions = [
        edition_of(language) for language in args.language or [e.language for e in EDITIONS]
    ]
    # Each edition keeps two cores busy (Sphinx, then Chromium beside the next one's Sphinx).
    # On two cores one process is as fast, and a no-change rebuild spawns nothing.
    jobs = max(1, min(args.jobs or len(os.sched_getaffinity(0)) // 2, len(editions)))
    sys.path.insert(0, str(root / "_ext"))
    import build_environment

    build_environment.apply()
    if not (root / "_build" / "html" / "index.html").is_file():
        raise SystemExit("no English build in _build/html: run `make book` first")
    missing = missing_from_cache(root)
    if missing:
        raise SystemExit(
            "the execution cache lacks "
            + ", ".join(missing)
            + ": run `make book` first (a translated edition executes nothing)"
        )
    quiet, pdf = not args.verbose, not args.no_pdf
    start = time.perf_counter()
    if jobs > 1:
        # Separate processes: Sphinx and its extensions keep state in globals. They share
        # nothing they write: each edition has its folders; the execution cache and the
        # recompressed figures the English build left are only read.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [
                pool.submit(run_edition, root, e.language, args.strict, quiet, pdf, args.force_pdf)
                for e in sorted(editions, key=lambda e: not e.folder)  # English PDF last
            ]
            for future in futures:
                future.result()
    else:
        if pdf:
            # here, not first in the printing thread: importing it there while this thread
            # imports too has failed inside Python's typing module (SystemError)
            import playwright.sync_api  # noqa: F401
        # Chromium prints one edition while Sphinx builds the next.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="print") as printer:
            printing = []
            for edition in editions:
                if edition.folder:
                    build_edition(root, edition, args.strict, quiet)
                if pdf:
                    job = prepare_pdf(root, edition, args.strict, quiet, args.force_pdf)
                    if job is not None:
                        printing.append(printer.submit(job))
            for job in printing:
                job.result()
    log(f"done in {time.perf_counter() - start:.1f} s ({jobs} at a time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
