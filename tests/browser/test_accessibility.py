"""Every page, in French and in English, passes axe-core's WCAG 2.1 A and AA rules and
reflows at 320 px (WCAG 1.4.10).

The walk (tests/browser/walk.py) takes every public page of the URL map and every page of
each role (company, expert, manager, trainer, teacher, admin) on the demo world, one browser
context per language switched as a visitor does (``/langue/<code>``). At 320 px wide the
document must not be wider than the screen, and anything that scrolls sideways inside it (a
table) must be reachable with the keyboard, so that its hidden part can be scrolled into view.
"""

from __future__ import annotations

import time

import pytest

from accelerator.accounts.models import Role
from accelerator.core import axe
from accelerator.extensions import cache, db, limiter
from tests.browser.walk import (
    anonymous,
    is_html,
    pages_for,
    path_of,
    role_views,
    seed_demo_world,
    sign_in,
)
from tests.conftest import _empty_tables

pytestmark = pytest.mark.browser

ROLES = (Role.company, Role.expert, Role.manager, Role.trainer, Role.teacher, Role.admin)

#: what scrolls sideways inside a page at 320 px and cannot take the keyboard's focus, and
#: the document's width (``scrollWidth``)
_REFLOW = """async () => {
  // the layout after the resize, charts redrawn included
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const focusable = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
  const stuck = [];
  for (const element of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(element);
    if (!["auto", "scroll"].includes(style.overflowX)) continue;
    if (element.scrollWidth <= element.clientWidth + 1) continue;
    if (element.matches(focusable) || element.querySelector(focusable)) continue;
    stuck.push(element.outerHTML.slice(0, 120));
  }
  // the innermost elements that stick out on the right: where the page got too wide
  const out = (element) => element.getBoundingClientRect().right > 321;
  const wide = [];
  if (document.documentElement.scrollWidth > 320) {
    for (const element of document.body.querySelectorAll("*")) {
      if (!out(element) || Array.from(element.children).some(out)) continue;
      wide.push(element.outerHTML.slice(0, 100));
    }
  }
  return { width: document.documentElement.scrollWidth, stuck, wide: wide.slice(0, 5) };
}"""


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Overrides the suite's: the demo world is seeded once for this module (``world``) and
    emptied when the module ends, not after each test."""
    with app.app_context():
        yield


@pytest.fixture(scope="module")
def world(app, live_server):
    with app.app_context():
        started = time.monotonic()
        seeded = seed_demo_world()
        db.session.remove()
        print(f"\ndemo world seeded in {time.monotonic() - started:.0f} s")
    yield seeded
    with app.app_context():
        db.session.remove()
        _empty_tables()
    limiter.reset()
    cache.clear()


def _walk(page, app, world, language: str) -> tuple[int, list[str]]:
    """Each page once per language, as the first of the roles that reaches it (and the
    pages of ``role_views`` again as their role)."""
    walked, faults, seen = 0, [], set()
    for role in (None, *ROLES):
        who = role.value if role else "anonymous"
        if role is None:
            anonymous(page, language)
        else:
            sign_in(page, role, language)
        views = role_views(app, world, role)
        for url in [*pages_for(app, world, role), *views]:
            if url in seen and url not in views:
                continue
            seen.add(url)
            response = page.goto(url)
            if not is_html(response):
                continue
            walked += 1
            where = f"[{language}, {who}] {url}"
            if response.status >= 500:
                faults.append(f"{where}: answered {response.status}")
                continue
            if page.get_attribute("html", "lang") != language:
                faults.append(f"{where}: <html lang> is not {language}")
            found = axe.violations(page)
            if found:
                faults.append(f"{where}:\n{axe.describe(found)}")
            page.set_viewport_size({"width": 320, "height": 800})
            reflow = page.evaluate(_REFLOW)
            page.set_viewport_size({"width": 1280, "height": 900})
            if reflow["width"] > 320:
                faults.append(f"{where}: {reflow['width']} px wide at 320 px: {reflow['wide']}")
            for html in reflow["stuck"]:
                faults.append(f"{where}: scrolls sideways, out of the keyboard's reach: {html}")
            assert path_of(page.url).split("?")[0] != "/connexion" or role is None, where
    return walked, faults


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_passes_axe_and_reflows_at_320_px(browser, live_server, app, world, language):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR" if language == "fr" else "en-GB",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    started = time.monotonic()
    try:
        walked, faults = _walk(page, app, world, language)
    finally:
        context.close()
    print(f"\n{language}: {walked} pages walked in {time.monotonic() - started:.0f} s")
    assert walked > 60
    assert not faults, f"{len(faults)} faults:\n" + "\n".join(faults)
