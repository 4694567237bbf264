"""The API's items are written out by hand (``schemas.dump_entries``): they say exactly what
the documented schema (``CatalogueEntryOut``) says, whatever the entry holds."""

from __future__ import annotations

from datetime import date

from accelerator.audits.states import AuditStatus
from accelerator.catalogue import queries
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.schemas import CatalogueEntryOut, dump_entries
from accelerator.extensions import db
from tests.catalogue.helpers import approve


def test_items_say_what_the_schema_says(api):
    approve("Sans Avis", domain_scores={"RGPD": 90.0, "PEDA": 80.0}, gar_compatible=True)
    approve("Un Avis", outcome=AuditStatus.approved_with_conditions, overall=61.5)
    approve("Trois Avis", domain_scores={"RGPD": 71.25}, summary="")
    entries = {entry.name: entry for entry in db.session.scalars(db.select(CatalogueEntry))}
    entries["Un Avis"].review_count, entries["Un Avis"].review_rating = 1, 4.0
    trois = entries["Trois Avis"]
    trois.review_count, trois.review_rating, trois.change_under_review = 3, 3.66666, True
    trois.domains = [{"code": "RGPD", "name": "Données", "score": None}, {"code": "PEDA"}]
    db.session.commit()
    for sort in queries.SORTS:
        result = queries.search_catalogue(queries.CatalogueQuery(sort=sort), date.today())
        assert len(result.entries) == 3
        assert dump_entries(result.entries) == CatalogueEntryOut(many=True).dump(result.entries)
    by_name = {item["name"]: item for item in api.get("/catalogue").json["items"]}
    assert by_name["Trois Avis"]["domains"] == [{"code": "RGPD", "score": None}, {"code": "PEDA"}]
    assert by_name["Trois Avis"]["teacher_rating"] == {"count": 3, "average": 3.67}
    assert by_name["Sans Avis"]["teacher_rating"] == {"count": 0, "average": None}
    assert "credential" not in by_name["Un Avis"]
    for name, entry in entries.items():  # the ORM entries as the schema dumps them
        assert by_name[name] == CatalogueEntryOut().dump(entry)
