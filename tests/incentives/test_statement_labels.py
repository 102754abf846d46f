"""The statement's two sets of figures say what each counts (issue 18): the cards at the top are
this list's lines, the bar is every cycle's ledger entries of the program."""

from django.urls import reverse

from tests.incentives.test_holds import publish, with_rules


def test_the_top_cards_and_the_bar_say_what_they_count(
    client, operator, owner, organization, beauty
):
    reward_list = publish(operator, with_rules(operator, organization, beauty))
    client.force_login(owner)
    url = reverse("incentives:statement", args=[reward_list.pk])
    page = client.get(url).content.decode()
    assert "This reward list (cycle 1): its lines by payment state" in page
    assert "Releasable on this list (CNY)" in page
    assert "Every cycle of this program: your ledger entries by state" in page
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本名单可放款（元）" in page and "本计划所有周期：你的台账分录（按状态）" in page
