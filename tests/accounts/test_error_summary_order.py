"""A form sent back with errors lists them in its summary in the order its fields come on
the page: the summary takes the focus, and a keyboard or screen reader user goes down it
as down the form (the password fields used to come first, wherever the page shows them)."""

from __future__ import annotations

import re

import pytest

from accelerator.accounts.models import Role
from tests.factories import make_user

#: page → where its form is sent, and who sends it (None: anyone)
FORMS = [
    ("/inscription/enseignant", "/inscription/enseignant", None),
    ("/inscription/entreprise", "/inscription/entreprise", None),
    ("/admin/utilisateurs/nouveau", "/admin/utilisateurs/nouveau", Role.admin),
    ("/mon-compte", "/mon-compte/mot-de-passe", Role.teacher),
]


def _summary_and_fields(html: str) -> tuple[list[str], list[str]]:
    start = html.index('id="error-summary"')
    end = html.index("</div>", start)
    linked = re.findall(r'href="#([\w-]+)"', html[start:end])
    rest = html[end:]
    # the fields the summary names, in the order the page shows them
    shown = sorted(linked, key=lambda name: rest.index(f'id="{name}"'))
    return linked, shown


@pytest.mark.parametrize(("page", "action", "role"), FORMS, ids=[f[0] for f in FORMS])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_summary_follows_the_page(client, login_as, page, action, role, language):
    if role is not None:
        login_as(make_user(role))
    client.get(f"/langue/{language}")
    response = client.post(action, data={})
    assert response.status_code == 422
    linked, shown = _summary_and_fields(response.get_data(as_text=True))
    assert len(linked) >= 2  # a form with several errors: their order means something
    assert linked == shown
    client.get("/langue/fr")
