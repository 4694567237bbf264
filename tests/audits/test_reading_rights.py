"""Who may read what about an audit, asked the same way by the page, the API and the PDF.

The rules, in words:
- people outside the audit (another company, an expert not assigned) get 404 everywhere;
  teachers and trainers, whose role never reads audits, get 403;
- managers and admins read the audit, its result and its report in every state;
- the company reads its audit always, the result and the report once the committee decided;
- an assigned expert reads the audit always, the result and the report only once their own
  blind first pass is finished: until then the others' levels stay hidden (blind scoring).
"""

from __future__ import annotations

import pytest

from accelerator.audits import operations
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.factories import PASSWORD

S = AuditStatus

#: state → (experts assigned, experts who finished their first pass, committee decided).
#: In review, the fixture makes the first expert finish and leaves the second one blind.
FACTS = {
    S.draft: (False, set(), False),
    S.submitted: (False, set(), False),
    S.withdrawn: (False, set(), False),
    S.inadmissible: (False, set(), False),
    S.in_review: (True, {0}, False),
    S.info_requested: (True, set(), False),
    S.committee: (True, {0, 1}, False),
    S.approved: (True, {0, 1}, True),
    S.approved_with_conditions: (True, {0, 1}, True),
    S.rejected: (True, {0, 1}, True),
    S.appealed: (True, {0, 1}, True),
    S.suspended: (True, {0, 1}, True),
}
READERS = (
    "company",
    "other_company",
    "manager",
    "admin",
    "expert_0",
    "expert_1",
    "other_expert",
    "teacher",
    "trainer",
)


def expected(reader: str, state: AuditStatus) -> tuple[int, int]:
    """(the audit itself, its result and report) as HTTP codes, from the rules above."""
    assigned, finished, decided = FACTS[state]
    if reader in ("teacher", "trainer"):
        return 403, 403
    if reader in ("other_company", "other_expert"):
        return 404, 404
    if reader in ("manager", "admin"):
        return 200, 200
    if reader == "company":
        return 200, 200 if decided else 403
    index = int(reader[-1])
    if not assigned:
        return 404, 404
    return 200, 200 if index in finished else 403


def _user(people, reader: str):
    if reader.startswith("expert_"):
        return people.experts[int(reader[-1])]
    return getattr(people, reader)


def _audit(audit_in, people, state):
    audit = audit_in(state)
    if state == S.in_review:  # the first expert scored everything; they declare it finished
        operations.complete_scoring(people.experts[0], audit)
        db.session.commit()
    return audit


def _page_client(app, user):
    client = app.test_client()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_blind_expert_gets_neither_the_result_nor_the_report(app, api, people, audit_in):
    """In review, the first expert scored every criterion with justifications; the second
    expert has not finished: the report would show them the first one's levels."""
    audit = audit_in(S.in_review)
    blind = people.experts[1]
    assert api.get(f"/audits/{audit.id}/result", user=blind).status_code == 403
    assert api.get(f"/audits/{audit.id}/report.pdf", user=blind).status_code == 403
    page = _page_client(app, blind)
    assert page.get(f"/audits/{audit.id}/rapport.pdf").status_code == 403
    html = page.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "rapport.pdf" not in html
    assert "Appréciation fondée sur les pièces." not in html


@pytest.mark.parametrize("state", list(FACTS))
def test_who_reads_what_in_each_state(app, api, people, audit_in, state):
    audit = _audit(audit_in, people, state)
    for reader in READERS:
        user = _user(people, reader)
        page_code, results_code = expected(reader, state)
        seen = {
            "api audit": api.get(f"/audits/{audit.id}", user=user).status_code,
            "api result": api.get(f"/audits/{audit.id}/result", user=user).status_code,
            "api report": api.get(f"/audits/{audit.id}/report.pdf", user=user).status_code,
        }
        page = _page_client(app, user)
        response = page.get(f"/audits/{audit.id}")
        seen["page"] = response.status_code
        seen["page report"] = page.get(f"/audits/{audit.id}/rapport.pdf").status_code
        wanted = {
            "api audit": page_code,
            "api result": results_code,
            "api report": results_code,
            "page": page_code,
            "page report": results_code,
        }
        assert seen == wanted, reader
        if page_code == 200:
            html = response.get_data(as_text=True)
            # the page links to the report and shows the result exactly when they open
            assert ("rapport.pdf" in html) == (results_code == 200), reader
            assert ('id="result-title"' in html) == (results_code == 200), reader


@pytest.mark.parametrize("state", [S.in_review, S.committee, S.approved])
def test_individual_levels_in_the_api_follow_the_blind(api, people, audit_in, state):
    """Managers read every expert's levels; an expert their own, and the others' once their
    first pass is finished; the company never reads individual levels."""
    audit = _audit(audit_in, people, state)
    first, second = people.experts
    _, finished, _ = FACTS[state]

    def experts_seen(user) -> set[int]:
        body = api.get(f"/audits/{audit.id}", user=user).get_json()
        return {score["expert_id"] for score in body["scores"]}

    scored = {first.id} if state == S.in_review else {first.id, second.id}
    assert experts_seen(people.manager) == scored
    assert experts_seen(people.company) == set()
    assert experts_seen(second) == (scored if 1 in finished else scored & {second.id})
    assert experts_seen(first) == scored
