"""Demo data: the shipped cadre de confiance, published (as ``make run`` loads it)."""

from __future__ import annotations

from accelerator.core.demo import seeder
from accelerator.criteria import operations


@seeder(order=20)
def seed_framework() -> list[str]:
    if not operations.DEFAULT_FILE.exists():
        return [f"Cadre de confiance: {operations.DEFAULT_FILE.name} is missing, not loaded."]
    version, created = operations.load_default()
    state = "loaded and published" if created else "already loaded"
    return [f"Cadre de confiance {version.version}: {state}."]
