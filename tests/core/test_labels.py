"""Words on the pages say the right thing in the reader's language: sort lists, names, empty
choices, figures."""

import re

import pytest
from django.urls import reverse

from organizations.models import ManagerAssignment
from portal.accounts.models import User
from tests.creators.factories import BindingFactory, CreatorFactory

UNWORDED_BLANKS = ("---------", "Select an option")


def _page(client, user, url, language):
    User.objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert select, f"no select named {name}"
    return [" ".join(text.split()) for text in re.findall(r">([^<]*)</option>", select.group(1))]


def test_the_roster_sorts_only_in_the_orders_it_names(client, owner, organization):
    english = _options(_page(client, owner, reverse("creators:roster"), "en"), "sort")
    assert english == [
        "Joined, newest first",
        "Joined, oldest first",
        "Followers, most first",
        "Plays in 30 days, most first",
        "GMV in 30 days, most first",
        "Name",
    ]
    chinese = _options(_page(client, owner, reverse("creators:roster"), "zh-hans"), "sort")
    assert len(chinese) == len(english)
    assert not [label for label in chinese if re.search(r"[A-Za-z]{3,}", label)]
    assert "姓名" not in chinese  # a creator's name on the platform is a nickname


def test_the_review_queue_sorts_organizations_by_their_name_not_a_persons(client, operator):
    chinese = _options(
        _page(client, operator, reverse("organizations:review_queue"), "zh-hans"), "sort"
    )
    assert "机构名称" in chinese
    assert not [label for label in chinese if "姓名" in label or "descending" in label]


def test_a_persons_name_is_still_a_persons_name(client, owner, organization):
    html = _page(client, owner, reverse("organizations:members", args=[organization.pk]), "zh-hans")
    assert ">姓名<" in html


def test_a_partner_application_has_a_name_not_a_persons_name(client, operator):
    html = _page(client, operator, reverse("partners:list"), "zh-hans")
    assert "姓名" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_empty_choices_are_worded_in_the_readers_language(
    client, operator, manager, organization, language
):
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    pages = [
        reverse("audit:list"),
        reverse("creators:roster"),
        reverse("coaching:organization", args=[organization.pk]),
        reverse("incubation:settings"),
    ]
    for url in pages:
        html = _page(client, operator, url, language)
        assert not [blank for blank in UNWORDED_BLANKS if blank in html], url
    chinese = _page(client, operator, reverse("audit:list"), "zh-hans")
    assert _options(chinese, "action")[0] == "全部"


def test_roster_figures_are_grouped_by_thousands_in_chinese(client, owner, organization):
    BindingFactory(
        organization=organization,
        creator=CreatorFactory(display_name="阿杰数码", follower_count=1_234_567),
    )
    html = _page(client, owner, reverse("creators:roster"), "zh-hans")
    assert "1,234,567" in html


def test_the_gmv_chart_table_names_its_unit_in_chinese(client, owner, organization):
    from decimal import Decimal

    from django.utils import timezone

    from creators.models import DailyMetric

    binding = BindingFactory(organization=organization, creator=CreatorFactory())
    DailyMetric.objects.create(
        creator=binding.creator, date=timezone.localdate(), plays=100, gmv=Decimal("12.50")
    )
    html = _page(client, owner, reverse("creators:detail", args=[binding.creator_id]), "zh-hans")
    assert "数值 (元)" in html and "(CNY)" not in html
