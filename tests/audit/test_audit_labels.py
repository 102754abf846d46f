"""The log reads in the reader's language whoever wrote it: entries store codes, pages show labels."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from organizations.models import OrgRole
from organizations.services import membership_add
from portal.accounts.models import User
from portal.accounts.permissions import SYSTEM
from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from tests.accounts.factories import UserFactory


def _log(client, reader, language: str) -> str:
    User.objects.filter(pk=reader.pk).update(language=language)
    client.force_login(reader)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_log_shows_entries_that_counted_related_rows(client, operator, organization):
    """A service may record how many related rows it replaced (a rule version's subsidy rules):
    the key names a reverse relation, which has no verbose name of its own (was a 500)."""
    with transaction.atomic():
        audit_record(
            actor=operator,
            action="rules.update",
            obj=organization,
            before={"memberships": 2},
            after={"memberships": 3, "written": 7},
        )
    html = _log(client, operator, "en")
    assert "Memberships" in html
    assert "Rows written" in html and ">written<" not in html


def test_a_member_added_by_a_chinese_reader_reads_in_english(client, operator, organization):
    owner_user = UserFactory(role="organization", email="boss@example.com", full_name="王总")
    membership_add(actor=operator, organization=organization, user=owner_user, role=OrgRole.OWNER)
    newcomer = UserFactory(role="organization", email="new@example.com", full_name="李新")
    with translation.override("zh-hans"):
        membership_add(
            actor=owner_user, organization=organization, user=newcomer, role=OrgRole.ADMIN
        )
    entry = AuditEntry.objects.filter(action="membership.add").latest("id")
    assert entry.object_repr == f"李新 @ {organization.legal_name} (admin)"  # the code, not 管理员

    english = _log(client, operator, "en")
    assert f"李新 @ {organization.legal_name} (Admin)" in english
    assert "管理员" not in english
    chinese = _log(client, operator, "zh-hans")
    assert f"李新 @ {organization.legal_name} (管理员)" in chinese


def test_entries_written_before_with_a_translated_label_read_in_the_readers_language(
    client, operator, organization
):
    with transaction.atomic():
        AuditEntry.objects.create(
            actor=operator,
            actor_label=operator.email,
            action="membership.add",
            object_type_id=_content_type("organizations", "membership"),
            object_id="1",
            object_repr=f"李新 @ {organization.legal_name} (管理员)",
        )
    english = _log(client, operator, "en")
    assert f"李新 @ {organization.legal_name} (Admin)" in english
    assert "(管理员)" not in english


def test_the_system_reads_as_a_word_of_the_readers_language(client, operator, organization):
    with transaction.atomic():
        audit_record(actor=SYSTEM, action="organization.suspend", obj=organization)
    assert ">System<" in _log(client, operator, "en").replace("\n", "").replace(" ", "")
    chinese = _log(client, operator, "zh-hans")
    assert ">system<" not in chinese.replace(" ", "")
    assert "系统" in chinese


def test_object_types_are_named_in_the_readers_language(client, operator):
    html = _log(client, operator, "en")
    assert "Organization" in html
    assert " | " not in html  # not ContentType's "app | model"
    assert "shortlist snapshot entry" not in html


def _content_type(app_label, model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get(app_label=app_label, model=model).pk


@pytest.fixture(autouse=True)
def _both_languages(settings):
    settings.LANGUAGE_CODE = "zh-hans"
