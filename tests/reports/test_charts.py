"""What every chart shares: deterministic, self-describing inline SVG, and the contrast checks on it.

The SVG helpers here are also used by the Likert and run chart tests.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET

import pytest
from matplotlib import figure as mpl_figure

from reports.charts import drawing, svg_of
from reports.palette import BACKGROUND, MARK_CONTRAST, TEXT_CONTRAST, contrast_ratio
from tests.conftest import REPOSITORY

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def style_of(element: ET.Element) -> dict[str, str]:
    declarations = (part.split(":", 1) for part in element.get("style", "").split(";") if ":" in part)
    style = {name.strip(): value.strip() for name, value in declarations}
    for attribute in ("fill", "stroke", "opacity", "fill-opacity", "stroke-opacity"):
        if element.get(attribute) is not None:
            style.setdefault(attribute, str(element.get(attribute)))
    return style


def groups(root: ET.Element) -> dict[str, ET.Element]:
    """Every <g> by its id, with the figure-id prefix removed."""
    prefix = root.get("id", "") + "-"
    return {group.get("id", "").removeprefix(prefix): group for group in root.iter(f"{SVG}g")}


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def text_backgrounds(root: ET.Element) -> dict[str, str]:
    """For text drawn on a chart mark, the mark's fill: "label-R-P" sits on "segment-R-P"."""
    by_id = groups(root)
    backgrounds = {}
    for name in by_id:
        if name.startswith("label-"):
            segment = by_id["segment-" + name.removeprefix("label-")]
            path = next(segment.iter(f"{SVG}path"))
            backgrounds[name] = style_of(path)["fill"]
    return backgrounds


def assert_contrast_floors(svg: str) -> int:
    """Every text reaches 4.5:1 on what it sits on, every coloured mark 3:1 on the page; returns checks made."""
    root = parse(svg)
    checked = 0
    on_marks = text_backgrounds(root)
    label_of = {t: name for name, g in groups(root).items() for t in g.iter(f"{SVG}text")}
    for text in root.iter(f"{SVG}text"):
        fill = style_of(text).get("fill", "#000000")
        background = on_marks.get(label_of.get(text, ""), BACKGROUND)
        assert contrast_ratio(fill, background) >= TEXT_CONTRAST, ("".join(text.itertext()), fill, background)
        checked += 1
    for element in root.iter():
        if element.tag not in (f"{SVG}path", f"{SVG}use", f"{SVG}rect", f"{SVG}line", f"{SVG}polyline"):
            continue
        style = style_of(element)
        for opacity in ("opacity", "fill-opacity", "stroke-opacity"):
            assert float(style.get(opacity, "1")) == 1.0, "translucent marks lose contrast"
        for paint in ("fill", "stroke"):
            colour = style.get(paint)
            if colour is None or colour == "none" or colour.startswith("url(") or colour == BACKGROUND:
                continue
            assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
            assert contrast_ratio(colour, BACKGROUND) >= MARK_CONTRAST, (element.get("id"), paint, colour)
            checked += 1
    return checked


def sample_svg(figure_id: str = "sample", text: str = "a label") -> str:
    with drawing(figure_id):
        canvas = mpl_figure.Figure(figsize=(3, 2))
        ax = canvas.add_subplot()
        ax.plot([1, 2, 3], [2, 1, 3], marker="o", color="#004c6d")
        ax.set_title(text)
        return svg_of(canvas, figure_id, f"Short text about {text} & more")


def test_the_svg_is_inline_markup_titled_for_screen_readers() -> None:
    svg = sample_svg()
    assert svg.startswith(
        '<svg id="sample" role="img" aria-labelledby="sample-title" style="max-width: 100%; height: auto" '
    )
    assert re.search(r'viewBox="0 0 [\d.]+ [\d.]+"', svg), "scales down to a narrow column"
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Short text about a label & more"  # type: ignore[union-attr]
    assert "&amp; more</title>" in svg
    for attribute in ("aria-labelledby", "aria-describedby"):
        for named in " ".join(re.findall(rf'{attribute}="([^"]+)"', svg)).split():
            assert f'id="{named}"' in svg, f"{attribute} points to a missing element"
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata>" not in svg


def test_the_same_drawing_gives_the_same_bytes_and_carries_no_date() -> None:
    first, second = sample_svg(), sample_svg()
    assert first == second
    assert not re.search(r"20\d\d-\d\d-\d\d", first)


def test_text_stays_text_in_dejavu_sans() -> None:
    svg = sample_svg(text="Weekly sessions")
    assert "Weekly sessions" in texts(parse(svg))
    assert "DejaVu Sans" in svg
    assert '<path id="sample-DejaVuSans' not in svg  # no glyph outlines


def test_two_figures_on_one_page_share_no_ids_and_every_reference_resolves() -> None:
    pages = [sample_svg("first"), sample_svg("second")]
    ids = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in pages]
    assert not ids[0] & ids[1]
    for svg, own in zip(pages, ids, strict=True):
        references = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'xlink:href="#([^"]+)"', svg))
        assert references, "the sample has clip paths and markers"
        assert references <= own
    assert '<style type="text/css">#first *{' in pages[0]


def test_a_label_that_looks_like_an_id_is_left_as_written() -> None:
    svg = sample_svg(text='id="x" url(#y)')
    assert 'id="x" url(#y)' in texts(parse(svg))


@pytest.mark.parametrize("bad", ["", "Ratings", "1st", "two words", "x_y"])
def test_a_figure_id_that_cannot_be_an_html_id_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="a figure id must start with a letter"):
        sample_svg(bad)


def test_the_contrast_check_catches_a_pale_mark_and_pale_text() -> None:
    with drawing("pale"):
        canvas = mpl_figure.Figure(figsize=(3, 2))
        ax = canvas.add_subplot()
        ax.plot([1, 2], [1, 2], color="#bbbbbb")
        pale_line = svg_of(canvas, "pale", "a")
        ax.lines[0].set_color("#004c6d")
        ax.set_title("faint", color="#999999")
        pale_text = svg_of(canvas, "pale", "a")
    with pytest.raises(AssertionError, match="#bbbbbb"):
        assert_contrast_floors(pale_line)
    with pytest.raises(AssertionError, match="faint"):
        assert_contrast_floors(pale_text)


def test_the_chart_modules_never_import_pyplot_so_they_run_headless() -> None:
    for module in ("charts", "likert_chart", "run_chart_figure", "palette"):
        tree = ast.parse((REPOSITORY / "reports" / f"{module}.py").read_text("utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {
            f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }
        assert not {name for name in imported if "pyplot" in name}, module
