"""A real headless Chromium with axe-core in it, for the accessibility tests.

The browser is Debian's ``chromium`` (``.ci/run`` installs it), driven by the pip ``playwright``
package with ``executable_path``: Playwright never downloads a browser of its own here. axe-core
comes from npm (``package-lock.json``; ``make test`` runs ``npm ci``) and is injected into each
page from ``node_modules``.

When either is missing, the tests skip with a reason on a developer's machine, and fail when
``EVALCYCLE_REQUIRE_TOOLS=1`` (CI sets it), so a missing tool can never look like a pass.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.conftest import REPOSITORY

AXE_SCRIPT = REPOSITORY / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA: the level the reports promise.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # No name resolves: a page must render from its own file.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def tool_missing(reason: str) -> NoReturn:
    """Skip for ``reason``, or fail if ``EVALCYCLE_REQUIRE_TOOLS=1`` forbids skipping."""
    if os.environ.get("EVALCYCLE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{reason}, and EVALCYCLE_REQUIRE_TOOLS=1 forbids skipping")
    pytest.skip(reason=reason)


def axe_script() -> Path:
    """The installed ``axe.min.js``, or skip/fail if ``npm ci`` has not been run."""
    if not AXE_SCRIPT.is_file():
        tool_missing("node_modules/axe-core is not installed (run `make node-modules`, which runs `npm ci`)")
    return AXE_SCRIPT


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright, or skip/fail if it is not on PATH."""
    executable = shutil.which("chromium")
    if executable is None:
        tool_missing("chromium is not on PATH (install Debian's chromium package to run this test)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def open_offline(browser: Browser, url: str, *, html: str | None = None) -> tuple[Page, list[str]]:
    """Open ``url`` (or ``html``) in a new page whose requests beyond file: and data: are refused.

    Returns the page and the list of refused request URLs, which a self-contained report keeps empty.
    """
    page = browser.new_page()
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    if html is None:
        page.goto(url, wait_until="load")
    else:
        page.set_content(html, wait_until="load")
    return page, refused


def run_axe(page: Page, tags: Sequence[str] = WCAG_21_AA) -> dict[str, Any]:
    """Inject axe-core into ``page`` and return its results for the rules tagged ``tags``."""
    page.add_script_tag(path=axe_script())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
    return results


def describe_violations(violations: Sequence[Mapping[str, Any]]) -> str:
    """One paragraph per violated rule: id, impact, what it asks, and the offending elements."""
    paragraphs = []
    for violation in violations:
        targets = "\n".join(
            f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary') or ''}".rstrip()
            for node in violation["nodes"]
        )
        paragraphs.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]\n{targets}"
        )
    return f"{len(violations)} axe-core violation(s):\n" + "\n".join(paragraphs)
