"""Outgoing email: SMTP in production, the log in development, a list in tests.

The backend is chosen with ``MAIL_BACKEND`` (smtp | console | memory).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template

log = logging.getLogger(__name__)


def outbox() -> list[EmailMessage]:
    """Messages kept by the memory backend."""
    return current_app.extensions.setdefault("mail_outbox", [])


def send_mail(to: str | list[str], subject: str, template: str, **context) -> EmailMessage:
    """Render ``templates/emails/<template>.txt`` and send it to ``to``."""
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(render_template(f"emails/{template}.txt", **context))

    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "console":
        log.info(
            "Email (console backend, not sent)\nTo: %s\nSubject: %s\n\n%s",
            message["To"],
            subject,
            message.get_content(),
        )
    else:
        try:
            _send_smtp(message)
        except (OSError, smtplib.SMTPException):
            # Mail is a notification, never the record: log it and let the action stand.
            log.exception("Could not send email %r to %s", subject, recipients)
    return message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
