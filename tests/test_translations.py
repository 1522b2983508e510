"""The English catalogue is complete: every Chinese msgid in the code and templates has an
English translation that is neither empty nor fuzzy, and the compiled .mo carries it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = Path("locale/en/LC_MESSAGES/django.po")
# The project's own apps and what the settings and makemessages read beside them.
APPS = [path.name for path in ROOT.iterdir() if (path / "apps.py").exists()]
SOURCES = [*APPS, "reliefportal", "templates", "locale", "manage.py"]


def untranslated(catalogue):
    return [entry.msgid for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]


def test_every_entry_of_the_catalogue_is_translated():
    assert untranslated(polib.pofile(ROOT / PO)) == []


def test_the_compiled_catalogue_matches_its_source():
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(ROOT / PO).translated_entries()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(ROOT / PO.with_suffix(".mo"))}
    assert {key: text for key, text in source.items() if compiled.get(key) != text} == {}


@pytest.fixture
def extracted_catalogue(tmp_path):
    """The catalogue as `make messages` would rebuild it from today's code, made in a copy."""
    if not shutil.which("xgettext"):
        message = "extracting messages needs GNU gettext (Debian's gettext package)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--add-location=file",
         "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "reliefportal.settings"},
        check=True,
        capture_output=True,
    )
    return polib.pofile(tmp_path / PO)


def test_every_text_of_the_interface_is_in_the_catalogue(extracted_catalogue):
    assert untranslated(extracted_catalogue) == []
