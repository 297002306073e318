"""The published reports in a real headless Chromium, checked by axe-core for WCAG 2.1 AA.

Every reviewed golden HTML page is checked: adding a golden report (a cycle, the series overview)
adds it here. One browser serves the whole module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser_tools import axe_script, chromium, describe_violations, open_offline, run_axe
from tests.conftest import REPOSITORY

GOLDEN = REPOSITORY / "tests" / "golden"
PAGES = sorted(GOLDEN.glob("**/*.html"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    axe_script()  # skip (or fail in CI) before starting a browser that could not be used
    with chromium() as started:
        yield started


def test_there_are_golden_pages_to_check() -> None:
    assert len(PAGES) >= 1, f"no golden HTML pages under {GOLDEN}"


@pytest.mark.parametrize("page_file", PAGES, ids=lambda path: path.relative_to(GOLDEN).as_posix())
def test_the_golden_page_has_no_wcag_21_aa_violations(browser: Browser, page_file: Path) -> None:
    page, refused = open_offline(browser, page_file.as_uri())
    try:
        assert refused == [], f"{page_file.name} asked the network for {refused}"
        heading = page.locator("h1").first.inner_text()
        assert heading.strip(), f"{page_file.name} has no visible main heading"
        results = run_axe(page)
    finally:
        page.close()
    assert results["testEngine"]["name"] == "axe-core"
    assert results["violations"] == [], describe_violations(results["violations"])
    # axe leaves some rules to a person ("incomplete"); a repeated id it reports there is a fault all the same.
    unsure = {result["id"] for result in results["incomplete"]}
    assert not unsure & {"duplicate-id", "duplicate-id-aria", "duplicate-id-active"}, unsure


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value is not None)


@pytest.mark.parametrize("page_file", PAGES, ids=lambda path: path.relative_to(GOLDEN).as_posix())
def test_no_id_is_used_twice_in_a_golden_page(page_file: Path) -> None:
    parser = _Ids()
    parser.feed(page_file.read_text("utf-8"))
    assert parser.ids, f"{page_file.name} has no ids at all"
    assert [name for name, count in parser.ids.items() if count > 1] == []


BAD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A page with two faults</title></head>
<body><main>
  <h1>A page with two faults</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <p style="color: #bbbbbb; background: #ffffff">This grey text on white is too faint to read.</p>
</main></body></html>
"""


def test_the_axe_harness_reports_the_faults_of_a_bad_page(browser: Browser) -> None:
    page, refused = open_offline(browser, "about:blank", html=BAD_PAGE)
    try:
        results = run_axe(page)
    finally:
        page.close()
    assert refused == []
    found = {violation["id"]: violation for violation in results["violations"]}
    assert set(found) == {"image-alt", "color-contrast"}
    assert found["image-alt"]["impact"] == "critical"
    assert [node["target"] for node in found["color-contrast"]["nodes"]] == [["p"]]
    message = describe_violations(results["violations"])
    assert "- image-alt (critical): Images must have alternative text" in message
    assert "    img: Fix any of the following:" in message


def test_a_page_that_reaches_for_the_network_is_caught(browser: Browser) -> None:
    html = BAD_PAGE.replace("</main>", '<img alt="logo" src="https://example.invalid/logo.png"></main>')
    page, refused = open_offline(browser, "about:blank", html=html)
    page.close()
    assert refused == ["https://example.invalid/logo.png"]
