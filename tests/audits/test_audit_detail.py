"""What ``GET /audits/{id}`` shows to each caller."""

from __future__ import annotations

from accelerator.audits.states import AuditStatus

S = AuditStatus


def test_history_items_follow_the_contract(api, people, audit_in):
    audit = audit_in(S.approved)
    body = api.get(f"/audits/{audit.id}", user=people.company).json
    transitions = [e for e in body["history"] if e["action"] != "create"]
    assert [e["action"] for e in transitions] == [
        "submit",
        "admit",
        "send_to_committee",
        "decide",
    ]
    for event in body["history"]:
        assert set(event) == {"action", "from", "to", "by", "at", "comment"}
    decide = transitions[-1]
    assert (decide["from"], decide["to"]) == ("committee", "approved")
    assert decide["by"]["id"] == people.manager.id
    assert body["solution"]["id"] == audit.solution_id
    assert body["framework_version_id"] == audit.framework_version_id
    assert body["decision"]["outcome"] == "approved"
    assert body["actions"] == []  # nothing the company can do on an approval
    assert "consolidations" not in body


def test_staff_read_the_whole_history_with_details(api, people, audit_in):
    audit = audit_in(S.committee, level=3)  # both experts give 3 everywhere
    body = api.get(f"/audits/{audit.id}", user=people.manager).json
    actions = [e["action"] for e in body["history"]]
    # The levels of the blind first pass are drafts until it is finished: one row per
    # expert then, holding every level; no row per level saved.
    assert actions.count("score") == 0 and actions.count("assignment") == 2
    assert actions.count("scoring_complete") == 2
    passes = [e for e in body["history"] if e["action"] == "scoring_complete"]
    assert all(
        p["data"]["levels"] == {"RGPD-01": 3, "RGPD-02": 3, "PEDA-01": 3, "PEDA-02": 3}
        for p in passes
    )
    assert body["actions"] == ["decide"]
    assert len(body["assignments"]) == 2 and body["consolidations"] == []


def test_available_actions_follow_the_caller(api, people, audit_in):
    audit = audit_in(S.in_review)
    path = f"/audits/{audit.id}"
    assert api.get(path, user=people.company).json["actions"] == ["withdraw"]
    assert api.get(path, user=people.experts[0]).json["actions"] == ["request_info"]
    assert api.get(path, user=people.manager).json["actions"] == [
        "request_info",
        "send_to_committee",
    ]
    assert api.get(path, user=people.admin).json["actions"] == []
