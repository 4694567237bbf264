"""Reporting: the contract's indicators, their targets, the managers' dashboard, exports,
the ministry report and the open data of decisions. It reads the other domains and writes
only its own settings and kept figures."""
