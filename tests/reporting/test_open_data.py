"""Open data of the committee's decisions: public, every decision in force or past, the CSV
described by its Table Schema."""

from __future__ import annotations

import csv
import io
from datetime import date

from accelerator.audits.states import AuditStatus
from tests.reporting.helpers import decided_audit


def test_every_decision_is_public_as_json(client, api):
    approved, _ = decided_audit(date(2026, 1, 5), date(2026, 3, 1))
    decided_audit(date(2026, 2, 5), date(2026, 4, 1), AuditStatus.rejected)
    response = api.get("/open-data/decisions.json")  # no token
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["total"] == 2 and body["license"] == "etalab-2.0"
    first, second = body["items"]
    assert first["solution"] == approved.solution.name
    assert first["company"] == approved.solution.organization.name
    assert first["outcome"] == "approved" and first["decided_at"] == "2026-03-01"
    assert first["valid_until"] == "2028-02-29"
    assert first["domain_scores"] == {"PEDA": 70.0, "RGPD": 90.0}
    assert first["framework_version"]
    assert second["outcome"] == "rejected" and second["valid_until"] is None
    assert second["in_force"] is False


def test_csv_has_the_columns_of_its_schema(api):
    decided_audit(date(2026, 1, 5), date(2026, 3, 1))
    response = api.get("/open-data/decisions.csv")
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    schema = api.get("/open-data/decisions.schema.json").get_json()
    assert list(rows[0]) == [field["name"] for field in schema["fields"]]
    assert rows[0]["score_RGPD"] == "90.0" and rows[0]["outcome"] == "approved"
    assert schema["primaryKey"] == "decision_id"


def test_suspended_approval_is_published_but_not_in_force(api):
    audit, _ = decided_audit(date(2026, 1, 5), date(2026, 3, 1))
    from accelerator.extensions import db

    audit.status = AuditStatus.suspended
    db.session.commit()
    (item,) = api.get("/open-data/decisions.json").get_json()["items"]
    assert item["outcome"] == "approved" and item["in_force"] is False
