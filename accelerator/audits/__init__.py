"""Audits: solutions, self-assessment, evidence, expert scoring, committee decisions."""
