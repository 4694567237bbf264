"""Automated technical evidence on a solution's public site, and its monitoring."""
