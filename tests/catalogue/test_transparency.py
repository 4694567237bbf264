"""Transparency for purchasers and data protection officers: the public page shows the level
reached on each criterion the framework marks public, the frozen declarations, the
conditions and their state, the last automated check; the JSON at a stable URL says the
same, and the open data lists every solution's record with a schema."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, date, datetime, time
from html import unescape
from pathlib import Path

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.models import Assignment, Condition, ConditionStatus, Decision, Score
from accelerator.audits.states import AuditStatus
from accelerator.catalogue.operations import refresh_catalogue_entry
from accelerator.checks.models import SiteCheck, Trigger
from accelerator.criteria import document as documents
from accelerator.criteria.operations import DEFAULT_FILE, PREVIOUS_FILES
from accelerator.extensions import db
from tests.audits.factories import make_framework_version
from tests.catalogue.helpers import approve
from tests.factories import make_user
from tests.statements import statements_sent

FR = {"Accept-Language": "fr"}
MIGRATION = "20261201_1510_b8c9d0e1f2a3_criterion_public.py"


@pytest.fixture
def approved():
    """An approval on a framework where RGPD-01, PEDA-01 and PEDA-02 are public (PEDA-02
    applies only to solutions using AI, which this one does not) and RGPD-02 is not."""
    make_framework_version(
        {
            "RGPD": [
                {"code": "RGPD-01", "applies_if": "processes_personal_data", "public": True},
                {"code": "RGPD-02", "applies_if": "processes_personal_data"},
            ],
            "PEDA": [
                {"code": "PEDA-01", "public": True},
                {"code": "PEDA-02", "applies_if": "uses_ai", "public": True},
            ],
        }
    )
    audit = approve(
        "Transparente",
        outcome=AuditStatus.approved_with_conditions,
        processes_personal_data=True,
        uses_ai=False,
        gar_compatible=True,
        hosting_country="FR",
        hosting_provider="Hébergeur Souverain",
    )
    audit.declarations = audit.solution.declarations()  # frozen at submission
    first, second = make_user(Role.expert), make_user(Role.expert)
    audit.assignments = [Assignment(expert=first), Assignment(expert=second)]
    for expert, levels in ((first, {"RGPD-01": 2, "RGPD-02": 1, "PEDA-01": 3}),
                           (second, {"RGPD-01": 3, "RGPD-02": 1, "PEDA-01": 3})):  # fmt: skip
        for code, level in levels.items():
            db.session.add(
                Score(
                    audit=audit,
                    expert_id=expert.id,
                    criterion_code=code,
                    level=level,
                    justification="Justification détaillée de l'expert.",
                )
            )
    decision = db.session.scalar(db.select(Decision).where(Decision.audit_id == audit.id))
    decision.conditions.append(
        Condition(
            text="Publier le registre des sous-traitants.",
            due_date=date(2027, 3, 1),
            status=ConditionStatus.evidence_submitted,
        )
    )
    db.session.commit()
    refresh_catalogue_entry(audit.solution_id)
    db.session.commit()
    return audit


def test_the_record_follows_the_rules(api, approved):
    body = api.get("/catalogue/transparente/transparency", headers=FR).json
    # public criteria only, in the framework's order; the experts' mean rounded down
    assert [
        (c["code"], c["applicable"], c["level"], c["level_label"]) for c in body["criteria"]
    ] == [
        ("RGPD-01", True, 2, "Satisfait"),
        ("PEDA-01", True, 3, "Exemplaire"),
        ("PEDA-02", False, None, None),
    ]
    assert body["declarations"] == {
        "hosting_country": "FR",
        "hosting_provider": "Hébergeur Souverain",
        "processes_personal_data": True,
        "uses_ai": False,
        "gar_compatible": True,
        "pricing": "free",
        "version": "",
    }
    assert body["conditions"] == [
        {
            "text": "Publier le registre des sous-traitants.",
            "due_date": "2027-03-01",
            "status": "evidence_submitted",
            "status_label": "Justificatif déposé, en attente d'examen",
            "fulfilled_at": None,
            "overdue": False,
        }
    ]
    # no automated check of its site was run
    assert body["last_automated_check"] is None
    assert body["approval"]["outcome"] == "approved_with_conditions"
    assert body["approval"]["credential_url"].endswith(
        f"/verify/{approved.verification_code}/credential.json"
    )


def _cells(html: str, pattern: str) -> list[tuple[str, ...]]:
    return [tuple(unescape(re.sub(r"<[^>]+>", "", part)).strip() for part in match)
            for match in re.findall(pattern, html, re.S)]  # fmt: skip


def test_the_json_says_what_the_page_shows(api, client, approved):
    body = api.get("/catalogue/transparente/transparency", headers=FR).json
    html = client.get("/catalogue/transparente", headers=FR).get_data(as_text=True)
    rows = _cells(html, r'<tr data-criterion="([^"]+)"><th scope="row">(.*?)</th><td>(.*?)</td>')
    expected = []
    for c in body["criteria"]:
        shown = (
            "Sans objet"
            if not c["applicable"]
            else f"{c['level_label']} ({c['level']}/{c['max_level']})"
        )
        expected.append((c["code"], f"{c['title']} ({c['code']})", shown))
    assert rows == expected
    section = html.split('id="transparence"')[1]
    declared = dict(_cells(section, r'<dt class="fr-text--bold">(.*?)</dt><dd>(.*?)</dd>'))
    assert declared["Pays d'hébergement"] == "France (FR)"
    assert declared["Hébergeur"] == body["declarations"]["hosting_provider"]
    assert declared["Traite des données personnelles"] == "Oui"
    assert declared["Utilise de l'intelligence artificielle"] == "Non"
    assert declared["Compatible GAR"] == "Oui"
    for condition in body["conditions"]:
        assert (
            f"{condition['text']} — à remplir avant le 1 mars 2027 — {condition['status_label']}"
            in unescape(html)
        )
    assert "n’a pas encore été vérifié automatiquement" in unescape(html).replace("'", "’")
    assert 'href="/api/v1/catalogue/transparente/transparency"' in html


def test_the_open_data_lists_the_record_with_its_schema(api, client, approved):
    record = api.get("/catalogue/transparente/transparency").json
    listing = api.get("/open-data/transparency.json").json
    assert listing["items"] == [record] and listing["license"] == "etalab-2.0"
    schema = client.get(listing["schema"].removeprefix("http://localhost")).json
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["properties"]) == set(record)
    assert set(schema["properties"]["criteria"]["items"]["properties"]) == set(
        record["criteria"][0]
    )
    page = client.get("/donnees-ouvertes", headers=FR).get_data(as_text=True)
    assert 'href="/api/v1/open-data/transparency.json"' in page
    assert 'href="/api/v1/open-data/transparency.schema.json"' in page
    assert 'href="/api/v1/open-data/decisions.json"' in page


def test_unknown_or_lapsed_solution_has_no_record(api):
    assert api.get("/catalogue/nulle-part/transparency").status_code == 404
    assert api.get("/catalogue/nulle-part/transparency").content_type == "application/problem+json"


def test_the_shipped_frameworks_mark_the_criteria_purchasers_check(app):
    path = Path(app.root_path).parent / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("criterion_public", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for path in (DEFAULT_FILE, *PREVIOUS_FILES):
        document = documents.parse(path.read_text(encoding="utf-8"))
        public = {c.code for d in document.domains for c in d.criteria if c.public}
        # what the migration sets on stored versions is what the files say
        assert public == set(migration.PUBLIC[document.version]), path.name
        assert {"RGPD-01", "SEC-01", "SOUV-01", "SOUV-05", "INTEROP-01"} <= public
        # written back, the flag survives (export then import identically)
        assert documents.parse(documents.dump(document)) == document


def test_the_last_automated_check_is_the_latest_run(api, client, approved):
    for day in (date(2026, 11, 2), date(2026, 11, 20), date(2026, 11, 9)):
        db.session.add(
            SiteCheck(
                solution_id=approved.solution_id,
                trigger=Trigger.monitoring,
                checked_at=datetime.combine(day, time(6, 30), UTC),
            )
        )
    db.session.commit()
    body = api.get("/catalogue/transparente/transparency").json
    assert body["last_automated_check"] == "2026-11-20T06:30:00Z"
    html = unescape(client.get("/catalogue/transparente", headers=FR).get_data(as_text=True))
    assert "vérifié automatiquement le 20 novembre 2026" in html


def test_the_open_data_costs_the_same_queries_for_two_solutions_as_for_six(api, approved):
    """The open data builds every record in a fixed number of queries: a catalogue of
    thousands of solutions must not cost a handful of queries per solution. Each record
    stays the one its solution's own URL answers."""
    approve("Deuxième solution", processes_personal_data=True)
    db.session.expire_all()
    with statements_sent("SELECT") as two:
        api.get("/open-data/transparency.json")
    for name in ("Troisième", "Quatrième", "Cinquième", "Sixième"):
        approve(name, processes_personal_data=True)
    db.session.expire_all()
    with statements_sent("SELECT") as six:
        api.get("/open-data/transparency.json")
    assert len(six) == len(two)

    listing = api.get("/open-data/transparency.json").json
    assert listing["total"] == 6
    for record in listing["items"]:
        slug = record["solution"]["slug"]
        assert record == api.get(f"/catalogue/{slug}/transparency").json
