"""The colours of every chart, and the WCAG contrast arithmetic that checks them.

Every colour that carries meaning is a mark on the white page, so each one has at least 3:1
contrast against white (WCAG 2.x SC 1.4.11, non-text contrast), and text has at least 4.5:1 against
whatever it sits on (SC 1.4.3; research note ``pdsa_de.md`` §6.2).

**The diverging palette** (Likert bars, 3 to 7 scale points) runs from orange-brown (disagree) through
a mid grey (the neutral point of an odd scale) to blue (agree). Why these colours:

- Orange against blue is the contrast that survives the common colour-vision deficiencies
  (protanopia and deuteranopia keep the blue-yellow axis; tritanopes still see orange against
  blue as warm against cool), so it is the usual colour-blind-safe diverging pair (ColorBrewer
  PuOr/BrBG, Okabe-Ito orange and blue).
- Ordinary diverging palettes fade to white or a pale grey in the middle, which would fail 3:1
  against the white page. Here no colour is lighter than CIELAB L* 60.5 (contrast ≥ 3.1:1), so the
  lightest segments are mid-tones, not pastels.
- The stronger a view, the darker its colour; adjacent segments differ by at least 7 L* in
  lightness, so they stay apart in greyscale too. On an even scale the two inner segments meet at
  the zero line, so the inner disagree colour is darker than the inner agree colour rather than a
  mirror image of it.
- No colour sits at L* 47-52, where neither white nor black text reaches 4.5:1; segment labels are
  white on the dark tones and pure black on the light ones (``text_on``).
- Colour is never the only cue: segments are separated by white gaps (so each segment is next to
  white, ≥ 3:1), the side of the zero line says disagree or agree, and the chart labels the scale
  points and percentages in words (SC 1.4.1).

The hex values were found in CIELCh (orange hue 55°, blue hue 255°, the most chroma sRGB allows at
each lightness) and are fixed here so that charts never change with a library version.
"""

from __future__ import annotations

BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"
"""Body text, as in the report template (17.4:1 on white)."""
TEXT_ON_DARK = "#ffffff"
TEXT_ON_LIGHT = "#000000"
"""Segment labels: pure black, because the lightest segments are mid-tones (#1a1a1a falls short)."""
AXIS = "#595959"
"""Axes, ticks, centre lines and cycle boundaries (7.0:1 on white)."""
SERIES = "#004c6d"
"""Run chart points and line: the darkest blue of the palette."""
SIGNAL = "#a94d11"
"""Run chart points inside a signal: orange-brown, always with a different marker shape too."""

TEXT_CONTRAST = 4.5
"""WCAG SC 1.4.3 minimum for normal-size text."""
MARK_CONTRAST = 3.0
"""WCAG SC 1.4.11 minimum for the parts of a graphic needed to understand it."""

_DISAGREE = {28: "#712e00", 30: "#783101", 35: "#8b3a00", 41: "#a04607", 44: "#a94d11", 53: "#c46428"}
_AGREE = {28: "#034766", 30: "#004c6d", 35: "#04587e", 41: "#036793", 44: "#076f9d", 53: "#0187bf", 60: "#0c9ad8"}
NEUTRAL = "#929292"
"""The middle point of an odd scale: grey at L* 60.5 (3.1:1 on white)."""

_DIVERGING: dict[int, tuple[str, ...]] = {
    3: (_DISAGREE[44], NEUTRAL, _AGREE[44]),
    4: (_DISAGREE[35], _DISAGREE[53], _AGREE[60], _AGREE[35]),
    5: (_DISAGREE[30], _DISAGREE[44], NEUTRAL, _AGREE[44], _AGREE[30]),
    6: (_DISAGREE[28], _DISAGREE[41], _DISAGREE[53], _AGREE[60], _AGREE[41], _AGREE[28]),
    7: (_DISAGREE[28], _DISAGREE[41], _DISAGREE[53], NEUTRAL, _AGREE[53], _AGREE[41], _AGREE[28]),
}
SCALE_POINTS = tuple(sorted(_DIVERGING))
"""The scale lengths the diverging palette covers."""


def diverging(points: int) -> tuple[str, ...]:
    """Colours for a rating scale of ``points`` positions, from the most negative to the most positive."""
    if points not in _DIVERGING:
        raise ValueError(f"the diverging palette covers scales of 3 to 7 points, got {points}")
    return _DIVERGING[points]


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#rrggbb`` colour (0 for black, 1 for white)."""
    if len(colour) != 7 or not colour.startswith("#"):
        raise ValueError(f"a colour must be written #rrggbb, got {colour!r}")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05) of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(colour_a), relative_luminance(colour_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def lightness(colour: str) -> float:
    """CIELAB L* (0 black to 100 white) of a ``#rrggbb`` colour: lightness as a person sees it."""
    y = relative_luminance(colour)
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def text_on(fill: str) -> str:
    """The label colour (white or black) that contrasts more with ``fill``."""
    return TEXT_ON_DARK if contrast_ratio(fill, TEXT_ON_DARK) >= contrast_ratio(fill, TEXT_ON_LIGHT) else TEXT_ON_LIGHT
