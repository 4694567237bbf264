"""The home page in a real browser, in French then in English: served, styled, translated,
and without a WCAG 2.1 A/AA violation that axe-core can find."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_home_page_is_accessible_in_french_and_in_english(page, live_server, accessible):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    accessible(page, "home fr")

    # The language menu, as a visitor opens it.
    page.get_by_role("button", name="FR", exact=True).click()
    page.get_by_role("link", name="EN — English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    accessible(page, "home en")


def test_the_accessibility_check_finds_what_it_looks_for(page):
    """A page with an image without text and a field without a label fails the check: an
    empty answer on the service's pages means something."""
    from accelerator.core import axe

    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="x.png"><input type="text" name="q"></main></body></html>'
    )
    found = {violation["id"] for violation in axe.violations(page)}
    assert {"image-alt", "label"} <= found
