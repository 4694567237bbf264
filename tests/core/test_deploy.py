"""The documented deployment: Debian's nginx (deploy/nginx) in front of gunicorn (deploy/).

gunicorn's sync workers serve one connection each, so a few clients sending their request
byte by byte hold every worker and the service stops answering. Behind nginx, which reads
whole requests itself, 50 such clients do not stop others from being served. The test runs
both on loopback (ports and paths of the shipped files templated into a temporary folder),
within about 20 seconds, and stops everything it started.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
SLOW_CLIENTS = 50
#: how long the slow clients dribble their headers (one byte every half second)
DRIBBLE_SECONDS = 8.0

pytestmark = pytest.mark.skipif(
    not NGINX.exists(),
    reason="Debian's nginx is not installed (.ci/run installs it with apt-get)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, deadline: float = 15.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def _nginx_conf(folder: Path, http_port: int, app_port: int, static: Path) -> Path:
    """deploy/nginx/accelerator.conf on loopback ports, plain HTTP, in a main config of its own."""
    site = (ROOT / "deploy" / "nginx" / "accelerator.conf").read_text()
    site = site.replace("unix:/run/accelerator/gunicorn.sock", f"127.0.0.1:{app_port}")
    site = site.replace("/srv/accelerator/static/", f"{static}/")
    site = re.sub(r"^\s*listen \[::\].*$", "", site, flags=re.M)
    site = re.sub(r"^\s*listen 80;$", f"    listen 127.0.0.1:{_free_port()};", site, flags=re.M)
    site = re.sub(
        r"^\s*listen 443 ssl http2;$", f"    listen 127.0.0.1:{http_port};", site, flags=re.M
    )
    site = re.sub(r"^\s*ssl_.*$", "", site, flags=re.M)  # TLS is the only part left out
    (folder / "accelerator.conf").write_text(site)
    main = f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/accelerator.conf;
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


@pytest.fixture(scope="module")
def stack():
    """gunicorn (2 sync workers, deploy/gunicorn.conf.py) and nginx in front of it."""
    # Outside pytest's private tmp: nginx's workers (user nobody) read the static files.
    folder = Path(tempfile.mkdtemp(prefix="accelerator-deploy-"))
    folder.chmod(0o755)
    static = folder / "static"
    static.mkdir()
    (static / "hello.txt").write_text("served by nginx\n")
    app_port, http_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "GUNICORN_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    started = []
    try:
        gunicorn = subprocess.Popen(
            [str(gunicorn_bin), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "gunicorn.log").open("w"),
        )
        started.append(gunicorn)
        conf = _nginx_conf(folder, http_port, app_port, static)
        check = subprocess.run(
            [str(NGINX), "-t", "-c", str(conf), "-p", str(folder)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen(
            [str(NGINX), "-c", str(conf), "-p", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(nginx)
        _wait_for(app_port)
        _wait_for(http_port)
        end = time.monotonic() + 30  # the first requests load the app in each worker
        while (first := _get(http_port, "/healthz", timeout=5)) != 200 and time.monotonic() < end:
            time.sleep(0.2)
        logs = [(folder / name).read_text() for name in ("gunicorn.log", "error.log")]
        assert first == 200, logs
        yield {"nginx": http_port, "gunicorn": app_port}
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _get(port: int, path: str, timeout: float = 3.0) -> int | None:
    """The status of a GET, or None when no answer came within ``timeout`` seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "accelerateur.reseau-canope.fr"})
        return connection.getresponse().status
    except (TimeoutError, OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


class SlowClients:
    """``count`` connections sending one request's headers a byte at a time, until stopped
    (or for ``seconds`` at most)."""

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: accelerateur.reseau-canope.fr\r\nX-Slow: " + (
        b"a" * 200
    )

    def __init__(self, port: int, count: int, seconds: float):
        self.port, self.count, self.seconds = port, count, seconds
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        self.thread = threading.Thread(target=self._dribble, daemon=True)

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            self.sockets.append(socket.create_connection(("127.0.0.1", self.port), timeout=2))
        self.thread.start()
        time.sleep(0.5)  # every connection has started its request
        return self

    def _dribble(self) -> None:
        end = time.monotonic() + self.seconds
        position = 0
        while not self.stop.is_set() and time.monotonic() < end:
            byte = self.REQUEST[position % len(self.REQUEST) : position % len(self.REQUEST) + 1]
            for sock in self.sockets:
                # nginx may end a connection that took too long: that is its job
                with contextlib.suppress(OSError):
                    sock.sendall(byte)
            position += 1
            self.stop.wait(0.5)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def test_without_nginx_a_few_slow_clients_stop_gunicorn(stack):
    """The control: two slow sockets hold both sync workers, and nobody else is served."""
    with SlowClients(stack["gunicorn"], count=4, seconds=5):
        assert _get(stack["gunicorn"], "/healthz", timeout=2.5) is None


def test_behind_nginx_50_slow_clients_do_not_stop_others(stack):
    with SlowClients(stack["nginx"], count=SLOW_CLIENTS, seconds=DRIBBLE_SECONDS):
        statuses = [_get(stack["nginx"], "/healthz", timeout=3) for _ in range(10)]
        static = _get(stack["nginx"], "/static/hello.txt", timeout=3)
    assert statuses == [200] * 10
    assert static == 200  # static files come from nginx itself
