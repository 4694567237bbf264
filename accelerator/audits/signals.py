"""Signals other domains listen to, so that audits never import the domains above them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent with the audit (sender) whenever an approval may have started, stopped or changed:
#: a decision, a suspension, a reinstatement. The catalogue refreshes its entry.
approval_changed = _signals.signal("approval-changed")

#: sent with the solution (sender) when its company changed what it says of it; the
#: catalogue refreshes what it shows.
solution_changed = _signals.signal("solution-changed")
