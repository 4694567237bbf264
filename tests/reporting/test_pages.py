"""The dashboard, its exports and the indicators API: managers and admins only; exports hold
exactly what the page shows."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from accelerator.accounts.models import Role
from accelerator.reporting import tables
from accelerator.reporting.periods import Period
from tests.factories import make_user
from tests.reporting.helpers import enrol, session_on, set_target, teacher

QUERY = "from=2026-09-01&to=2027-08-31"
PERIOD = Period(date(2026, 9, 1), date(2027, 8, 31))
PAGES = (
    f"/pilotage/indicateurs?{QUERY}",
    f"/pilotage/indicateurs/by_academy.csv?{QUERY}",
    f"/pilotage/indicateurs/tableaux.xlsx?{QUERY}",
    f"/pilotage/indicateurs/rapport.pdf?{QUERY}",
)


@pytest.fixture
def data():
    set_target("teachers_trained", 100_000, date(2025, 9, 1), date(2027, 8, 31))
    session = session_on(date(2026, 10, 1), academy="lyon")
    enrol(session, teacher("lyon"), completed=True, rating=5)
    enrol(session, teacher("paris"), attended=True, rating=3)
    enrol(session_on(date(2027, 2, 1)), teacher("nice"), completed=True)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.manager, 200),
        (Role.admin, 200),
        (Role.trainer, 403),
        (Role.expert, 403),
        (Role.company, 403),
        (Role.teacher, 403),
    ],
)
def test_only_managers_and_admins_reach_the_dashboard_and_exports(
    client, login_as, role, status, path
):
    login_as(make_user(role))
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.manager, 200), (Role.admin, 200), (Role.trainer, 403), (Role.teacher, 403), (None, 401)],
)
def test_indicators_api_access(api, role, status):
    user = make_user(role) if role else None
    assert api.get(f"/indicators?{QUERY}", user).status_code == status


def test_indicators_api_answers_the_contract_codes(api, data):
    response = api.get(f"/indicators?{QUERY}&academy=lyon", make_user(Role.manager))
    assert response.status_code == 200
    items = {item["code"]: item for item in response.get_json()["items"]}
    for code in (
        "teachers_trained", "trainings_completed_rate", "satisfaction_rate",
        "reinvestment_points", "certified_teachers", "new_teachers_trained_rate",
        "teachers_reached_rate", "academies_partnership_rate", "paf_actions",
        "audits_submitted", "audits_in_review", "audits_decided", "approval_rate",
        "median_days_to_decision", "approvals_expiring_90d", "expert_agreement_rate",
    ):  # fmt: skip
        item = items[code]
        assert set(item) >= {
            "code",
            "label",
            "definition",
            "value",
            "target",
            "unit",
            "status",
            "trend",
        }
        assert item["status"] in ("on_track", "at_risk", "late", "no_target")
    assert items["teachers_trained"]["value"] == 1  # the teacher of Lyon
    assert items["teachers_trained"]["target"] == 100_000
    assert items["satisfaction_rate"]["value"] == 50.0  # the session in Lyon
    assert items["teachers_trained"]["trend"][1] == {"month": "2026-10", "value": 1}


@pytest.mark.parametrize(
    "query",
    ["from=2026-13-01", "to=yesterday", "academy=atlantis", "from=2027-01-01&to=2026-01-01"],
)
def test_bad_filters_answer_422_with_the_field(api, query):
    response = api.get(f"/indicators?{query}", make_user(Role.manager))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"]


def test_bad_filters_on_the_page_are_shown_on_the_form(client, login_as):
    login_as(make_user(Role.manager))
    response = client.get("/pilotage/indicateurs?from=2026-13-01")
    assert response.status_code == 422
    assert "fr-error-text" in response.get_data(as_text=True)


def test_filters_stay_in_the_export_links(client, login_as, data):
    login_as(make_user(Role.manager))
    page = client.get(f"/pilotage/indicateurs?{QUERY}&academy=lyon").get_data(as_text=True)
    assert "tableaux.xlsx?from=2026-09-01&amp;to=2027-08-31&amp;academy=lyon" in page


def _csv(client, key: str) -> list[list[str]]:
    response = client.get(f"/pilotage/indicateurs/{key}.csv?{QUERY}")
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _page_rows(html: str, key: str) -> list[list[str]]:
    """The cells of the page's table ``key`` (header and body), as text."""
    import re

    start = html.index(f'id="table-{key}"')
    block = html[start : html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", block, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"\s+", " ", c).strip() for c in cells])
    return rows


@pytest.mark.parametrize("key", ["indicators", "progress", "by_academy", "funnel"])
def test_csv_export_holds_the_rows_of_the_page(client, login_as, data, key):
    login_as(make_user(Role.manager))
    html = client.get(f"/pilotage/indicateurs?{QUERY}").get_data(as_text=True)
    import html as html_module

    shown = [
        [html_module.unescape(c).replace("\u202f", " ").replace("\xa0", " ") for c in row]
        for row in _page_rows(html, key)
    ]
    exported = _csv(client, key)
    assert len(shown) == len(exported)

    def same(cell: str) -> str:  # the page groups thousands; Excel reads "100000"
        return "" if cell == "—" else cell.replace(" ", "")

    for page_row, csv_row in zip(shown, exported, strict=True):
        assert [same(c) for c in page_row] == [same(c) for c in csv_row]


def test_xlsx_export_holds_every_table_with_numbers(client, login_as, data, app):
    login_as(make_user(Role.manager))
    response = client.get(f"/pilotage/indicateurs/tableaux.xlsx?{QUERY}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    board = tables.dashboard(PERIOD)
    assert book.sheetnames == list(board.tables)
    for key, table in board.tables.items():
        rows = [list(r) for r in book[key].iter_rows(values_only=True)]
        assert rows[0] == table.columns
        assert rows[1:] == table.rows


def test_pdf_report_is_a_pdf(client, login_as, data):
    login_as(make_user(Role.admin))
    response = client.get(f"/pilotage/indicateurs/rapport.pdf?{QUERY}")
    assert response.status_code == 200
    assert response.get_data().startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_unknown_table_is_404(client, login_as):
    login_as(make_user(Role.manager))
    assert client.get(f"/pilotage/indicateurs/nothing.csv?{QUERY}").status_code == 404


def test_pdf_report_embeds_its_only_font(client, login_as, data):
    login_as(make_user(Role.admin))
    pdf = client.get(f"/pilotage/indicateurs/rapport.pdf?{QUERY}").get_data()
    # every text, charts included, in the embedded font; no standard font left to the reader
    assert b"/FontFile2" in pdf and b"/Helvetica" not in pdf
    assert b"/Lang (fr)" in pdf
