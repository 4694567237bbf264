"""Demo reporting: national populations of the current school year (orders of magnitude of
the ministry's figures, per académie), a few partnership agreements, and the kept figures
rebuilt from the demo's training data. Idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from accelerator.core.demo import seeder
from accelerator.core.reference import ACADEMIES
from accelerator.extensions import db
from accelerator.reporting import kept
from accelerator.reporting.models import NationalPopulation, Partnership
from accelerator.reporting.periods import school_year_of

#: About 870,000 teachers nationally, 4 % of them stagiaires or néotitulaires.
TEACHERS_PER_ACADEMY = 29_000
NEW_SHARE = 0.04
PARTNERS = ("paris", "creteil", "versailles", "lyon", "lille", "nantes")


@seeder(order=95)
def seed_reporting() -> list[str]:
    year = school_year_of(date.today())
    lines = []
    if not db.session.scalar(
        select(func.count()).select_from(NationalPopulation).where(NationalPopulation.year == year)
    ):
        for index, code in enumerate(sorted(ACADEMIES)):
            teachers = TEACHERS_PER_ACADEMY + 1_000 * (index % 7)
            db.session.add(
                NationalPopulation(
                    year=year,
                    academy=code,
                    teachers=teachers,
                    new_teachers=round(teachers * NEW_SHARE),
                )
            )
        lines.append(f"reporting: national populations of {year}-{year + 1}")
    if not db.session.scalar(select(func.count()).select_from(Partnership)):
        for code in PARTNERS:
            db.session.add(
                Partnership(
                    academy=code,
                    title=f"Convention Réseau Canopé – rectorat de {ACADEMIES[code]}",
                    starts_on=date(year, 9, 1),
                    ends_on=date(year + 3, 8, 31),
                )
            )
        lines.append(f"reporting: {len(PARTNERS)} partnership agreements")
    kept.refresh()
    lines.append("reporting: kept figures rebuilt")
    return lines
