"""The public journey and the main forms with the keyboard alone (WCAG 2.1.1, 2.4.1, 2.4.7,
3.3.1): the first Tab reaches the skip link to the content, which works; every element the
Tab key reaches shows where the focus is (an outline or a box shadow, on the field itself or,
for the DSFR's checkboxes and radios, on their label); a form sent back with errors puts the
focus on its error summary, whose links lead to the fields.

Home → catalogue → a search typed and sent → "skip to the results" → the solution → its
verification page; then sign-in (wrong, then right), a teacher account's registration sent
empty, and a teacher's enrolment in a session (sent unanswered, then answered).

Each journey runs in French and in English (English chosen with the header's language
switch, by the keyboard too): the labels it looks for are the catalog's, in that language.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.factories import PASSWORD, make_user
from tests.training.factories import make_session

pytestmark = pytest.mark.browser

#: where the focus is, and whether it shows: a ring on the element (or its ::before, which
#: the DSFR's enlarged links draw), or on the label of a DSFR checkbox or radio (the input
#: itself is transparent, its label draws the box)
_FOCUS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const ring = (style) =>
    (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
    (style.boxShadow && style.boxShadow !== "none");
  // the DSFR's enlarged links (cards, the header's brand) draw it on their ::before
  let visible = ring(getComputedStyle(element)) || ring(getComputedStyle(element, "::before"));
  if (!visible && element.labels && element.labels.length) {
    const label = element.labels[0];
    visible = ring(getComputedStyle(label, "::before")) || ring(getComputedStyle(label));
  }
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    name: element.getAttribute("name"),
    type: element.getAttribute("type"),
    href: element.getAttribute("href"),
    text: (element.innerText || element.value || "").trim().slice(0, 80),
    in_main: Boolean(element.closest("main")),
    visible,
  };
}"""


class Keyboard:
    """Tab through a page, checking that every stop shows the focus."""

    def __init__(self, page):
        self.page = page
        self.invisible: list[str] = []

    def focus(self) -> dict | None:
        return self.page.evaluate(_FOCUS)

    def tab(self, key: str = "Tab") -> dict | None:
        self.page.keyboard.press(key)
        state = self.focus()
        if state is not None and not state["visible"]:
            where = self.page.url
            self.invisible.append(f"{where}: {state['tag']} {state['id'] or state['text']}")
        return state

    def tab_to(self, wanted, limit: int = 120) -> dict:
        """Press Tab until the focused element satisfies ``wanted``."""
        for _ in range(limit):
            state = self.tab()
            if state is not None and wanted(state):
                return state
        raise AssertionError(f"Tab never reached the element on {self.page.url}")

    def activate(self) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


@pytest.fixture
def world(app):
    audit = approve("Calculo Mental")
    make_user(Role.teacher, email="ada@ac-paris.fr")
    session = make_session(solutions=[audit.solution], starts_in=timedelta(days=12))
    db.session.commit()
    return {"slug": audit.solution.slug, "session": session.id}


@pytest.fixture(params=["fr", "en"])
def language(request, page):
    """The journey's language: French by default; English chosen with the header's language
    switch, with the keyboard alone (its button opens the menu, a link of the menu)."""
    page.goto("/")
    if request.param != "fr":
        keys = Keyboard(page)
        page.wait_for_load_state("load")  # the DSFR's script opens the menu
        keys.tab_to(lambda s: s["tag"] == "button" and s["text"].startswith("FR"))
        page.keyboard.press("Enter")
        # the menu unfolds (a transition): its links are reachable once it shows
        expect(page.locator(f"#translate-menu a[hreflang={request.param}]")).to_be_visible()
        keys.tab_to(lambda s: (s["href"] or "").startswith(f"/langue/{request.param}"), limit=5)
        keys.activate()
        assert not keys.invisible, "focus not shown:\n" + "\n".join(keys.invisible)
    assert page.get_attribute("html", "lang") == request.param
    return request.param


def said(language: str, message: str, **values) -> str:
    """``message`` as the pages say it in ``language``."""
    with force_locale(language):
        return gettext(message, **values)


def test_the_public_journey_with_the_keyboard_alone(page, live_server, world, language):
    keys = Keyboard(page)
    page.goto("/")
    first = keys.tab()
    assert first["href"] == "#content", first  # the skip link
    assert first["text"] == said(language, "Content"), first
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    assert keys.tab()["in_main"], "after the skip link, the next Tab is in the content"

    keys.tab_to(lambda s: s["href"] == "/catalogue")
    keys.activate()
    keys.tab_to(lambda s: s["name"] == "q")
    page.keyboard.type("calculo")
    keys.activate()
    assert "q=calculo" in page.url
    keys.tab_to(lambda s: s["href"] == "#results")
    page.keyboard.press("Enter")
    found = keys.tab_to(lambda s: s["href"] == f"/catalogue/{world['slug']}", limit=5)
    assert "Calculo Mental" in found["text"]  # the first result, a few Tabs after the skip
    keys.activate()
    keys.tab_to(lambda s: (s["href"] or "").startswith("/verify/"))
    keys.activate()
    expect(page.locator("main")).to_contain_text("Calculo Mental")
    assert "/verify/" in page.url
    assert not keys.invisible, "focus not shown:\n" + "\n".join(keys.invisible)


def _submit(keys: Keyboard, label: str) -> None:
    keys.tab_to(lambda s: s["tag"] == "button" and s["text"] == label)
    keys.activate()


def _error_summary_has_focus(keys: Keyboard, title: str) -> dict:
    """The summary has the focus, and starts with ``title`` (in the page's language)."""
    state = keys.focus()
    assert state is not None and state["id"] == "error-summary", state
    assert state["text"].startswith(title), state
    return state


def test_forms_sent_with_errors_put_the_focus_on_their_summary(page, live_server, world, language):
    keys = Keyboard(page)

    # Registration sent empty: the summary takes the focus, its first link leads to the field.
    page.goto("/inscription/enseignant")
    _submit(keys, said(language, "Create the account"))
    _error_summary_has_focus(keys, said(language, "The form has errors"))
    link = keys.tab()
    assert link["href"] == "#full_name", link  # the summary goes down the form: its first field
    page.keyboard.press("Enter")
    assert keys.focus()["id"] == link["href"][1:], "the summary's link leads to its field"

    # Sign-in: a wrong password, then the right one, typed.
    page.goto("/connexion")
    keys.tab_to(lambda s: s["name"] == "email")
    page.keyboard.type("ada@ac-paris.fr")
    keys.tab_to(lambda s: s["name"] == "password", limit=3)
    page.keyboard.type("not the password")
    keys.activate()
    _error_summary_has_focus(keys, said(language, "Email address or password incorrect."))
    keys.tab_to(lambda s: s["name"] == "password")
    page.keyboard.type(PASSWORD)
    keys.activate()
    assert "/connexion" not in page.url

    # Enrolment: sent without its question answered, then answered with the arrow keys.
    page.goto(f"/formations/{world['session']}")
    assert page.get_attribute("html", "lang") == language  # signing in kept the language
    _submit(keys, said(language, "Enrol"))
    _error_summary_has_focus(keys, said(language, "The form has errors"))
    keys.tab_to(lambda s: s["type"] == "radio")
    page.keyboard.press("Space")
    _submit(keys, said(language, "Enrol"))
    expect(page.locator("main")).to_contain_text(
        said(language, "Enrolment confirmed: a place is reserved.")
    )
    assert not keys.invisible, "focus not shown:\n" + "\n".join(keys.invisible)
