"""``pytest`` on a fresh clone: the suite compiles the translation catalogues it needs."""

from __future__ import annotations

import gettext
import os
import shutil

from tests.conftest import TRANSLATIONS, compile_catalogues


def _copy_french(tmp_path):
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po", target / "messages.po")
    return target


def test_a_missing_catalogue_is_compiled_and_reads_french(tmp_path):
    target = _copy_french(tmp_path)
    assert compile_catalogues(tmp_path) == [target / "messages.mo"]
    french = gettext.translation("messages", str(tmp_path), languages=["fr"])
    assert french.gettext("Language") == "Langue"


def test_an_up_to_date_catalogue_is_left_alone_and_a_stale_one_compiled_again(tmp_path):
    target = _copy_french(tmp_path)
    compile_catalogues(tmp_path)
    assert compile_catalogues(tmp_path) == []
    po = target / "messages.po"
    later = (target / "messages.mo").stat().st_mtime + 10
    os.utime(po, (later, later))  # the .po was edited after the last compilation
    assert compile_catalogues(tmp_path) == [target / "messages.mo"]
