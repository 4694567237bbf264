"""Sign-in and password-reset times for known and unknown addresses, with scrypt.

The service must not tell which addresses have an account by how long it takes. Each round
posts, in turn, a wrong password for a known address, any password for an unknown address,
and a reset request for each, through the whole application (test client, SQLite in
memory, rate limits off). The baseline, measured in the same rounds, is one bare
``check_password_hash`` of a scrypt hash: the least a sign-in must do. Figures are medians.

    .venv/bin/python bench/credential_timing.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.pool import StaticPool  # noqa: E402
from werkzeug.security import check_password_hash, generate_password_hash  # noqa: E402

from accelerator import create_app  # noqa: E402
from accelerator.extensions import db  # noqa: E402


def build_app():
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SQLALCHEMY_ENGINE_OPTIONS={
            "poolclass": StaticPool,
            "connect_args": {"check_same_thread": False},
        },
        PASSWORD_HASH_METHOD="scrypt",
        RATELIMIT_ENABLED=False,
        WTF_CSRF_ENABLED=False,
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from accelerator.accounts.models import Role, User
        from accelerator.accounts.operations import hash_password

        db.session.add(
            User(
                email="known@exemple.fr",
                full_name="Known",
                role=Role.company,
                password_hash=hash_password("the right password"),
            )
        )
        db.session.commit()
    return app


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    app = build_app()
    client = app.test_client()
    reference = generate_password_hash("the right password", method="scrypt")

    def login(email):
        return lambda: client.post("/connexion", data={"email": email, "password": "wrong" * 3})

    def reset(email):
        return lambda: client.post("/mot-de-passe-oublie", data={"email": email})

    cases = {
        "baseline: one scrypt check": lambda: check_password_hash(reference, "wrong" * 3),
        "sign-in, known address": login("known@exemple.fr"),
        "sign-in, unknown address": login("unknown@exemple.fr"),
        "reset, known address": reset("known@exemple.fr"),
        "reset, unknown address": reset("unknown@exemple.fr"),
    }
    for case in cases.values():  # warm up (the dummy hash, templates, statements)
        case()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):  # interleaved, so machine load hits every case alike
        for name, case in cases.items():
            times[name].append(timed(case))
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    base = medians["baseline: one scrypt check"]
    for name, value in medians.items():
        print(f"{name:32} {value:8.1f} ms  ({value / base:4.2f}x the baseline)")
    for kind in ("sign-in", "reset"):
        ratio = medians[f"{kind}, unknown address"] / medians[f"{kind}, known address"]
        print(f"{kind}: unknown / known = {ratio:.2f}")


if __name__ == "__main__":
    main()
