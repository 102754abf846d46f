"""Date pickers carry ISO values in every language. In Chinese Django writes a date as
"2026/12/01", which `<input type="date">` rejects: it showed the field empty, and saving the form
unchanged failed with "required" (a draft rule version, the incubation settings, a new program)."""

import datetime
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from incentives.services import program_create, rule_version_draft
from incubation.models import NominationLimit
from portal.accounts.models import User
from portal.core.forms import PortalFormMixin
from tests.crawl.crawler import parse

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _in_chinese(client, user):
    User.objects.filter(pk=user.pk).update(language="zh-hans")
    client.force_login(user)


def _date_values(html: str) -> list[str]:
    return parse(html).date_values


def test_every_portal_form_renders_dates_and_times_in_iso_form_in_chinese():
    class Example(PortalFormMixin, forms.Form):
        day = forms.DateField(initial=datetime.date(2026, 12, 1))
        plain = forms.DateField(initial=datetime.date(2026, 12, 1), widget=forms.DateInput)
        moment = forms.DateTimeField(
            initial=datetime.datetime(2026, 12, 1, 9, 30), widget=forms.DateTimeInput
        )

    with translation.override("zh-hans"):
        html = str(Example())
    assert html.count('type="date"') == 2
    assert html.count('value="2026-12-01"') == 2
    assert 'type="datetime-local"' in html and 'value="2026-12-01T09:30"' in html
    with translation.override("zh-hans"):
        bound = Example({"day": "2026-12-01", "plain": "2026-12-01", "moment": "2026-12-01T09:30"})
        assert bound.is_valid(), bound.errors


@pytest.fixture
def draft_version(operator):
    program = program_create(
        actor=operator,
        name="内容生态激励计划",
        starts_on=datetime.date(2026, 11, 1),
        ends_on=datetime.date(2027, 11, 1),
        cash_budget=1_000_000,
        traffic_budget=1_000_000,
    )
    return rule_version_draft(
        actor=operator, program=program, effective_from=datetime.date(2026, 12, 1)
    )


def test_the_draft_rule_version_shows_its_start_date_in_chinese(client, operator, draft_version):
    _in_chinese(client, operator)
    html = client.get(reverse("incentives:rules", args=[draft_version.pk])).content.decode()
    assert "2026-12-01" in _date_values(html)
    assert all(ISO.fullmatch(value) for value in _date_values(html) if value)


def test_the_incubation_settings_save_unchanged_in_chinese(client, operator):
    _in_chinese(client, operator)
    page = client.get(reverse("incubation:settings")).content.decode()
    shown = re.search(r'name="limit-effective_from"[^>]*value="([^"]*)"', page)
    assert shown and ISO.fullmatch(shown.group(1)), "the date field shows empty in Chinese"
    response = client.post(
        reverse("incubation:limit_set"),
        {"limit-per_organization": "5", "limit-effective_from": shown.group(1)},
    )
    assert response.status_code == 302
    assert NominationLimit.objects.filter(per_organization=5).exists()


def test_the_manager_settings_show_leave_dates_in_iso_form_in_chinese(client, operator, manager):
    profile = manager.manager_profile
    profile.away_from = datetime.date(2026, 12, 5)
    profile.away_until = datetime.date(2026, 12, 19)
    profile.save()
    _in_chinese(client, operator)
    html = client.get(f"{reverse('coaching:book')}?manager={manager.pk}").content.decode()
    assert {"2026-12-05", "2026-12-19"} <= set(_date_values(html))
