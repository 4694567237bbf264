"""The attendance table follows the DSFR: each box is a fr-checkbox-group inside its own cell,
with a visible label beside it ("Présent", "Formation achevée") and the teacher's name for
screen readers, the teacher's name heading its row; the table keeps to five columns, the email
under the name, so that it reflows at 320 px."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from accelerator.accounts.models import Role
from accelerator.training.models import EnrollmentStatus
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session, make_teacher

VOID = {"input", "br", "img", "meta", "link", "hr"}


class AttendanceTable(HTMLParser):
    """The checkboxes of the attendance table, the elements around each, and the labels'
    visible and screen-reader texts."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.inside = False
        self.boxes: dict[str, list[tuple[str, str]]] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.row_headers: list[str] = []
        self.column_headers: list[str] = []
        self._label: str | None = None
        self._text: list[tuple[bool, str]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "app-attendance" in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("type") == "checkbox":
            self.boxes[attrs["id"]] = [(t, a.get("class") or "") for t, a in self.stack]
        if tag == "label":
            self._label, self._text = attrs.get("for"), []
        if tag == "th":
            self._cell, self._text = attrs.get("scope"), []
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if not self.inside or tag in VOID:
            return
        opened, attrs = self.stack.pop()
        if tag == "label" and self._label:
            visible = "".join(t for hidden, t in self._text if not hidden).strip()
            hidden = "".join(t for hidden, t in self._text if hidden).strip()
            self.labels[self._label] = {"visible": visible, "sr_only": hidden}
            self._label = None
        if tag == "th":
            text = " ".join(t.strip() for _, t in self._text if t.strip())
            (self.row_headers if self._cell == "row" else self.column_headers).append(text)
            self._cell = None
        if tag == "div" and "app-attendance" in (attrs.get("class") or ""):
            self.inside = False

    def handle_data(self, data):
        if self._label or self._cell:
            hidden = any("fr-sr-only" in (a.get("class") or "") for _, a in self.stack)
            self._text.append((hidden, data))


def _table(client, session) -> AttendanceTable:
    parser = AttendanceTable()
    parser.feed(client.get(f"/formations/{session.id}").get_data(as_text=True))
    return parser


def test_each_box_sits_in_its_cell_in_a_dsfr_checkbox_group(client, login_as):
    session = make_session(starts_in=-timedelta(hours=2))
    enrollment = add_enrollment(session, teacher=make_teacher(first_name="Ada", last_name="Byron"))
    login_as(make_user(Role.trainer))
    table = _table(client, session)
    assert set(table.boxes) == {f"present-{enrollment.id}", f"completed-{enrollment.id}"}
    for around in table.boxes.values():
        (tag, classes), (cell, _) = around[-1], around[-2]
        assert tag == "div" and "fr-checkbox-group" in classes.split()
        assert cell == "td"


def test_each_box_has_a_visible_label_and_the_teachers_name(client, login_as):
    session = make_session(starts_in=-timedelta(hours=2))
    enrollment = add_enrollment(session, teacher=make_teacher(first_name="Ada", last_name="Byron"))
    login_as(make_user(Role.trainer))
    labels = _table(client, session).labels
    assert labels[f"present-{enrollment.id}"] == {"visible": "Présent", "sr_only": "— Ada Byron"}
    assert labels[f"completed-{enrollment.id}"]["visible"] == "Formation achevée"
    assert labels[f"completed-{enrollment.id}"]["sr_only"] == "— Ada Byron"


def test_the_teacher_heads_the_row_and_the_table_has_five_columns(client, login_as):
    session = make_session(starts_in=-timedelta(hours=2))
    teacher = make_teacher(first_name="Ada", last_name="Byron")
    add_enrollment(session, teacher=teacher)
    add_enrollment(session, status=EnrollmentStatus.waitlisted)
    login_as(make_user(Role.trainer))
    table = _table(client, session)
    assert len(table.column_headers) == 5
    assert table.row_headers[0] == f"Ada Byron {teacher.email}"
    assert len(table.boxes) == 2  # the waiting teacher has no box: no place, no attendance


def test_the_boxes_wait_for_the_session_to_start(client, login_as):
    session = make_session(starts_in=timedelta(days=2))
    enrollment = add_enrollment(session)
    login_as(make_user(Role.manager))
    html = client.get(f"/formations/{session.id}").get_data(as_text=True)
    tag = html[html.index(f'id="present-{enrollment.id}"') :].split(">", 1)[0]
    assert "disabled" in tag


def test_the_labels_keep_to_one_line_in_the_stylesheet():
    """The rule the table's class relies on (a label wrapping letter by letter pushed the box
    over the row's border)."""
    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    rule = css[css.index(".app-attendance .fr-checkbox-group .fr-label") :].split("}", 1)[0]
    assert "white-space: nowrap" in rule


def test_at_320_px_the_table_scrolls_in_a_named_region_the_keyboard_reaches(client, login_as):
    """Wider than a phone, the table scrolls inside its own container: the container takes
    the keyboard's focus (arrows scroll it) and names itself for screen readers."""
    session = make_session(starts_in=-timedelta(hours=2))
    add_enrollment(session, teacher=make_teacher(first_name="Ada", last_name="Byron"))
    login_as(make_user(Role.trainer))
    html = client.get(f"/formations/{session.id}").get_data(as_text=True)
    block = html[html.index('id="attendance"') :].split("<table", 1)[0]
    container = block[block.index('class="fr-table__container"') :].split(">", 1)[0]
    assert 'tabindex="0"' in container and 'role="region"' in container
    assert 'aria-label="Présences des enseignants inscrits"' in container
