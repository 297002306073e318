"""The PDF of a report, rendered from its HTML by WeasyPrint (no browser needed).

The same HTML always gives the same bytes, so a published folder's ``MANIFEST.sha256`` is stable:
WeasyPrint writes no clock time of its own (``/CreationDate`` and ``/ModDate`` come only from
``<meta name="dcterms.created">`` / ``"dcterms.modified"`` in the HTML), subset fonts are named
from a digest of the font, and the file identifier ``/ID`` is set here from a digest of the HTML.

The PDF is tagged (PDF/UA-1: structure tree, document language, title shown in the window bar),
so screen readers can follow it and its text can be copied and searched. Pages are A4 with a page
number at the foot, headings kept with what follows them and rows and charts never split; a
report's own CSS takes precedence over these (``PRINT_CSS``).

A report must be self-contained: ``data:`` URLs, or with ``base_url`` files inside that folder.
Anything else (the network, files elsewhere) is refused, and a resource that cannot be included
(a missing chart, an unreadable image) stops the rendering rather than leaving a gap in the PDF.
WeasyPrint's warnings about CSS it does not support (matplotlib's SVG uses some) are expected and
kept out of the log.
"""

from __future__ import annotations

import hashlib
import logging
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from instruments.atomic import write_bytes_atomic
from instruments.errors import EvalcycleError

__all__ = ["PRINT_CSS", "render_report_pdf", "write_pdf_beside", "write_report_pdf"]

#: Page box and page breaks for every report. The report's own CSS (author rules) overrides these.
PRINT_CSS = """
h1, h2, h3 { break-after: avoid; }
tr, figure, svg, img { break-inside: avoid; }
/* On paper a closed <details> stays closed: its numbers are in the CSV files beside the report. */
details:not([open]) > :not(summary) { display: none; }
details:not([open]) > summary { list-style: none; font-style: italic; }
details:not([open]) > summary::after { content: ": in the CSV tables published beside this report."; }
@page {
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-right {
    content: "Page " counter(page) " of " counter(pages);
    font-family: "DejaVu Sans", Arial, sans-serif;
    font-size: 8.5pt;
    color: #4a4a4a;
  }
}
"""

_WEASYPRINT_LOGGER = logging.getLogger("weasyprint")
# One rendering at a time: the capture below swaps WeasyPrint's (process-wide) logger handlers.
_RENDERING = threading.Lock()


class _SelfContainedFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches ``data:`` URLs, and ``file:`` URLs inside ``folder``; refuses everything else.

    Its refusals say in plain words why a resource cannot be included; with ``fail_on_errors``
    WeasyPrint stops the rendering on the first one.
    """

    def __init__(self, folder: Path | None) -> None:
        super().__init__(fail_on_errors=True)
        self._folder = folder

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if self._folder is None or not path.is_relative_to(self._folder):
                raise ValueError(f"{url} is outside the report's folder")
            if not path.is_file():
                raise ValueError(f"{url} does not exist")
        elif scheme != "data":
            raise ValueError(f"{url} is not part of the report (only data: URLs and files beside it are)")
        return super().fetch(url, headers)


class _Capture(logging.Handler):
    """Keeps WeasyPrint's records of one rendering; errors mean a resource was left out."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            # A data: URL can be megabytes long; the start says enough.
            self.errors.append(textwrap.shorten(record.getMessage(), width=240, placeholder=" …").rstrip(" :"))
        else:
            self.warnings += 1


@contextmanager
def _captured_weasyprint_log() -> Iterator[_Capture]:
    capture = _Capture()
    propagate = _WEASYPRINT_LOGGER.propagate
    _WEASYPRINT_LOGGER.addHandler(capture)
    _WEASYPRINT_LOGGER.propagate = False
    try:
        yield capture
    finally:
        _WEASYPRINT_LOGGER.propagate = propagate
        _WEASYPRINT_LOGGER.removeHandler(capture)


def _not_rendered(where: str, problem: str) -> EvalcycleError:
    return EvalcycleError(
        where,
        f"the PDF was not made, because {problem}. A PDF without it would differ from the HTML report.",
        "Publish the cycle again, so that its charts are written beside the report. If this happens again, "
        "the report template refers to something that is not part of the report: report it to the developers.",
    )


def render_report_pdf(html: str, *, base_url: Path | None = None, where: str = "the report") -> bytes:
    """Return the PDF of ``html``: A4, page numbers, tagged (PDF/UA-1), the same bytes every time.

    ``base_url`` is the folder that relative links in the report (e.g. ``charts/…``) point into;
    without it the report must carry everything inline. ``where`` names the report in errors.
    Raises ``EvalcycleError`` if a resource the report refers to cannot be included.
    """
    folder = base_url.resolve() if base_url is not None else None
    document = weasyprint.HTML(
        string=html,
        base_url=folder.as_uri() + "/" if folder is not None else None,
        url_fetcher=_SelfContainedFetcher(folder),
    )
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    options: dict[str, Any] = {
        "stylesheets": [weasyprint.CSS(string=PRINT_CSS)],
        "pdf_variant": "pdf/ua-1",
        "pdf_identifier": identifier,
    }
    with _RENDERING, _captured_weasyprint_log() as capture:
        try:
            data: bytes = document.write_pdf(**options)
        except FatalURLFetchingError as fetching:
            raise _not_rendered(where, str(fetching.__cause__ or fetching)) from None
    if capture.errors:
        raise _not_rendered(
            where, f"{len(capture.errors)} part(s) of it could not be read, the first: {capture.errors[0]}"
        )
    return data


def write_report_pdf(html: str, path: Path, *, base_url: Path | None = None) -> None:
    """Write the PDF of ``html`` to ``path`` atomically (see ``render_report_pdf``).

    ``base_url`` defaults to nothing: pass the report's folder if it links to files beside it.
    """
    write_bytes_atomic(path, render_report_pdf(html, base_url=base_url, where=str(path)))


def write_pdf_beside(html_path: Path) -> Path:
    """Print a written report (``report.html``) to the PDF beside it (``report.pdf``); return its path.

    Takes only a path, so a worker process can be given the job.
    """
    pdf = html_path.with_suffix(".pdf")
    # No base URL: the report carries everything inline, and its links between reports
    # ("../cycle-1/report.html") stay relative, instead of naming this machine's folders (which
    # would also make the PDF differ from one workspace to the next).
    write_report_pdf(html_path.read_text("utf-8"), pdf)
    return pdf
