"""Entry points: ``gunicorn wsgi:app``, ``flask --app wsgi ...``, and the Celery worker and
scheduler ``celery -A wsgi:celery worker`` / ``celery -A wsgi:celery beat`` (same environment
variables as the web server)."""

from accelerator import create_app

app = create_app()
celery = app.extensions["celery"]
