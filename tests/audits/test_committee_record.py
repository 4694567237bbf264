"""The committee's decision records the day the committee sat and its members present: on
the committee page, in the decision the audit's page shows, in the history, in the report
and in the API."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.audits import operations
from accelerator.audits.report import report_content
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.test_pages import sign_in

S = AuditStatus
MEMBERS = "Claire Martin (présidente)\n  Paul Durand  \n\nClaire Martin (présidente)\nAïcha Benali"


def _decide_on_the_page(client, audit, **changes):
    data = {
        "outcome": "approved",
        "motivation": "Solution conforme au cadre.",
        "committee_date": "2026-11-20",
        "committee_members": MEMBERS,
        **changes,
    }
    return client.post(f"/audits/{audit.id}/comite", data=data)


def test_the_committee_page_asks_for_the_date_and_the_members(client, people, audit_in):
    audit = audit_in(S.committee, level=3)
    sign_in(client, people.manager)
    page = client.get(f"/audits/{audit.id}/comite").get_data(as_text=True)
    assert 'type="date"' in page and 'name="committee_date"' in page
    assert f'value="{date.today().isoformat()}"' in page  # today, to correct if need be
    assert 'name="committee_members"' in page and "Membres présents" in page


def test_a_decision_records_the_day_and_the_members_present(client, api, people, audit_in):
    audit = audit_in(S.committee, level=3)
    sign_in(client, people.manager)
    assert _decide_on_the_page(client, audit).status_code == 302
    # Blank lines and a repeated name are left out; the order given is kept.
    names = ["Claire Martin (présidente)", "Paul Durand", "Aïcha Benali"]
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Comité du 20 novembre 2026" in page
    assert "Membres présents : " + ", ".join(names) in page
    history = page[page.index('id="historique"') :]
    assert "comité du 20 novembre 2026" in history and "Paul Durand" in history
    body = api.get(f"/audits/{audit.id}", user=people.manager).json
    assert body["decision"]["committee_date"] == "2026-11-20"
    assert body["decision"]["committee_members"] == names
    db.session.expire_all()
    report = report_content(audit)
    assert report.committee == "Comité du 20 novembre 2026 · Membres présents : " + ", ".join(names)
    html = client.get(f"/audits/{audit.id}/rapport").get_data(as_text=True)
    assert "Comité du 20 novembre 2026" in html


def test_the_page_refuses_a_decision_without_members_or_in_the_future(client, people, audit_in):
    audit = audit_in(S.committee, level=3)
    sign_in(client, people.manager)
    missing = _decide_on_the_page(client, audit, committee_members="  \n ")
    assert missing.status_code == 422
    assert "Membres présents" in missing.get_data(as_text=True)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = _decide_on_the_page(client, audit, committee_date=tomorrow)
    assert future.status_code == 422
    assert "Le comité ne peut pas siéger après aujourd" in future.get_data(as_text=True)
    db.session.expire_all()
    assert audit.status == S.committee and audit.decisions == []


def test_the_api_takes_the_committee_fields_and_keeps_its_old_body(api, people, audit_in):
    audit = audit_in(S.committee, level=3)
    path = f"/audits/{audit.id}/transitions"
    decide = {"action": "decide", "outcome": "approved", "motivation": "Conforme."}
    future = (date.today() + timedelta(days=3)).isoformat()
    refused = api.post(path, user=people.manager, json={**decide, "committee_date": future})
    assert refused.status_code == 422 and "committee_date" in refused.json["errors"]
    wrong = api.post(
        path, user=people.manager, json={"action": "admit", "committee_members": ["X"]}
    )
    assert wrong.status_code == 422
    response = api.post(
        path,
        user=people.manager,
        json={**decide, "committee_date": "2026-11-30", "committee_members": ["Claire Martin"]},
    )
    assert response.status_code == 200
    assert response.json["decision"]["committee_date"] == "2026-11-30"
    assert response.json["decision"]["committee_members"] == ["Claire Martin"]
    # The contract's body without the new fields still decides: the committee sat today.
    other = audit_in(S.committee, level=3)
    response = api.post(f"/audits/{other.id}/transitions", user=people.manager, json=decide)
    assert response.status_code == 200
    assert response.json["decision"]["committee_date"] == date.today().isoformat()
    assert response.json["decision"]["committee_members"] == []


def test_a_decision_from_the_operations_defaults_to_today(people, audit_in):
    audit = audit_in(S.committee, level=3)
    operations.decide_audit(people.manager, audit, S.approved, "Conforme.")
    assert audit.latest_decision.committee_date == date.today()
    assert audit.latest_decision.committee_members == []
