"""Walk the demo as every demo login, in both languages, and check every page reached.

The demo is built once for this module by the same command `make run` uses, at its small size, in
a transaction rolled back at the end. Each (person, language) pair then follows every same-origin
GET link reachable from the navigation and the dashboard (tests/crawl/crawler.py), and each page
must have: no 5xx; one <main> and one site header; no traceback; ISO values in date inputs; no
catalogue wording of the other language; and every hx-get address must answer as a full page.
"""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve

from demo.program import DEMO_LOGINS, DEMO_PASSWORD
from portal.accounts.models import User
from portal.audit import labels
from portal.audit.models import AuditEntry

from .crawler import crawl, parse

LANGUAGES = ["zh-hans", "en"]
PEOPLE = [email for email, _role in DEMO_LOGINS]


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    """The small demo, built through the services, for every test of this module."""
    fast = {
        "MEDIA_ROOT": str(demo_media),
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }
    with django_db_blocker.unblock(), override_settings(**fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            output = io.StringIO()
            call_command("seed_demo", size="small", stdout=output)
            yield output.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo_db(demo, db, settings, demo_media):
    settings.MEDIA_ROOT = str(demo_media)  # the licences the demo uploaded
    return demo


def _client(email: str | None, language: str) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if email is not None:
        user = User.objects.get(email=email)
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
    return client


def _route(address: str) -> str:
    return resolve(urlsplit(address).path).view_name


def _report(result) -> str:
    return "\n".join(
        f"{url}: {problem}" for url, problems in result.problems.items() for problem in problems
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("email", PEOPLE)
def test_every_page_a_demo_login_reaches_is_whole_and_in_its_language(demo_db, email, language):
    client = _client(email, language)
    dashboard = parse(client.get("/").content.decode())
    result = crawl(client, language=language)

    assert not result.problems, f"{len(result.problems)} pages with problems:\n{_report(result)}"
    # The walk reached every kind of page the navigation and the dashboard lead to.
    linked = {_route(href) for href in dashboard.links if href.startswith("/")}
    reached = {_route(address) for address in result.visited}
    assert linked - reached <= {"api-docs", "api-guide"}
    assert len(result.visited) >= 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_before_signing_in_are_whole_and_in_their_language(demo_db, language):
    client = _client(None, language)
    result = crawl(client, language=language, start="/accounts/login/")
    assert not result.problems, _report(result)
    assert {"/accounts/login/", "/accounts/sign-up/", "/accounts/password/reset/"} <= set(
        address.split("?")[0] for address in result.visited
    )


def test_every_demo_login_signs_in_with_the_printed_password(demo_db):
    for email in PEOPLE:
        client = Client()
        response = client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email


def test_the_build_says_what_it_does_and_lists_every_demo_login(demo_db):
    steps = re.findall(r"^\[(\d)/(\d)\] ", demo_db, re.MULTILINE)
    assert [int(n) for n, _total in steps] == list(range(1, int(steps[0][1]) + 1))
    assert "Demo logins" in demo_db
    for email in PEOPLE:
        assert email in demo_db
    assert "operator2@demo.local" in PEOPLE  # needed for a second approval


def test_the_readme_lists_every_demo_login():
    readme = Path(settings.BASE_DIR, "README.md").read_text()
    for email in PEOPLE:
        assert f"`{email}`" in readme


def test_every_detail_the_demo_recorded_in_the_audit_log_has_a_label(demo_db):
    """The log shows what services recorded next to an object's fields (counts, spans) under a
    label in the reader's words, never the raw key."""
    unlabelled = set()
    for entry in AuditEntry.objects.all():
        model = labels.entry_model(entry)
        for key, _before, _after in entry.changed_fields():
            if not labels.has_detail_label(entry.action, key, model):
                unlabelled.add(f"{entry.action}: {key}")
    assert not unlabelled
