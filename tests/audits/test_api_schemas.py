"""The audits API answers what its OpenAPI document says (the schemas the handlers dump)."""

from __future__ import annotations

import pytest

from accelerator.audits.states import AuditStatus

S = AuditStatus


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def _properties(spec, path: str, status: str = "200", method: str = "get") -> set[str]:
    answer = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
    name = answer["schema"]["$ref"].rsplit("/", 1)[1]
    return set(spec["components"]["schemas"][name]["properties"])


@pytest.mark.parametrize(
    ("reader", "left_out"),
    [
        # the company reads final levels, never the settled levels of the review
        ("company", {"consolidations"}),
        # those who read the results read the settled levels, not the company's view
        ("manager", {"final_levels"}),
    ],
)
def test_an_audit_is_answered_as_documented(api, spec, people, audit_in, reader, left_out):
    audit = audit_in(S.approved)
    body = api.get(f"/audits/{audit.id}", user=getattr(people, reader)).json
    assert set(body) == _properties(spec, "/audits/{audit_id}") - left_out
    history = body["history"][0]
    event_fields = set(spec["components"]["schemas"]["EventOut"]["properties"])
    assert set(history) == (event_fields - {"data"} if reader == "company" else event_fields)


def test_a_result_is_answered_as_documented(api, spec, people, audit_in):
    audit = audit_in(S.committee)
    body = api.get(f"/audits/{audit.id}/result", user=people.manager).json
    assert set(body) == _properties(spec, "/audits/{audit_id}/result")


def test_the_report_is_documented_as_a_pdf_for_whoever_reads_the_result(spec):
    report = spec["paths"]["/audits/{audit_id}/report.pdf"]["get"]
    assert "application/pdf" in report["responses"]["200"]["content"]
    assert {"401", "403", "404"} <= set(report["responses"])
