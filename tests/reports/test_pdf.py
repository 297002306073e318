"""The PDF of a report: its text can be read back, its bytes never change, and it stays offline."""

from __future__ import annotations

import hashlib
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader
from pypdf.generic import ArrayObject

from instruments.errors import EvalcycleError
from reports.likert_chart import likert_chart
from reports.pdf import render_report_pdf, write_report_pdf
from tests.conftest import REPOSITORY
from tests.reports.test_charts_likert import FIVE, PILOT

GOLDEN = REPOSITORY / "tests" / "golden"
REPORTS = sorted(GOLDEN.glob("**/report*.html"))
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test page</title></head>
<body><h1>Test page</h1>{body}</body></html>
"""


class _Headings(HTMLParser):
    """The text of <title> and of every h1, h2 and h3, as a reader sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"title", "h1", "h2", "h3"}:
            self._open = tag
            self.found.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.found[self._open][-1] += data


def headings(html: str) -> dict[str, list[str]]:
    parser = _Headings()
    parser.feed(html)
    return {tag: [" ".join(text.split()) for text in texts] for tag, texts in parser.found.items()}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_there_are_golden_reports_to_print() -> None:
    assert len(REPORTS) >= 1, f"no golden reports under {GOLDEN}"


@pytest.mark.parametrize("report", REPORTS, ids=lambda path: path.relative_to(GOLDEN).as_posix())
def test_the_pdf_of_a_golden_report_holds_its_title_and_headings(report: Path) -> None:
    html = report.read_text("utf-8")
    expected = headings(html)
    data = render_report_pdf(html)

    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None
    assert reader.metadata.title == expected["title"][0]
    assert str(reader.root_object["/Lang"]) == "en"
    assert "/StructTreeRoot" in reader.root_object, "the PDF is not tagged"
    text = pdf_text(data)
    assert len(expected["h1"]) == 1
    assert len(expected["h2"]) >= 2
    for heading in expected["h1"] + expected["h2"] + expected.get("h3", []):
        assert heading in text, f"{heading!r} is not in the PDF's text"
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in text
    width, height = (float(side) for side in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4, in mm


def test_the_same_html_gives_the_same_pdf_bytes(tmp_path: Path) -> None:
    html = REPORTS[0].read_text("utf-8")
    write_report_pdf(html, tmp_path / "first.pdf")
    write_report_pdf(html, tmp_path / "second.pdf")
    first, second = ((tmp_path / name).read_bytes() for name in ("first.pdf", "second.pdf"))
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["first.pdf", "second.pdf"]  # no temporary left


def test_the_pdf_dates_come_from_the_report_and_its_identifier_from_its_html() -> None:
    dated = PAGE.replace("</title>", '</title><meta name="dcterms.created" content="2026-03-14T09:30:00Z">')
    reader = PdfReader(io.BytesIO(render_report_pdf(dated)))
    assert reader.metadata is not None
    assert reader.metadata.creation_date_raw == "D:20260314093000Z"
    assert "/ModDate" not in reader.metadata
    identifier = hashlib.sha256(dated.encode()).hexdigest()[:32].encode()
    file_identifier = reader.trailer["/ID"]
    assert isinstance(file_identifier, ArrayObject)
    assert str(file_identifier[0]).encode("latin-1") == identifier
    undated = PdfReader(io.BytesIO(render_report_pdf(PAGE)))
    assert undated.metadata is not None
    assert "/CreationDate" not in undated.metadata


def test_a_chart_beside_the_report_is_included(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "bars.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" style="fill:#0072b2; stroke:#000000"/></svg>',
        "utf-8",
    )
    html = PAGE.format(body='<img src="charts/bars.svg" alt="A bar">')
    with_chart = render_report_pdf(html, base_url=tmp_path)
    without_chart = render_report_pdf(PAGE.format(body=""))
    assert len(with_chart) > len(without_chart)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            '<img src="https://example.invalid/logo.png" alt="Logo">',
            "https://example.invalid/logo.png is not part of the report (only data: URLs and files beside it are)",
        ),
        ('<img src="charts/missing.svg" alt="A chart">', "{folder}/charts/missing.svg does not exist"),
        ('<img src="../elsewhere.svg" alt="A chart">', "{parent}/elsewhere.svg is outside the report's folder"),
        (
            '<img src="data:image/png;base64,AAAA" alt="A chart">',
            "1 part(s) of it could not be read, the first: Failed to load image at 'data:image/png;base64,AAAA'",
        ),
    ],
    ids=["network", "missing file", "outside the folder", "unreadable image"],
)
def test_a_report_whose_parts_cannot_be_included_is_not_printed(tmp_path: Path, body: str, problem: str) -> None:
    target = tmp_path / "report.pdf"
    with pytest.raises(EvalcycleError) as raised:
        write_report_pdf(PAGE.format(body=body), target, base_url=tmp_path)
    folder, parent = tmp_path.resolve().as_uri(), tmp_path.resolve().parent.as_uri()
    assert str(raised.value) == (
        f"{target}: the PDF was not made, because {problem.format(folder=folder, parent=parent)}. "
        "A PDF without it would differ from the HTML report.\n"
        "What to do: Publish the cycle again, so that its charts are written beside the report. If this happens again, "
        "the report template refers to something that is not part of the report: report it to the developers."
    )
    assert list(tmp_path.iterdir()) == []


def test_weasyprint_warnings_about_unsupported_css_stay_out_of_the_log(caplog: pytest.LogCaptureFixture) -> None:
    html = PAGE.format(body='<p style="no-such-property: 1">Some text</p>')
    weasyprint.HTML(string=html).write_pdf()  # on its own, WeasyPrint warns about the property
    assert any(record.name == "weasyprint" and record.levelname == "WARNING" for record in caplog.records)
    caplog.clear()
    data = render_report_pdf(html)
    assert [record for record in caplog.records if record.name.startswith("weasyprint")] == []
    assert "Some text" in pdf_text(data)


def test_a_report_with_an_inline_chart_prints_the_same_bytes_with_the_chart_text() -> None:
    chart = likert_chart(PILOT, FIVE, k=5)
    html = PAGE.format(
        body=f'<figure aria-label="{chart.alt_text}">{chart.svg}<figcaption>Ratings</figcaption></figure>'
    )
    first, second = render_report_pdf(html), render_report_pdf(html)
    assert first == second
    text = pdf_text(first)
    assert "The group felt safe." in text  # SVG text stays text in the PDF
    assert "Ratings" in text


def test_a_report_printed_in_two_workspaces_is_the_same_pdf_with_its_links_kept_relative(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from reports.pdf import write_pdf_beside

    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Overview</title></head>'
        '<body><h1>Overview</h1><p><a href="../cycle-1/report.html">Cycle 1</a></p></body></html>'
    )
    printed = []
    for workspace in ("one", "two"):
        html = tmp_path / workspace / "published" / "series" / "overview.html"
        html.parent.mkdir(parents=True)
        html.write_text(page, encoding="utf-8")
        printed.append(write_pdf_beside(html))
    first, second = (path.read_bytes() for path in printed)
    assert first == second
    annotations = PdfReader(printed[0]).pages[0]["/Annots"]
    links = [annotations[i].get_object()["/A"]["/URI"] for i in range(len(annotations))]  # type: ignore[arg-type,index]
    assert links == ["../cycle-1/report.html"]
    assert str(tmp_path).encode() not in first
