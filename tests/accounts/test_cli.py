"""``flask users create`` and ``flask seed-demo``."""

from __future__ import annotations

from sqlalchemy import func, select

from accelerator.accounts.models import Role, User
from accelerator.extensions import db


def test_users_create_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Expert@Canope.fr",
            "--role",
            "expert",
            "--name",
            "Émilie Experte",
        ],
        input="un mot de passe solide\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "expert@canope.fr"))
    assert user.role == Role.expert and user.full_name == "Émilie Experte"


def test_users_create_refuses_a_short_password_and_duplicates(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "m@canope.fr", "--role", "manager", "--name", "Marc"]
    assert runner.invoke(args=args, input="court\n").exit_code != 0
    assert runner.invoke(args=args, input="un mot de passe solide\n").exit_code == 0
    again = runner.invoke(args=args, input="un mot de passe solide\n")
    assert again.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_users_create_refuses_self_registered_roles(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "c@x.fr", "--role", "company", "--name", "C"],
        input="un mot de passe solide\n",
    )
    assert result.exit_code != 0


def test_seed_demo_is_idempotent_and_has_one_account_per_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    roles = set(db.session.scalars(select(User.role)))
    assert roles == set(Role)
    assert db.session.scalar(select(func.count()).select_from(User)) == len(
        set(db.session.scalars(select(User.email)))
    )
    assert "demo-canope-2026" in first.output
