"""The reporting pages' blueprint and who reads them (managers and admins)."""

from __future__ import annotations

from flask import Blueprint

from accelerator.accounts.models import Role

bp = Blueprint("reporting", __name__, url_prefix="/pilotage/indicateurs")

READERS = (Role.manager, Role.admin)
