"""Instructions a cold catalogue search costs, counted by callgrind: repeatable where the
load benchmark's timings swing with the machine.

    .venv/bin/python -m bench.catalogue_instructions [--solutions 1000] [--requests 100]

For the page, the API and the baseline (``bench/baseline_app.py``, the same match, filters
and page by bare SQL: its docstring), in turn: a process under ``valgrind --tool=callgrind``
with instrumentation off loads the application on the bench's SQLite catalogue (seeded by
``bench.catalogue_load --solutions N --db sqlite``), caches off, lets its index build,
answers the searches once (cards and fragments as a running worker has them), then counts
the instructions of answering the same ``--requests`` searches again through the test client
(``callgrind_control -i on/off`` around them). Same searches as ``catalogue_load``
(``paths``); PYTHONHASHSEED fixed. Printed: instructions per request and the baseline's
share. Needs valgrind; not run by CI.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure_here(kind: str, requests: int) -> None:
    """Runs inside valgrind: warm up, then count ``requests`` searches."""
    from bench.catalogue_load import paths

    if kind == "baseline":
        from bench.baseline_app import create_app
    else:
        from accelerator import create_app
    client = create_app().test_client()
    if kind != "baseline":
        client.get("/api/v1/catalogue?q=eleve")  # starts the index's build in a thread
        for thread in threading.enumerate():
            if thread is not threading.current_thread():
                thread.join(timeout=600)
    urls = paths(kind, 3000)[:requests]
    for url in urls:
        client.get(url, headers={"Accept-Language": "fr"})
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
    for url in urls:
        response = client.get(url, headers={"Accept-Language": "fr"})
        assert response.status_code == 200, (url, response.status_code)
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)


def count(kind: str, database_url: str, requests: int) -> int:
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        env = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "CATALOGUE_CACHE_SIZE": "0",
            "PYTHONHASHSEED": "0",
        }
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
            + [sys.executable, "-m", "bench.catalogue_instructions", "--inside", kind]
            + ["--requests", str(requests)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        return int(re.search(r"^totals: (\d+)", out.read_text(), re.M).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--solutions", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        measure_here(args.inside, args.requests)
        return
    database = ROOT / "instance" / "bench" / f"catalogue-{args.solutions}.sqlite3"
    if not database.exists():
        sys.exit(f"seed it first: python -m bench.catalogue_load --solutions {args.solutions}")
    figures = {
        kind: count(kind, f"sqlite:///{database}", args.requests) / args.requests
        for kind in ("baseline", "api", "page")
    }
    print(f"{args.solutions} solutions, {args.requests} cold searches, instructions a request")
    for kind, figure in figures.items():
        share = figures["baseline"] / figure
        print(f"  {kind:9s} {figure / 1e6:7.2f} M   baseline's share {share:.2f}")


if __name__ == "__main__":
    main()
