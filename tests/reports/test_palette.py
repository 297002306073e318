"""The palette: WCAG contrast arithmetic, and a diverging scale readable without colour vision."""

from __future__ import annotations

import itertools
import math

import pytest

from reports.palette import (
    AXIS,
    BACKGROUND,
    MARK_CONTRAST,
    NEUTRAL,
    SCALE_POINTS,
    SERIES,
    SIGNAL,
    TEXT,
    TEXT_CONTRAST,
    contrast_ratio,
    diverging,
    lightness,
    relative_luminance,
    text_on,
)

# Machado, Oliveira & Fernandes (2009), full dichromacy (severity 1.0), applied to linear RGB.
DICHROMACY = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
ADJACENT_LIGHTNESS = 7.0
"""Smallest L* step between neighbouring segments: several times a just-noticeable difference."""
SIMULATED_DELTA_E = 10.0
"""Smallest CIE76 colour difference between neighbours as a dichromat sees them."""


def linear_rgb(colour: str) -> tuple[float, float, float]:
    r, g, b = (
        (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        for c in (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    return r, g, b


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen_with(kind: str, colour: str) -> tuple[float, float, float]:
    rgb = linear_rgb(colour)
    simulated = tuple(sum(m * c for m, c in zip(row, rgb, strict=True)) for row in DICHROMACY[kind])
    return lab((simulated[0], simulated[1], simulated[2]))


def test_contrast_ratio_of_black_on_white_is_21_and_of_a_colour_with_itself_is_1() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#767676") == pytest.approx(1.0)


def test_contrast_ratio_matches_the_known_values_of_the_wcag_boundary_greys() -> None:
    # #767676 is the lightest grey that passes 4.5:1 on white, #777777 the darkest that fails.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < 4.5
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)


@pytest.mark.parametrize("bad", ["fff", "#fff", "ffffff", "#gggggg"])
def test_a_colour_not_written_as_hex_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        contrast_ratio(bad, "#ffffff")


def test_lightness_runs_from_0_for_black_to_100_for_white() -> None:
    assert lightness("#000000") == pytest.approx(0.0)
    assert lightness("#ffffff") == pytest.approx(100.0)
    assert lightness("#777777") == pytest.approx(50.0, abs=0.5)


@pytest.mark.parametrize("points", SCALE_POINTS)
def test_every_scale_colour_is_a_mark_with_3_to_1_contrast_on_the_page(points: int) -> None:
    for colour in diverging(points):
        assert contrast_ratio(colour, BACKGROUND) >= MARK_CONTRAST, colour


@pytest.mark.parametrize("points", SCALE_POINTS)
def test_neighbouring_segments_differ_in_lightness_not_only_in_hue(points: int) -> None:
    colours = diverging(points)
    assert len(colours) == points
    for left, right in itertools.pairwise(colours):
        assert abs(lightness(left) - lightness(right)) >= ADJACENT_LIGHTNESS, (left, right)


@pytest.mark.parametrize("points", SCALE_POINTS)
@pytest.mark.parametrize("kind", sorted(DICHROMACY))
def test_neighbouring_segments_stay_apart_for_colour_blind_readers(points: int, kind: str) -> None:
    for left, right in itertools.pairwise(diverging(points)):
        assert math.dist(seen_with(kind, left), seen_with(kind, right)) >= SIMULATED_DELTA_E, (kind, left, right)


@pytest.mark.parametrize("points", SCALE_POINTS)
def test_the_two_sides_of_the_scale_have_different_hues(points: int) -> None:
    colours = diverging(points)
    half = points // 2
    for disagree, agree in zip(colours[:half], reversed(colours[-half:]), strict=True):
        b_disagree = lab(linear_rgb(disagree))[2]
        b_agree = lab(linear_rgb(agree))[2]
        assert b_disagree > 20 and b_agree < -20, (disagree, agree)  # warm (yellow side) against cool (blue side)


@pytest.mark.parametrize("points", [p for p in SCALE_POINTS if p % 2])
def test_an_odd_scale_has_the_grey_neutral_in_the_middle(points: int) -> None:
    assert diverging(points)[points // 2] == NEUTRAL
    assert diverging(points).count(NEUTRAL) == 1
    assert NEUTRAL not in diverging(points - 1 if points > 3 else 4)


@pytest.mark.parametrize("points", SCALE_POINTS)
def test_the_stronger_the_view_the_darker_the_colour(points: int) -> None:
    colours = diverging(points)
    half = points // 2
    disagree, agree = colours[:half], colours[-half:][::-1]
    for side in (disagree, agree):
        assert [lightness(c) for c in side] == sorted(lightness(c) for c in side)


@pytest.mark.parametrize("points", [1, 2, 8])
def test_scales_the_palette_does_not_cover_are_refused(points: int) -> None:
    with pytest.raises(ValueError, match=f"scales of 3 to 7 points, got {points}"):
        diverging(points)


@pytest.mark.parametrize("colour", sorted({c for p in SCALE_POINTS for c in diverging(p)}))
def test_the_label_colour_chosen_for_a_segment_is_readable_on_it(colour: str) -> None:
    assert contrast_ratio(text_on(colour), colour) >= TEXT_CONTRAST


def test_text_and_chart_furniture_colours_meet_their_floors_on_white() -> None:
    assert contrast_ratio(TEXT, BACKGROUND) >= TEXT_CONTRAST
    for mark in (AXIS, SERIES, SIGNAL, NEUTRAL):
        assert contrast_ratio(mark, BACKGROUND) >= MARK_CONTRAST
    assert contrast_ratio(AXIS, BACKGROUND) >= TEXT_CONTRAST  # axis colour is also used for tick labels
