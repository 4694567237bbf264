"""Demo: index the approvals the other domains' seeders created, so ``make run`` shows them."""

from __future__ import annotations

from accelerator.catalogue.operations import rebuild_catalogue
from accelerator.core.demo import seeder


@seeder(order=90)
def seed_catalogue() -> list[str]:
    count = rebuild_catalogue()
    return [f"Catalogue: {count} solution(s) with an approval in force indexed."]
