"""The interface speaks Simplified Chinese (the default) and English; the catalogue is complete."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR, "portal/locale/zh_Hans/LC_MESSAGES/django.po")


def untranslated(catalogue) -> list[str]:
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and ("fuzzy" in entry.flags or not (entry.msgstr or any(entry.msgstr_plural.values())))
    ]


def test_every_catalogue_entry_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 200
    assert untranslated(catalogue) == []


def test_every_marked_string_in_the_code_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """Extract the strings again into a copy of the catalogue: nothing new may be untranslated."""
    if not shutil.which("xgettext"):
        if os.environ.get("REQUIRE_GETTEXT") == "1":
            pytest.fail("REQUIRE_GETTEXT=1 but GNU gettext (xgettext) is not installed")
        pytest.skip("GNU gettext (xgettext) not installed")
    copy = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(settings.BASE_DIR)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        no_obsolete=True,
        no_location=True,
        ignore_patterns=[".venv/*", ".tools/*", "var/*", "tests/*", "bench/*", "portal/locale/*"],
        verbosity=0,
    )
    assert untranslated(polib.pofile(str(copy / "django.po"))) == []


def test_chinese_is_the_default_language(client, db):
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert "登录" in response.content.decode()


def test_english_when_the_browser_asks_for_it(client, db):
    response = client.get("/accounts/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()


def test_switching_language_is_remembered_for_a_signed_in_person(client, owner):
    client.force_login(owner)
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "zh-hans"
    # Another device, whatever its browser says, shows the person's own choice.
    from django.test import Client

    other = Client()
    other.force_login(owner)
    page = other.get("/", headers={"Accept-Language": "en"})
    assert "名下达人" in page.content.decode()


def test_category_names_follow_the_language(client, operator):
    client.force_login(operator)
    client.post("/language/", {"language": "en", "next": "/"})
    assert "Home appliances" in client.get("/categories/").content.decode()
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert "项目概览" in html


def test_language_chosen_on_the_sign_in_page_survives_sign_in(client, operator):
    from tests.accounts.factories import PASSWORD

    assert operator.language == "en"
    client.post("/language/", {"language": "zh-hans", "next": "/accounts/login/"})
    client.post("/accounts/login/", {"username": operator.email, "password": PASSWORD})
    operator.refresh_from_db()
    assert operator.language == "zh-hans"
    assert "项目概览" in client.get("/").content.decode()
