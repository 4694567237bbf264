"""Reporting's pages: the dashboard with its exports, and the indicators' settings."""

from accelerator.reporting.views import dashboard, settings
from accelerator.reporting.views.common import READERS, bp

__all__ = ["READERS", "bp", "dashboard", "settings"]
