"""The shared PDF building blocks."""

from __future__ import annotations

from accelerator.core.pdf import build_pdf, content_width, styles, table, text


def test_user_text_is_escaped_and_accents_are_kept():
    sheet = styles()
    story = [
        text("Éditeur <b>gras</b> & « guillemets » — élève", sheet["Title"]),
        text("Ligne 1\nLigne 2 <script>", sheet["Body"]),
        table(
            [["Niveau", "Libellé"], ["0", "Non satisfait <i>"]], [40, content_width() - 40], sheet
        ),
    ]
    pdf = build_pdf(story, title="Essai <é>", footer="Pied de page")
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Title" in pdf
