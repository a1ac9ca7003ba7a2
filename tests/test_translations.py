"""The Simplified Chinese catalogue is complete: no empty or fuzzy entries, placeholders kept, pages in Chinese."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_FILE))


def test_every_entry_is_translated(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    assert untranslated == []


def test_no_entry_is_fuzzy_or_obsolete(catalogue):
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def test_translations_keep_every_placeholder(catalogue):
    placeholder = re.compile(r"%\((\w+)\)s")
    broken = []
    for entry in catalogue.translated_entries():
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if set(placeholder.findall(entry.msgid)) != set(placeholder.findall(text)):
                broken.append(entry.msgid)
    assert broken == []


def test_compiled_catalogue_is_used(db):
    with translation.override("zh-hans"):
        assert translation.gettext("Taobao Village Registry") == "淘宝村登记系统"
        assert translation.gettext("village committee") == "村委会"


def test_language_switcher_changes_the_page_language(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"})
    assert "Taobao villages in China" in client.get(reverse("villages:dashboard")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/dashboard/"})
    page = client.get(reverse("villages:dashboard")).content.decode()
    assert "中国的淘宝村" in page and "Taobao villages in China" not in page
