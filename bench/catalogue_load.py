"""Load test of the public catalogue at 10,000 approved solutions, against a baseline.

    .venv/bin/python -m bench.catalogue_load                 # SQLite, then PostgreSQL
    .venv/bin/python -m bench.catalogue_load --db sqlite --duration 5 --rounds 3

For each database: seeds a fresh database with N approved solutions (SQLite file under
instance/bench/, PostgreSQL database ``test_catalogue_bench``, created if missing), indexes
them with ``rebuild_catalogue()``, starts gunicorn (2 sync workers, 127.0.0.1, a free port)
for the application and for ``bench/baseline_app.py`` (bare Flask + SQLAlchemy, 25 rows of
the same table, LIKE filter, pagination), and drives each target with ``wrk`` (16
connections, keep-alive) in turns, several rounds of a fixed duration (the machine may be
shared: each round is compared with the baseline's round). The URLs rotate over the same
words and pages for all targets (a wrk Lua script). The application is measured twice: as it runs
(whole answers, facet counts and totals kept under the catalogue's state) and with its
caches off (``CATALOGUE_CACHE_SIZE=0``: every request searches and counts its facets, the
worst case).
Prints requests/s, p50 and p99 and the ratios to the baseline.
Targets (issue #5): ratio >= 0.6 and p99 < 50 ms.

Needs ``wrk`` (``apt-get install wrk``). Not run by CI.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import median
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "test_catalogue_bench"

#: searched words: one broad (in most descriptions), the others as selective as real ones
WORDS = ["eleve", "calcul", "lecture", "geographie", "anglais", "programmation", "musique"]
WORDS += ["fractions", "robotique", "poesie", "climat", "grammaire"]
LEVELS = ["cycle1", "cycle2", "cycle3", "cycle4", "lycee-general", "lycee-professionnel"]
#: subject → vocabulary of the solutions on that subject
TOPICS = {
    "francais": ["lecture", "écriture", "orthographe", "grammaire", "conjugaison", "poésie"],
    "mathematiques": ["calcul", "géométrie", "fractions", "numération", "algèbre", "problèmes"],
    "histoire-geographie": ["histoire", "géographie", "cartes", "frise", "patrimoine"],
    "sciences": ["expériences", "vivant", "matière", "énergie", "astronomie", "climat"],
    "langues-vivantes": ["anglais", "espagnol", "allemand", "prononciation", "oral"],
    "nsi": ["programmation", "algorithmique", "Python", "données", "réseaux"],
    "technologie": ["robotique", "codage", "objets", "conception", "maquettes"],
    "education-musicale": ["musique", "chant", "rythme", "composition", "écoute"],
    "svt": ["biologie", "écosystèmes", "corps", "géologie", "évolution"],
    "physique-chimie": ["mécanique", "électricité", "chimie", "optique", "mesures"],
}
ADJECTIVES = ["Facile", "Malin", "Plus", "Express", "Créatif", "Numérique", "Ludique", "Pro"]
GENERIC = [
    "Chaque élève progresse à son rythme, avec un suivi pour l'enseignant.",
    "Des retours immédiats et une différenciation simple en classe.",
    "Utilisable en classe entière, en groupe ou à la maison.",
    "Un tableau de bord montre la progression de la classe.",
]


def _texts(n: int) -> dict:
    subjects = random.sample(sorted(TOPICS), random.choice([1, 1, 2]))
    words = [w for subject in subjects for w in TOPICS[subject]]
    a, b, c = random.sample(words, 3) if len(words) >= 3 else (words * 3)[:3]
    return {
        "name": f"{a.capitalize()} {random.choice(ADJECTIVES)} {n}",
        "summary": f"Pour travailler {b} et {c}, du primaire au lycée.",
        "description": f"Activités de {a}, {b} et {c}. " + " ".join(random.sample(GENERIC, 2)),
        "subjects": subjects,
    }


# --- seeding -------------------------------------------------------------------------


def seed(database_url: str, solutions: int) -> None:
    """A fresh schema (the migrations) and ``solutions`` approved solutions, indexed."""
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from accelerator import create_app
    from accelerator.accounts.models import Organization
    from accelerator.audits.models import Audit, Decision, Pricing, Solution
    from accelerator.audits.states import AuditStatus
    from accelerator.catalogue.operations import rebuild_catalogue
    from accelerator.criteria.models import Domain, Framework, FrameworkVersion, VersionStatus
    from accelerator.extensions import db

    app = create_app("production", SECRET_KEY="bench", SQLALCHEMY_DATABASE_URI=database_url)
    random.seed(42)
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        now = datetime.now(UTC)
        framework = Framework(code="cadre", name="Cadre de confiance")
        version = FrameworkVersion(
            framework=framework,
            version="2026.1",
            label="Cadre de confiance 2026.1",
            status=VersionStatus.published,
            thresholds={"approve": 75, "approve_with_conditions": 55},
            published_at=now,
        )
        domains = [
            ("RGPD", "Données personnelles"),
            ("PEDA", "Pédagogie"),
            ("ACCE", "Accessibilité"),
        ]
        for position, (code, name) in enumerate(domains):
            db.session.add(Domain(version=version, code=code, name=name, position=position))
        db.session.add(version)
        db.session.flush()
        organizations = [
            {"name": f"Éditions {random.choice(ADJECTIVES)} {n}", "siren": None, "country": "FR"}
            for n in range(1000)
        ]
        db.session.execute(insert(Organization), organizations)
        org_ids = list(db.session.scalars(db.select(Organization.id)))
        rows = []
        for n in range(solutions):
            rows.append(
                {
                    **_texts(n),
                    "organization_id": random.choice(org_ids),
                    "slug": f"solution-{n}",
                    "website": f"https://solution-{n}.example.fr",
                    "levels": random.sample(LEVELS, random.randint(1, 3)),
                    "gar_compatible": random.random() < 0.5,
                    "pricing": random.choice(list(Pricing)),
                }
            )
        db.session.execute(insert(Solution), rows)
        solution_ids = list(db.session.scalars(db.select(Solution.id).order_by(Solution.id)))
        audits = []
        for n, solution_id in enumerate(solution_ids):
            decided = now - timedelta(days=random.randint(1, 600))
            audits.append(
                {
                    "solution_id": solution_id,
                    "framework_version_id": version.id,
                    "status": random.choice(
                        [AuditStatus.approved, AuditStatus.approved_with_conditions]
                    ),
                    "decided_at": decided,
                    "valid_until": date.today() + timedelta(days=random.randint(30, 700)),
                    "verification_code": f"{n:016x}",
                }
            )
        db.session.execute(insert(Audit), audits)
        decisions = []
        for audit_id, status, decided in db.session.execute(
            db.select(Audit.id, Audit.status, Audit.decided_at)
        ):
            scores = {code: round(random.uniform(55, 100), 1) for code, _ in domains}
            decisions.append(
                {
                    "audit_id": audit_id,
                    "outcome": status,
                    "motivation": "Motivation du comité.",
                    "overall_score": round(sum(scores.values()) / len(scores), 1),
                    "domain_scores": scores,
                    "recommendation": "approve",
                    "decided_at": decided,
                }
            )
        db.session.execute(insert(Decision), decisions)
        db.session.commit()
        started = time.perf_counter()
        count = rebuild_catalogue()
        db.session.commit()
        print(
            f"  seeded {count} approved solutions, indexed in {time.perf_counter() - started:.1f} s"
        )
        db.engine.dispose()


def database_urls(which: str) -> list[tuple[str, str]]:
    urls = []
    if which in ("sqlite", "both"):
        path = ROOT / "instance" / "bench" / "catalogue.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        urls.append(("SQLite", f"sqlite:///{path}"))
    if which in ("postgresql", "both"):
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        urls.append(("PostgreSQL", f"{base}/{PG_DATABASE}"))
    return urls


# --- servers and load ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    target: str, database_url: str, extra_env: dict | None = None
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        **(extra_env or {}),
        "APP_ENV": "production",
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-k", "sync"]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz-bench", timeout=1)
        except urllib.error.HTTPError:
            return process, port  # the server answers (a 404 is fine)
        except OSError:
            time.sleep(0.2)
            continue
        return process, port
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


def paths(kind: str) -> list[str]:
    """The rotated URLs: the same words and pages for every target (25 rows a page)."""
    result = []
    for word in WORDS:
        for page in (1, 2):
            if kind == "baseline":
                result.append(f"/?q={quote(word)}&page={page}")
            elif kind == "api":
                result.append(f"/api/v1/catalogue?q={quote(word)}&page={page}&per_page=25")
            else:
                result.append(f"/catalogue?q={quote(word)}&page={page}&per_page=25")
    return result


LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Language"] = "fr"})
end
"""


def run_wrk(port: int, kind: str, duration: int, connections: int) -> dict:
    urls = paths(kind)
    for url in urls[:3]:  # warm up (and check) a few URLs
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=10) as response:
            assert response.status == 200, (url, response.status)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ", ".join(f'"{url}"' for url in urls))
    try:
        output = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
            + ["-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def bench(label: str, database_url: str, args) -> list[tuple]:
    print(f"{label}: seeding {args.solutions} solutions ...")
    seed(database_url, args.solutions)
    targets = (
        ("baseline (bare Flask, LIKE)", "baseline", "baseline"),
        ("catalogue page /catalogue", "app", "page"),
        ("catalogue API /api/v1/catalogue", "app", "api"),
        # every request counts its facets again: the worst case, searches nobody made yet
        ("page, caches off", "cold", "page"),
        ("API, caches off", "cold", "api"),
    )
    servers = {
        "baseline": start_gunicorn("bench.baseline_app:app", database_url),
        "app": start_gunicorn("wsgi:app", database_url),
        "cold": start_gunicorn("wsgi:app", database_url, {"CATALOGUE_CACHE_SIZE": "0"}),
    }
    # The machine is shared: targets take turns, round after round, and each round's
    # figures are compared with the baseline's in the same round (medians reported).
    rounds: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
    try:
        for _ in range(args.rounds):
            for name, server, kind in targets:
                port = servers[server][1]
                rounds[name].append(run_wrk(port, kind, args.duration, args.connections))
    finally:
        for process, _ in servers.values():
            stop(process)
    baseline = rounds[targets[0][0]]
    print(
        f"\n{label}, {args.solutions} approved solutions, gunicorn 2 sync workers, "
        f"{args.connections} connections, {args.rounds} rounds of {args.duration} s (medians)"
    )
    print(f"  {'target':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  errors")
    results = []
    for name, _, _ in targets:
        figures = rounds[name]
        ratio = median(f["rps"] / b["rps"] for f, b in zip(figures, baseline, strict=True))
        summary = {key: median(f[key] for f in figures) for key in ("rps", "p50", "p99")} | {
            "ratio": ratio,
            "errors": sum(f["errors"] for f in figures),
        }
        results.append((name, summary))
        print(
            f"  {name:34} {summary['rps']:8.1f} {summary['p50']:8.1f} {summary['p99']:8.1f}"
            f" {ratio:6.2f}  {summary['errors']}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--solutions", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    for label, url in database_urls(args.db):
        bench(label, url, args)


if __name__ == "__main__":
    main()
