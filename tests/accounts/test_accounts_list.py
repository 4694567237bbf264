"""The admins' accounts list: by name, 50 a page after page (keyset), searched by the start
of a name or of an email, filtered by role, each answered by an index."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import or_, text, tuple_

from accelerator.accounts.models import Role, User
from accelerator.core.db import starts_with
from accelerator.extensions import db
from tests.conftest import IS_POSTGRESQL
from tests.factories import UserFactory, make_user


def names_on(page: str) -> list[str]:
    return re.findall(r"<tr><td>([^<]+)</td><td>", page)


@pytest.fixture
def admin(client, login_as):
    return login_as(make_user(Role.admin, full_name="Zoé Admin", email="zoe.admin@canope.fr"))


def test_the_list_pages_by_name_without_counting(client, admin):
    for n in range(120):
        UserFactory(role=Role.teacher, full_name=f"Enseignant {n:03d}", email=f"e{n}@ac-paris.fr")
    db.session.commit()
    first = client.get("/admin/utilisateurs").get_data(as_text=True)
    assert names_on(first) == [f"Enseignant {n:03d}" for n in range(50)]
    following = re.search(r'href="(/admin/utilisateurs\?after=\d+)"[^>]*>Page suivante', first)
    second = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert names_on(second) == [f"Enseignant {n:03d}" for n in range(50, 100)]
    third_url = re.search(r'href="([^"]+)"[^>]*>Page suivante', second).group(1)
    third = client.get(third_url.replace("&amp;", "&")).get_data(as_text=True)
    assert names_on(third) == [f"Enseignant {n:03d}" for n in range(100, 120)] + ["Zoé Admin"]
    assert 'aria-disabled="true" role="link">Page suivante' in third
    assert re.search(r'href="/admin/utilisateurs">Première page', third)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dupont", ["Dupont Marie", "Dupontel Jean"]),  # the start of the name, any case
        ("DUPONT M", ["Dupont Marie"]),
        ("marie.d", ["Martin Marie"]),  # the start of the email
        ("jean@ac-lyon", ["Dupontel Jean"]),
        ("pont", []),  # not the middle of a word
        ("100%_", []),  # LIKE's wildcards are plain characters
    ],
)
def test_search_by_the_start_of_a_name_or_an_email(client, admin, query, expected):
    UserFactory(role=Role.teacher, full_name="Dupont Marie", email="m.dupont@ac-paris.fr")
    UserFactory(role=Role.teacher, full_name="Dupontel Jean", email="jean@ac-lyon.fr")
    UserFactory(role=Role.expert, full_name="Martin Marie", email="marie.d@canope.fr")
    UserFactory(role=Role.teacher, full_name="100 % Prof", email="cent@ac-paris.fr")
    db.session.commit()
    page = client.get("/admin/utilisateurs", query_string={"q": query})
    assert page.status_code == 200
    assert names_on(page.get_data(as_text=True)) == expected


def test_the_role_filter_and_the_search_together(client, admin):
    UserFactory(role=Role.teacher, full_name="Dupont Marie", email="m.dupont@ac-paris.fr")
    UserFactory(role=Role.expert, full_name="Dupont Paul", email="p.dupont@canope.fr")
    db.session.commit()
    experts = client.get("/admin/utilisateurs", query_string={"role": "expert"})
    assert names_on(experts.get_data(as_text=True)) == ["Dupont Paul"]
    both = client.get("/admin/utilisateurs", query_string={"role": "teacher", "q": "dup"})
    assert names_on(both.get_data(as_text=True)) == ["Dupont Marie"]
    page = both.get_data(as_text=True)
    assert 'value="dup"' in page and '<option selected value="teacher">' in page


@pytest.mark.parametrize(
    "args", [{"role": "pirate"}, {"after": "x"}, {"after": "0"}, {"q": "x" * 300}]
)
def test_bad_filters_answer_400_and_an_unknown_cursor_404(client, admin, args):
    assert client.get("/admin/utilisateurs", query_string=args).status_code == 400
    assert client.get("/admin/utilisateurs?after=999999").status_code == 404


@pytest.mark.parametrize("role", [Role.manager, Role.expert, Role.company, Role.teacher])
def test_only_admins_read_the_list(client, login_as, role):
    login_as(make_user(role))
    assert client.get("/admin/utilisateurs").status_code == 403


@pytest.fixture
def many_accounts(app):
    """500 accounts of varied names and roles, and the database's statistics about them
    (the planner then sees a table, not an empty one)."""
    for n in range(500):
        UserFactory(
            role=Role.teacher if n % 5 else Role.expert,
            full_name=f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[n % 26]}nom {n}",
            email=f"p{n}@ac-paris.fr",
        )
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE user_account"))


def _plan(statement) -> str:
    """The database's plan for ``statement``, with sequential scans refused on PostgreSQL
    (whose planner prefers them on a small table): what it then reads shows which index
    can answer the query."""
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.begin() as connection:
        if IS_POSTGRESQL:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            rows = connection.execute(text(f"EXPLAIN {compiled}")).scalars().all()
        else:
            rows = [r[-1] for r in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    return "\n".join(rows)


@pytest.mark.parametrize(
    ("where", "index"),
    [
        (lambda: starts_with(User.full_name, "dup", fold_case=True), "ix_user_account_name_prefix"),
        (lambda: User.role == Role.teacher, "ix_user_account_role_full_name_id"),
        (
            lambda: tuple_(User.full_name, User.id) > tuple_(db.literal("Dupont"), db.literal(7)),
            "ix_user_account_full_name_id",
        ),
    ],
)
def test_each_filter_is_answered_by_an_index(many_accounts, where, index):
    # The filter alone: on an empty table the planner may prefer walking the name order's
    # index with ORDER BY ... LIMIT; what matters here is that an index answers the filter.
    assert index in _plan(db.select(User.id).where(where()))


def test_the_search_on_both_columns_reads_indexes_only(many_accounts):
    statement = db.select(User.id).where(
        or_(
            starts_with(User.email, "dup"),
            starts_with(User.full_name, "dup", fold_case=True),
        )
    )
    plan = _plan(statement)
    assert "ix_user_account_name_prefix" in plan
    assert ("ix_user_account_email_prefix" if IS_POSTGRESQL else "email") in plan
    assert not re.search(r"^SCAN user_account$", plan, re.M)  # SQLite: no full scan
