"""The shared PDF building blocks: escaped text, the embedded font, the metadata, header
cells wide enough for their words, and numbers written in the reader's language."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from reportlab.pdfbase.pdfmetrics import stringWidth

from accelerator.core import fonts
from accelerator.core.formatting import number
from accelerator.core.pdf import (
    CELL_PADDING,
    Cover,
    build_pdf,
    content_width,
    fit_widths,
    styles,
    table,
    text,
)


def _story():
    sheet = styles()
    return [
        text("Éditeur <b>gras</b> & « guillemets » — élève", sheet["Title"]),
        text("Ligne 1\nLigne 2 <script>", sheet["Body"]),
        table(
            [["Niveau", "Libellé"], ["0", "Non satisfait <i>"]], [40, content_width() - 40], sheet
        ),
    ]


def test_user_text_is_escaped_and_accents_are_kept(app):
    with app.test_request_context():
        pdf = build_pdf(_story(), title="Essai <é>", footer="Pied de page")
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Title" in pdf


def test_the_font_is_embedded_and_is_marianne_once_the_assets_are_built(app):
    with app.test_request_context():
        pdf = build_pdf(_story(), title="Essai")
    # a TrueType font program inside the file: readers need no font installed
    assert b"/FontFile2" in pdf
    assert b"/Helvetica" not in pdf
    if fonts.register() == "Marianne":
        assert re.search(rb"/BaseFont /[A-Z]{6}\+Marianne", pdf)


def test_the_shipped_marianne_is_used_when_make_assets_ran():
    if not all((fonts.FONT_DIR / f"{name}.ttf").is_file() for name in fonts.FACES.values()):
        pytest.skip("make assets has not converted Marianne here")
    assert fonts.register() == "Marianne"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_metadata_title_author_subject_and_language(app, language):
    with app.test_request_context(), force_locale(language):
        pdf = build_pdf(_story(), title="Rapport d'essai", subject="Sujet")
    assert b"(Rapport d'essai)" in pdf or b"Rapport d" in pdf
    assert b"/Author" in pdf and b"/Subject" in pdf
    assert f"/Lang ({language})".encode() in pdf


def test_cover_and_contents_list_the_headings_with_bookmarks(app):
    sheet = styles()
    story = [text("Premier domaine", sheet["Heading1"]), text("Un critère", sheet["Heading2"])]
    with app.test_request_context():
        plain = build_pdf(story, title="Sans sommaire")
        full = build_pdf(story, title="Cadre", cover=Cover("Cadre", ["Version 1"]), contents=True)
    assert b"/Outlines" in plain and b"/Outlines" in full
    # the cover, the contents, then the text: three pages instead of one
    assert len(re.findall(rb"/Type /Page[^s]", plain)) == 1
    assert len(re.findall(rb"/Type /Page[^s]", full)) == 3


def test_a_header_word_never_breaks_inside_its_column():
    """A column too narrow for "Niveau" used to print it as "Nivea/u"."""
    style = styles()["CellHeader"]
    widths = fit_widths([20, 100, 300], ["Niveau", "Libellé", "À quoi il correspond"], style)
    need = stringWidth("Niveau", style.fontName, style.fontSize) + 2 * CELL_PADDING
    assert widths[0] >= need
    assert sum(widths) == pytest.approx(420)  # the table keeps its width


@pytest.mark.parametrize(
    "language, value, digits, exact, expected",
    [
        ("fr", 81.3, 1, True, "81,3"),
        ("en", 81.3, 1, True, "81.3"),
        ("fr", 12500, 0, True, "12\u202f500"),  # a narrow no-break space between thousands
        ("en", 12500, 0, True, "12,500"),
        ("fr", 100, 1, True, "100,0"),
        ("fr", 1.5, 2, False, "1,5"),
        ("fr", 2.0, 2, False, "2"),
        ("en", 0.25, 2, False, "0.25"),
        ("fr", None, 1, True, "—"),
    ],
)
def test_numbers_follow_the_readers_language(app, language, value, digits, exact, expected):
    with app.test_request_context(), force_locale(language):
        assert number(value, digits, exact) == expected
