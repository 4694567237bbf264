"""The index: refresh and rebuild are correct and idempotent; the CLI and the demo."""

from __future__ import annotations

from accelerator.audits.models import Pricing
from accelerator.audits.states import AuditStatus
from accelerator.catalogue.models import (
    CatalogueDomainScore,
    CatalogueEntry,
    CatalogueLevel,
    CatalogueSubject,
)
from accelerator.catalogue.operations import rebuild_catalogue, refresh_catalogue_entry
from accelerator.extensions import db
from tests.catalogue.helpers import approve


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_refresh_is_idempotent(app):
    audit = approve("Stable", subjects=["francais", "svt"], levels=["cycle4"])
    entry = db.session.scalar(db.select(CatalogueEntry))
    stamp = entry.updated_at
    for _ in range(2):
        refresh_catalogue_entry(audit.solution_id)
        db.session.commit()
    db.session.expire_all()
    entry = db.session.scalar(db.select(CatalogueEntry))
    assert entry.updated_at == stamp  # nothing changed, nothing written
    assert (count(CatalogueSubject), count(CatalogueLevel), count(CatalogueDomainScore)) == (
        2,
        1,
        2,
    )


def test_refresh_follows_the_solution(api):
    audit = approve(
        "Ancien Nom",
        summary="Un outil.",
        description="Un outil.",
        subjects=["francais"],
        pricing=Pricing.free,
    )
    solution = audit.solution
    solution.name = "Nouveau Nom"
    solution.subjects = ["svt"]
    solution.pricing = Pricing.paid
    db.session.commit()
    refresh_catalogue_entry(solution.id)
    db.session.commit()
    body = api.get("/catalogue?q=nouveau").json
    assert [(i["name"], i["subjects"], i["pricing"]) for i in body["items"]] == [
        ("Nouveau Nom", ["svt"], "paid")
    ]
    assert api.get("/catalogue?q=ancien").json["total"] == 0
    assert body["facets"]["subject"] == {"svt": 1}


def test_refresh_removes_what_is_no_longer_in_force(api):
    audit = approve("Retiree")
    audit.status = AuditStatus.suspended
    db.session.commit()
    assert refresh_catalogue_entry(audit.solution_id) is None
    db.session.commit()
    assert (count(CatalogueEntry), count(CatalogueSubject), count(CatalogueDomainScore)) == (
        0,
        0,
        0,
    )
    assert api.get("/catalogue?q=retiree").json["total"] == 0


def test_rebuild(app):
    approve("Un", refresh=False)
    approve("Deux", refresh=False)
    gone = approve("Trois")
    gone.status = AuditStatus.withdrawn
    db.session.commit()
    assert rebuild_catalogue() == 2
    db.session.commit()
    assert rebuild_catalogue() == 2
    assert sorted(db.session.scalars(db.select(CatalogueEntry.slug))) == ["deux", "un"]


def test_reindex_command(app):
    approve("Commande", refresh=False)
    result = app.test_cli_runner().invoke(args=["catalogue", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 solution" in result.output
    assert count(CatalogueEntry) == 1


def test_demo_seeder_indexes_approvals(app):
    from accelerator.catalogue.demo import seed_catalogue

    approve("Demo", refresh=False)
    assert seed_catalogue() == ["Catalogue: 1 solution(s) with an approval in force indexed."]
