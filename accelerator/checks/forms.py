"""The form of a solution's public addresses, and the button that starts a check."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

HINT = _l("An address starting with https://")


def _url(label):
    return StringField(label, validators=[Optional(), Length(max=500)], description=HINT)


class AddressesForm(FlaskForm):
    landing_url = _url(_l("Landing page (where pupils and teachers arrive)"))
    login_url = _url(_l("Login page"))
    privacy_url = _url(_l("Privacy policy"))
    legal_notice_url = _url(_l("Legal notice"))
    accessibility_url = _url(_l("Accessibility statement"))

    def values(self) -> dict:
        return {
            name: (self[name].data or "").strip() for name in self._fields if name != "csrf_token"
        }


class StartCheckForm(FlaskForm):
    """A button: the CSRF token is the whole form."""
