"""Load test of the public catalogue's cold search, against a bare full-text baseline.

    .venv/bin/python -m bench.catalogue_load                 # SQLite, then PostgreSQL
    .venv/bin/python -m bench.catalogue_load --db sqlite --solutions 10000,100000
    .venv/bin/python -m bench.catalogue_load --pg-database test_mine --warm

For each database and size: seeds a fresh database with N approved solutions (SQLite
file instance/bench/catalogue-N.sqlite3, PostgreSQL database ``test_catalogue_bench`` or
``--pg-database``, created if missing, its schema dropped; ``--reuse`` keeps a database
already holding N solutions, migrated), indexes them with ``rebuild_catalogue()`` (and
vacuums a PostgreSQL database, as autovacuum would), starts
gunicorn (2 sync workers, 127.0.0.1, a free port) for the application with its caches off
(``CATALOGUE_CACHE_SIZE=0``: every request searches and counts its facets; a third server
also without the shelf of rendered cards, ``CATALOGUE_CARD_SHELF_SIZE=0``) and for
``bench/baseline_app.py``, and drives each with ``wrk`` (16 connections, keep-alive) in
turns, an unmeasured warm-up turn (``--warmup`` seconds) then several rounds of a fixed
duration; each round is compared with the baseline's round
(the machine may be shared), medians reported.

Every request is a random search (a wrk Lua script picks one of ``--searches`` URLs built
from a fixed seed, the same for every target): one or two words or none, subjects, a level,
pricing, GAR, minimum scores; pages 2 and 3 for one word without filters; 20 rows a page.

The baseline (``bench/baseline_app.py``, read its docstring) does the same full-text match
on the same index, the same filters (approval in force included) and the same page: a
count and one page of rows, rendered by a small template: what a search costs when the
database does it. The application answers the same searches (same matches, filters, total
and page; tested equal to its own SQL path) from the index each worker holds in memory
(``catalogue.memory_index``), then reads the page's rows in force from the database; it
also counts the facets, validates, and renders the whole DSFR page (or the API's JSON)
with ETag and cache headers. Its index is not a cache of answers: every search is counted
and ranked anew; the index is built once per worker before the rounds
(``let_the_index_build``), as a long-running worker has it. The page's result cards are
kept rendered under the row each shows (``catalogue.cards``), as the layout's footer is:
what a card shows is read from the database at every search, its HTML made once per
content and language; the row "card shelf off" renders every card anew. So are the
layout's head, banner and menu and the filters' selects (``core.layout_fragments.kept``),
under what each shows: the language, the mount point, the menu's entries, the choices made
(never the answer: the checkboxes' counts, the total and the cards' rows are the search's
own, at every request).

Goals (issue #17): ratio >= 0.8, p99 < 100 ms at 10,000 solutions; at 100,000 at least
half the throughput at 10,000 (``--solutions 10000,100000`` prints the shares).

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
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

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


def seeded(database_url: str, solutions: int) -> bool:
    """Whether the database already holds ``solutions`` entries (``--reuse``); it is then
    migrated to the latest schema and analysed."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM catalogue_entry")).scalar()
    except Exception:  # no such table: a new database
        return False
    finally:
        engine.dispose()
    if count != solutions:
        return False
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from accelerator import create_app

    app = create_app("production", SECRET_KEY="bench", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from accelerator.catalogue.search import analyze
        from accelerator.extensions import db

        analyze()  # the planner's statistics cover indexes a migration added
        db.session.commit()
    vacuum(database_url)
    return True


def vacuum(database_url: str) -> None:
    """PostgreSQL: ``VACUUM ANALYZE``, what autovacuum does soon after a bulk load on a live
    server (this one may run without it). Until then no page is marked all-visible, so no
    ``COUNT(*)`` and no facet pass, of the baseline or of the application, can read an index
    alone: both would be measured on heap reads a live database does not do."""
    if not database_url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def seed(database_url: str, solutions: int) -> None:
    """A fresh schema (the migrations) and ``solutions`` approved solutions, indexed."""
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    if database_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database_url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)

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
    vacuum(database_url)


def database_urls(which: str, pg_database: str = PG_DATABASE) -> list[tuple[str, str]]:
    urls = []
    if which in ("sqlite", "both"):
        path = ROOT / "instance" / "bench" / "catalogue-{size}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        urls.append(("SQLite", f"sqlite:///{path}"))
    if which in ("postgresql", "both"):
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (pg_database,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{pg_database}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        urls.append(("PostgreSQL", f"{base}/{pg_database}"))
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


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def let_the_index_build(process: subprocess.Popen, port: int) -> float:
    """Send each worker a search, then wait until they are idle: in production each
    worker builds its catalogue index in a thread at its first search (searches go by
    SQL meanwhile), so the rounds measure the steady state. Seconds taken."""
    started = time.monotonic()
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            list(
                pool.map(
                    lambda _: urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/catalogue?q=eleve", timeout=300
                    ).read(),
                    range(8),
                )
            )
        pids = [int(pid) for pid in children.read_text().split()]
        before = _cpu_seconds(pids)
        while True:
            time.sleep(1.0)
            now = _cpu_seconds(pids)
            if now - before < 0.05:
                break
            before = now
    return time.monotonic() - started


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a worker still busy with a long search
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


#: the per-domain minimums the random searches may ask for (seeded domains)
DOMAINS = ("RGPD", "PEDA", "ACCE")


def searches(count: int, seed: int = 7) -> list[list[tuple[str, str]]]:
    """``count`` random searches (query-string pairs), the same for every target: one or
    two words (sometimes none), and each filter now and then."""
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        pairs: list[tuple[str, str]] = []
        roll = rng.random()
        if roll < 0.6:
            pairs.append(("q", rng.choice(WORDS)))
        elif roll < 0.9:
            pairs.append(("q", " ".join(rng.sample(WORDS, 2))))
        if rng.random() < 0.4:
            pairs += [("subject", s) for s in rng.sample(sorted(TOPICS), rng.choice([1, 1, 2]))]
        if rng.random() < 0.3:
            pairs.append(("level", rng.choice(LEVELS)))
        if rng.random() < 0.2:
            pairs.append(("pricing", rng.choice(["free", "freemium", "paid"])))
        if rng.random() < 0.2:
            pairs.append(("gar", rng.choice(["true", "false"])))
        if rng.random() < 0.15:
            pairs.append(("min_score", str(rng.choice([60, 70, 80]))))
        if rng.random() < 0.05:
            pairs.append((f"min_{rng.choice(DOMAINS)}", str(rng.choice([60, 70, 80]))))
        # a later page only where one surely exists (one word, no filter): a page past
        # the last answers 404
        if len(pairs) == 1 and pairs[0][0] == "q" and " " not in pairs[0][1]:
            pairs.append(("page", str(rng.choice([1, 2, 3]))))
        result.append(pairs)
    return result


def paths(kind: str, count: int) -> list[str]:
    """The URLs of ``count`` random searches for one target (20 rows a page everywhere)."""
    prefix = {"baseline": "/", "api": "/api/v1/catalogue", "page": "/catalogue"}[kind]
    return [f"{prefix}?{urlencode(pairs)}" for pairs in searches(count)]


# Each connection picks a random search at each request: with caches off and thousands of
# searches, no answer is the repetition of a recent one.
LUA = """
local paths = {%s}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
end
init = function(args)
  math.randomseed(id * 7919)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept-Language"] = "fr"})
end
"""


def run_wrk(port: int, kind: str, duration: int, connections: int, count: int) -> dict:
    urls = paths(kind, count)
    for url in urls[:5]:  # check a few URLs answer
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=30) as response:
            assert response.status == 200, (url, response.status)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ", ".join(f'"{url}"' for url in urls))
    try:
        output = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
            + ["--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{port}"],
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


def bench(label: str, database_url: str, solutions: int, args) -> dict[str, dict]:
    database_url = database_url.replace("{size}", str(solutions))
    if args.reuse and seeded(database_url, solutions):
        print(f"{label}: reusing the database of {solutions} solutions")
    else:
        print(f"{label}: seeding {solutions} solutions ...")
        seed(database_url, solutions)
    targets = [
        ("baseline (bare full-text)", "baseline", "baseline"),
        # caches off: every request searches and counts its facets (a search nobody made yet)
        ("page /catalogue, caches off", "cold", "page"),
        ("API /api/v1/catalogue, caches off", "cold", "api"),
        # and without the cards kept rendered (catalogue.cards): every card of every page
        # rendered by its macro
        ("page, caches and card shelf off", "bare", "page"),
    ]
    servers = {
        "baseline": start_gunicorn("bench.baseline_app:app", database_url),
        "cold": start_gunicorn("wsgi:app", database_url, {"CATALOGUE_CACHE_SIZE": "0"}),
        "bare": start_gunicorn(
            "wsgi:app",
            database_url,
            {"CATALOGUE_CACHE_SIZE": "0", "CATALOGUE_CARD_SHELF_SIZE": "0"},
        ),
    }
    built = max(let_the_index_build(*servers[name]) for name in ("cold", "bare"))
    print(f"  the catalogue's index built in each worker within {built:.1f} s")
    if args.warm:
        # as it runs: answers, facet counts and totals kept under the catalogue's state
        targets.append(("page, caches on (warm)", "warm", "page"))
        servers["warm"] = start_gunicorn("wsgi:app", database_url)
    # The machine is shared: targets take turns, round after round, and each round's
    # figures are compared with the baseline's in the same round (medians reported).
    rounds: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
    try:
        # An unmeasured turn first: each worker compiles each search's statements once
        # (the application's, built by shape) and the templates once, as a long-running
        # worker has; the rounds then measure the steady state, not the start.
        for _, server, kind in targets:
            if args.warmup:
                run_wrk(servers[server][1], kind, args.warmup, args.connections, args.searches)
        for _ in range(args.rounds):
            for name, server, kind in targets:
                port = servers[server][1]
                figures = run_wrk(port, kind, args.duration, args.connections, args.searches)
                rounds[name].append(figures)
    finally:
        for process, _ in servers.values():
            stop(process)
    baseline = rounds[targets[0][0]]
    print(
        f"\n{label}, {solutions} approved solutions, gunicorn 2 sync workers, "
        f"{args.connections} connections, {args.searches} random searches, "
        f"{args.rounds} rounds of {args.duration} s (medians)"
    )
    print(f"  {'target':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  errors")
    results = {}
    for name, _, _ in targets:
        figures = rounds[name]
        ratio = median(f["rps"] / b["rps"] for f, b in zip(figures, baseline, strict=True))
        summary = {key: median(f[key] for f in figures) for key in ("rps", "p50", "p99")} | {
            "ratio": ratio,
            "errors": sum(f["errors"] for f in figures),
        }
        results[name] = summary
        print(
            f"  {name:36} {summary['rps']:8.1f} {summary['p50']:8.1f} {summary['p99']:8.1f}"
            f" {ratio:6.2f}  {summary['errors']}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--solutions", default="10000", help="catalogue sizes, comma-separated (10000,100000)"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--warmup", type=int, default=5, help="seconds of unmeasured load per target first"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--searches", type=int, default=3000, help="random searches rotated")
    parser.add_argument("--warm", action="store_true", help="also measure with caches on")
    parser.add_argument("--pg-database", default=PG_DATABASE)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already holding N solutions"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    sizes = [int(size) for size in args.solutions.split(",")]
    for label, url in database_urls(args.db, args.pg_database):
        by_size = {size: bench(label, url, size, args) for size in sizes}
        if len(sizes) > 1:
            first = sizes[0]
            print(f"\n{label}: throughput against {first} solutions")
            for size in sizes[1:]:
                for name, summary in by_size[size].items():
                    share = summary["rps"] / by_size[first][name]["rps"]
                    print(f"  {size:>7} solutions, {name:36} {share:5.2f}x")


if __name__ == "__main__":
    main()
