"""Accessibility checks with axe-core (npm) run in a Playwright page.

``make assets`` copies ``node_modules/axe-core/axe.min.js`` to ``static/vendor/axe/``. The
script is evaluated through the browser's debugging protocol, which a page's Content Security
Policy does not govern, so it runs on this service's pages (no inline script allowed) and on
any other site alike.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

#: WCAG 2.1 levels A and AA (RGAA 4.1 follows them), as axe-core tags its rules
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe" / "axe.min.js"

_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    tags: v.tags,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
  }));
}"""


class AxeMissing(RuntimeError):
    """axe.min.js was not copied into static/vendor (``make assets``)."""


@cache
def axe_source(path: Path = AXE_SCRIPT) -> str:
    if not path.is_file():
        raise AxeMissing(f"{path} is missing: run `make assets` (npm package axe-core).")
    return path.read_text(encoding="utf-8")


def violations(page, tags: tuple[str, ...] = WCAG_21_AA) -> list[dict]:
    """The axe-core violations of the page as it stands, for the rules tagged ``tags``.

    Each is ``{"id", "impact", "help", "helpUrl", "tags", "nodes": [{"target", "html",
    "summary"}]}``; an empty list means no rule of those levels failed.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN, list(tags))


def describe(found: list[dict]) -> str:
    """The violations in words, one line per element (for an assertion's message)."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"  {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)
