"""Pages: the public framework and its PDF, the self-diagnostic, and the admin pages."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.criteria import operations
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.extensions import db
from tests.criteria.helpers import yaml_text
from tests.factories import make_user


@pytest.fixture
def published():
    version = operations.import_text(yaml_text(), publish=True)
    db.session.commit()
    return version


@pytest.fixture
def draft(published):
    version = operations.draft_from(None)
    db.session.commit()
    return version


def test_public_framework_page_shows_every_criterion_and_its_levels(client, published):
    response = client.get("/cadre-de-confiance")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Cadre de test — version 2026.1",
        "RGPD-01 — Critère RGPD-01",
        "Ce que demande PEDA-02, d&#39;après le RGPD.",
        "Un document signé.",
        "Exemplaire pour ACCES-01.",
        'href="/cadre-de-confiance/autodiagnostic"',
    ):
        assert text in html


def test_public_page_without_a_version_in_force(client):
    response = client.get("/cadre-de-confiance")
    assert response.status_code == 200
    assert client.get("/cadre-de-confiance.pdf").status_code == 404


def test_the_framework_as_pdf(client, published):
    response = client.get("/cadre-de-confiance.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 2000
    assert response.headers["ETag"]


def test_a_draft_page_is_hidden_from_the_public(client, login_as, draft):
    assert client.get(f"/cadre-de-confiance/versions/{draft.id}").status_code == 404
    assert client.get(f"/cadre-de-confiance/versions/{draft.id}.pdf").status_code == 404
    login_as(make_user(Role.admin))
    assert client.get(f"/cadre-de-confiance/versions/{draft.id}").status_code == 200


def test_self_diagnostic_form_is_open_to_anyone(client, published):
    response = client.get("/cadre-de-confiance/autodiagnostic")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="c_RGPD_01"' in html and 'name="attr_processes_personal_data"' in html


def test_self_diagnostic_lists_eliminatory_gaps_first(client, published):
    response = client.post(
        "/cadre-de-confiance/autodiagnostic",
        data={
            "attr_processes_personal_data": "y",
            "c_RGPD_01": "partial",
            "c_RGPD_02": "no",
            "c_PEDA_01": "no",
            "c_PEDA_02": "yes",
            "c_ACCES_01": "not_applicable",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index("<ol>", html.index('id="resultat"'))
    roadmap = html[start : html.index("</ol>", start)]
    order = [roadmap.index(code) for code in ("RGPD-01", "ACCES-01", "PEDA-01", "RGPD-02")]
    assert order == sorted(order)  # eliminatory first, then by weight of the gap
    assert "PEDA-02 —" not in roadmap  # fully met: no gap
    assert "ACCES-01" in html[html.index("fr-alert--warning") :]  # counted as not met
    assert db.session.query(FrameworkVersion).count() == 1  # nothing stored


def test_self_diagnostic_refuses_an_unknown_answer(client, published):
    response = client.post("/cadre-de-confiance/autodiagnostic", data={"c_RGPD_01": "maybe"})
    assert response.status_code == 422


ADMIN_PAGES = [
    "/admin/cadre",
    "/admin/cadre/versions/{draft}",
    "/admin/cadre/versions/{draft}/modifier",
    "/admin/cadre/versions/{draft}/domaines/nouveau",
    "/admin/cadre/versions/{draft}/domaines/{domain}/modifier",
    "/admin/cadre/versions/{draft}/domaines/{domain}/criteres/nouveau",
    "/admin/cadre/versions/{draft}/domaines/{domain}/criteres/{criterion}/modifier",
    "/admin/cadre/versions/{draft}/differences",
    "/admin/cadre/versions/{draft}/publier",
    "/admin/cadre/versions/{draft}/supprimer",
    "/admin/cadre/versions/{published}/retirer",
    "/admin/cadre/versions/{draft}/export.yaml",
]


def _paths(draft, published):
    domain = draft.domains[1]
    values = {
        "draft": draft.id,
        "published": published.id,
        "domain": domain.id,
        "criterion": domain.criteria[0].id,
    }
    return [page.format(**values) for page in ADMIN_PAGES]


@pytest.mark.parametrize("role", [Role.manager, Role.expert, Role.company, Role.teacher])
def test_admin_pages_are_forbidden_to_other_roles(client, login_as, draft, published, role):
    login_as(make_user(role))
    for path in _paths(draft, published):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/admin/cadre/versions/{draft.id}/publier").status_code == 403


def test_admin_pages_send_anonymous_visitors_to_the_login(client, draft, published):
    for path in _paths(draft, published):
        response = client.get(path)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_admin_pages_work_for_admins(client, login_as, draft, published):
    login_as(make_user(Role.admin))
    for path in _paths(draft, published):
        assert client.get(path).status_code == 200, path


def test_editing_pages_of_a_published_version_send_back_with_the_reason(
    client, login_as, published
):
    """A refused page is not an error page: the reader goes back where they came from and
    reads why (in French), and nothing changes."""
    login_as(make_user(Role.admin))
    domain = published.domains[0]
    came_from = f"/admin/cadre/versions/{published.id}"
    criteria_before = len(domain.criteria)
    for method, path in (
        ("get", f"/admin/cadre/versions/{published.id}/modifier"),
        ("get", f"/admin/cadre/versions/{published.id}/domaines/{domain.id}/modifier"),
        ("get", f"/admin/cadre/versions/{published.id}/publier"),
        (
            "post",
            f"/admin/cadre/versions/{published.id}/domaines/{domain.id}/criteres/"
            f"{domain.criteria[0].id}/supprimer",
        ),
    ):
        response = getattr(client, method)(
            path, headers={"Referer": f"http://localhost{came_from}"}
        )
        assert response.status_code == 302, path
        assert response.headers["Location"] == came_from
        page = client.get(came_from).get_data(as_text=True)
        assert "ne change jamais" in page, path
    db.session.expire_all()
    assert len(domain.criteria) == criteria_before


def _criterion_form(**fields):
    data = {
        "code": "PEDA-03",
        "title": "Traces d'apprentissage utiles à l'enseignant",
        "guidance": "Ce que demande le critère.",
        "evidence_expected": "Captures d'écran.",
        "weight": "2",
        "min_level": "0",
        "applies_if": "",
    }
    for value, label in enumerate(("Non", "Un peu", "Oui", "Très")):
        data[f"levels-{value}-label"] = label
        data[f"levels-{value}-descriptor"] = f"Descripteur {value}."
    data.update(fields)
    return data


def test_admin_adds_a_criterion_then_sees_the_difference_then_publishes(
    client, login_as, draft, published
):
    login_as(make_user(Role.admin))
    peda = draft.domains[1]
    response = client.post(
        f"/admin/cadre/versions/{draft.id}/domaines/{peda.id}/criteres/nouveau",
        data=_criterion_form(),
    )
    assert response.status_code == 302
    html = client.get(f"/admin/cadre/versions/{draft.id}/differences").get_data(as_text=True)
    assert "PEDA-03" in html and "Traces d&#39;apprentissage" in html
    response = client.post(f"/admin/cadre/versions/{draft.id}/publier")
    assert response.status_code == 302
    db.session.expire_all()
    assert FrameworkVersion.in_force().id == draft.id
    assert db.session.get(FrameworkVersion, published.id).status == VersionStatus.retired
    assert db.session.get(FrameworkVersion, draft.id).criterion("PEDA-03").weight == 2.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "PEDA-01"}, "Another criterion of this version has this code."),
        ({"code": "XX-01"}, "such as PEDA-01"),
        ({"weight": "0"}, "A weight is a number greater than 0."),
        ({"weight": "abc"}, "Not a valid decimal value"),
        ({"eliminatory": "y", "min_level": "0"}, "needs a minimum level from 1 to 3"),
        ({"min_level": "2"}, "Only an eliminatory criterion has a minimum level"),
        ({"applies_if": "is_cool"}, "Not a valid choice"),
        ({"levels-3-descriptor": ""}, "This field is required."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_criterion_form_validation(client, login_as, draft, fields, message):
    login_as(make_user(Role.admin))
    client.get("/langue/en")  # the English texts are the message ids
    peda = draft.domains[1]
    response = client.post(
        f"/admin/cadre/versions/{draft.id}/domaines/{peda.id}/criteres/nouveau",
        data=_criterion_form(**fields),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FrameworkVersion, draft.id).criterion("PEDA-03") is None


def test_version_form_validates_thresholds(client, login_as, draft):
    login_as(make_user(Role.admin))
    response = client.post(
        f"/admin/cadre/versions/{draft.id}/modifier",
        data={"version": "2027.1", "label": "X", "approve": "50", "approve_with_conditions": "70"},
    )
    assert response.status_code == 422
    ok = client.post(
        f"/admin/cadre/versions/{draft.id}/modifier",
        data={"version": "2027.1", "label": "X", "approve": "80", "approve_with_conditions": "60"},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(FrameworkVersion, draft.id).thresholds["approve"] == 80


def test_domain_form_adds_and_deletes_a_domain(client, login_as, draft):
    login_as(make_user(Role.admin))
    response = client.post(
        f"/admin/cadre/versions/{draft.id}/domaines/nouveau",
        data={"code": "sobr", "name": "Sobriété", "description": "RGESN", "weight": "1.5"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    domain = db.session.get(FrameworkVersion, draft.id).domains[-1]
    assert (domain.code, domain.weight) == ("SOBR", 1.5)
    duplicate = client.post(
        f"/admin/cadre/versions/{draft.id}/domaines/nouveau",
        data={"code": "SOBR", "name": "Bis", "weight": "1"},
    )
    assert duplicate.status_code == 422
    deleted = client.post(f"/admin/cadre/versions/{draft.id}/domaines/{domain.id}/supprimer")
    assert deleted.status_code == 302
    db.session.expire_all()
    assert [d.code for d in db.session.get(FrameworkVersion, draft.id).domains][-1] == "ACCES"


def test_admin_creates_a_draft_from_the_version_in_force(client, login_as, published):
    login_as(make_user(Role.admin))
    response = client.post("/admin/cadre/brouillon")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(FrameworkVersion).filter_by(status=VersionStatus.draft).count() == 1


def test_navigation_shows_the_framework_to_all_and_its_admin_to_admins(client, login_as):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/cadre-de-confiance"' in html and 'href="/admin/cadre"' not in html
    login_as(make_user(Role.admin))
    assert 'href="/admin/cadre"' in client.get("/").get_data(as_text=True)


def test_a_retired_version_stays_readable_and_is_listed(client, published):
    newer = operations.draft_from(None)
    operations.publish_version(None, newer)
    db.session.commit()
    html = client.get("/cadre-de-confiance").get_data(as_text=True)
    assert f'href="/cadre-de-confiance/versions/{published.id}"' in html
    old = client.get(f"/cadre-de-confiance/versions/{published.id}")
    assert old.status_code == 200
    assert 'href="/cadre-de-confiance"' in old.get_data(as_text=True)
    assert "retirée" in old.get_data(as_text=True)


def test_the_pdf_of_a_published_version_is_built_once(client, published, monkeypatch):
    from accelerator.criteria import views

    built = []
    real = views.framework_pdf
    monkeypatch.setattr(views, "framework_pdf", lambda v: built.append(v.id) or real(v))
    first = client.get("/cadre-de-confiance.pdf")
    second = client.get("/cadre-de-confiance.pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304 and built == [published.id]


def test_publishing_a_draft_that_breaks_the_rules_shows_why(client, login_as, draft):
    login_as(make_user(Role.admin))
    operations.add_domain(None, draft, {"code": "VIDE", "name": "Vide", "weight": 1})
    db.session.commit()
    page = client.get(f"/admin/cadre/versions/{draft.id}").get_data(as_text=True)
    assert "domains[3].criteria" in page  # listed under "to fix before publication"
    response = client.post(f"/admin/cadre/versions/{draft.id}/publier")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FrameworkVersion, draft.id).status == VersionStatus.draft
