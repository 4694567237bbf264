"""Certification: feedback on sessions, attestations de formation, Open Badges and the
100,000 counter. It reads training (below it) and listens to its signals."""
