"""gunicorn's settings for the Accélérateur pédagogique, always behind nginx.

Started by deploy/systemd/accelerator-web.service as
``gunicorn --config deploy/gunicorn.conf.py``. Sync workers are simple and fast for this
service's short requests; they must not face the Internet directly (a slow client holds a
worker), which is what nginx (deploy/nginx/accelerator.conf) is for. Each setting may be
overridden from the environment (``GUNICORN_BIND``, ``GUNICORN_WORKERS``) or the command line.
"""

import multiprocessing
import os

wsgi_app = "wsgi:app"
#: nginx's upstream; systemd creates /run/accelerator (RuntimeDirectory)
bind = [os.environ.get("GUNICORN_BIND", "unix:/run/accelerator/gunicorn.sock")]
#: the socket is shared with nginx's group (www-data), no one else
umask = 0o007
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
#: a request taking longer is killed and logged; long work belongs to the job queue
timeout = 30
graceful_timeout = 30
keepalive = 2
#: workers are recycled now and then, so a slow leak never grows for long
max_requests = 2000
max_requests_jitter = 200
#: trust X-Forwarded-* from nginx only (same machine, or the socket)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
#: the same bounds as nginx, in case a request reaches gunicorn another way
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16384
accesslog = "-"
errorlog = "-"
