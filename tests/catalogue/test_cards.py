"""The search page's result cards (the ``card`` macro): what a teacher reads on each."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.audits.states import AuditStatus
from accelerator.catalogue.models import CatalogueEntry
from accelerator.extensions import db
from tests.catalogue.helpers import approve


def _cards(client, **kwargs) -> dict[str, str]:
    page = client.get("/catalogue", **kwargs).get_data(as_text=True)
    results = page.split('id="results"', 1)[1]
    chunks = results.split('<div class="fr-card fr-enlarge-link">')[1:]
    return {chunk.split("</a></h3>", 1)[0].rsplit(">", 1)[1]: chunk for chunk in chunks}


def test_each_card_says_the_approval_the_scores_and_the_teachers_rating(client):
    valid = date.today() + timedelta(days=100)
    approve("Sans Avis", domain_scores={"RGPD": 90.4, "PEDA": 80.6}, overall=85.4)
    approve("Un Avis", outcome=AuditStatus.approved_with_conditions, valid_until=valid)
    approve("Trois <Avis> & Cie", domain_scores={"RGPD": 71.5}, summary="L'été « chaud »")
    entries = {entry.name: entry for entry in db.session.scalars(db.select(CatalogueEntry))}
    entries["Un Avis"].review_count, entries["Un Avis"].review_rating = 1, 4.0
    entries["Trois <Avis> & Cie"].review_count = 3
    entries["Trois <Avis> & Cie"].review_rating = 3.66666
    db.session.commit()

    cards = _cards(client, base_url="http://localhost/prefixe")
    sans, un, trois = cards["Sans Avis"], cards["Un Avis"], cards["Trois &lt;Avis&gt; &amp; Cie"]
    assert 'href="/prefixe/catalogue/sans-avis"' in sans
    assert "Note 85/100" in sans and "Pas encore d&#39;avis d&#39;enseignant" in sans
    assert '<abbr title="' in sans and "RGPD</abbr> 90 · " in sans and "PEDA</abbr> 81" in sans
    assert "Approuvé sous conditions" in un and "fr-badge--warning" in un
    assert "Note des enseignants : 4,0/5 (1 avis)" in un
    assert f"Valable jusqu’au {valid.day} " in un
    assert "Note des enseignants : 3,7/5 (3 avis)" in trois
    assert "L&#39;été « chaud »" in trois and "<Avis>" not in trois

    client.get("/langue/en")
    english = _cards(client)
    assert "Teachers&#39; rating: 4.0/5 (1 review)" in english["Un Avis"]
    assert "Approved with conditions" in english["Un Avis"]
    assert "No teacher review yet" in english["Sans Avis"]
