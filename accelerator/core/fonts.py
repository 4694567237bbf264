"""The font every PDF of the service embeds: Marianne, the State's typeface.

The DSFR package (npm ``@gouvfr/dsfr``) ships Marianne as web fonts only (WOFF and WOFF2 in
``dist/fonts``). Its WOFF files hold TrueType outlines, which reportlab embeds, so ``make
assets`` unwraps them once with fontTools into ``static/vendor/fonts/*.ttf``::

    python -m accelerator.core.fonts static/vendor/dsfr/fonts static/vendor/fonts

At run time ``register()`` makes the four faces known to reportlab under the names of
``FACES`` (one family, so ``<b>`` and ``<i>`` in paragraphs pick the right face). Marianne's
licence allows embedding (its ``fsType`` is "preview and print"); reportlab embeds a subset of
each face it uses (``/FontFile2`` in the PDF), so a reader needs no font installed.

Where the converted files are missing (``make assets`` not run), DejaVu Sans from the system
is embedded instead and a warning is logged: the PDFs stay readable, in the wrong typeface.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from threading import Lock

ROOT = Path(__file__).resolve().parents[2]
#: where ``make assets`` writes the TrueType files
FONT_DIR = ROOT / "static" / "vendor" / "fonts"

#: reportlab's name of each face → the Marianne file (as shipped by the DSFR, without suffix)
FACES = {
    "Text": "Marianne-Regular",
    "Text-Bold": "Marianne-Bold",
    "Text-Italic": "Marianne-Regular_Italic",
    "Text-BoldItalic": "Marianne-Bold_Italic",
}
FONT = "Text"
FONT_BOLD = "Text-Bold"

#: the fallback, Debian's fonts-dejavu-core
_DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_DEJAVU = {
    "Text": "DejaVuSans.ttf",
    "Text-Bold": "DejaVuSans-Bold.ttf",
    "Text-Italic": "DejaVuSans-Oblique.ttf",
    "Text-BoldItalic": "DejaVuSans-BoldOblique.ttf",
}

_lock = Lock()
_registered: str | None = None
log = logging.getLogger(__name__)


def convert(source: Path, target: Path) -> list[Path]:
    """Write each face of ``FACES`` found as ``source/<name>.woff`` to ``target/<name>.ttf``."""
    from fontTools.ttLib import TTFont

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FACES.values():
        font = TTFont(source / f"{name}.woff")
        font.flavor = None  # plain TrueType (sfnt), which reportlab reads
        path = target / f"{name}.ttf"
        font.save(path)
        written.append(path)
    return written


def _files() -> tuple[str, dict[str, Path]]:
    marianne = {face: FONT_DIR / f"{name}.ttf" for face, name in FACES.items()}
    if all(path.is_file() for path in marianne.values()):
        return "Marianne", marianne
    dejavu = {face: _DEJAVU_DIR / name for face, name in _DEJAVU.items()}
    if all(path.is_file() for path in dejavu.values()):
        log.warning(
            "Marianne is missing from %s (run `make assets`): PDFs embed DejaVu Sans.", FONT_DIR
        )
        return "DejaVu Sans", dejavu
    raise RuntimeError(
        f"No font to embed in PDFs: run `make assets` (it writes Marianne to {FONT_DIR})."
    )


def register() -> str:
    """Register the embedded faces with reportlab once per process; the family's name."""
    global _registered
    if _registered is not None:
        return _registered
    with _lock:
        if _registered is None:
            from reportlab.lib.fonts import addMapping
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            family, files = _files()
            for face, path in files.items():
                pdfmetrics.registerFont(TTFont(face, str(path)))
            for bold, italic, face in (
                (0, 0, "Text"),
                (1, 0, "Text-Bold"),
                (0, 1, "Text-Italic"),
                (1, 1, "Text-BoldItalic"),
            ):
                addMapping(FONT, bold, italic, face)
            _registered = family
    return _registered


if __name__ == "__main__":  # make assets
    for written in convert(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"  {written}")
