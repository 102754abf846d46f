"""A creator's self-service page: a signed link that expires and can be revoked, sent by the
organization that holds the creator or by the program team, showing that creator's holder, lines
and videos and nothing of any other creator."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from creators.models import DailyMetric
from growth.models import SelfServiceLink
from growth.services.selfservice import (
    link_path,
    selfservice_link_revoke,
    selfservice_link_send,
)
from portal.audit.models import AuditEntry
from tests.content.factories import make_video
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.incentives.test_computation import setup_cycle
from tests.incentives.test_holds import publish

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def two_creators(operator, organization, beauty):
    """Two creators of one organization with published lines and a video each."""
    cycle, _version = setup_cycle(operator, organization, beauty)
    mine = organization.bindings.get().creator
    other = CreatorFactory(display_name="别人家的达人", platform_account_id="other-creator-9")
    BindingFactory(creator=other, organization=organization, started_on=D(2026, 11, 2))
    for day in range(2, 12):
        DailyMetric.objects.create(
            creator=other,
            date=D(2026, 11, day),
            plays=50_000,
            valid_plays=50_000,
            counted_valid_plays=50_000,
            videos_published=1,
            original_videos=1,
        )
    publish(operator, cycle)
    make_video(mine, title="我的粉底液测评")
    make_video(other, title="别人的口红试色")
    return mine, other


def test_a_creator_reads_their_own_page_and_nothing_of_another_creator(client, owner, two_creators):
    mine, other = two_creators
    link = selfservice_link_send(actor=owner, creator=mine)
    response = client.get(link_path(link))
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.display_name in page and "我的粉底液测评" in page
    assert owner.membership.organization.legal_name in page
    assert "2,900.00" in page or "2900.00" in page  # the level-2 subsidy, explained
    assert other.display_name not in page
    assert other.platform_account_id not in page
    assert "别人的口红试色" not in page
    assert {line.creator_id for line in response.context["lines"]} == {mine.pk}
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_link_of_one_creator_never_opens_with_another_links_token(client, owner, two_creators):
    mine, other = two_creators
    first = selfservice_link_send(actor=owner, creator=mine)
    second = selfservice_link_send(actor=owner, creator=other)
    token_of_second = link_path(second).rstrip("/").rsplit("/", 1)[1]
    url = reverse("growth:creator_page", args=[first.pk, token_of_second])
    assert client.get(url).status_code == 404


def test_a_revoked_or_expired_link_no_longer_opens(client, owner, operator, two_creators):
    mine, _other = two_creators
    link = selfservice_link_send(actor=owner, creator=mine, days=1)
    selfservice_link_revoke(actor=owner, link=link)
    response = client.get(link_path(link))
    assert response.status_code == 410
    assert mine.display_name not in response.content.decode()
    with translation.override("en"), pytest.raises(ValidationError, match="already revoked"):
        selfservice_link_revoke(actor=operator, link=link)
    fresh = selfservice_link_send(actor=operator, creator=mine, days=1)
    assert fresh.organization is None  # the program team sent it
    assert client.get(link_path(fresh)).status_code == 200
    SelfServiceLink.objects.filter(pk=fresh.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(link_path(fresh)).status_code == 410
    assert set(
        AuditEntry.objects.filter(action__startswith="selfservice.").values_list(
            "action", flat=True
        )
    ) == {"selfservice.send", "selfservice.revoke"}


def test_an_organizations_link_ends_when_the_creator_leaves_it(
    client, owner, operator, two_creators
):
    from creators.services import binding_end

    mine, _other = two_creators
    from_organization = selfservice_link_send(actor=owner, creator=mine)
    from_platform = selfservice_link_send(actor=operator, creator=mine)
    binding_end(actor=owner, binding=mine.bindings.get(), reason="合约到期")
    response = client.get(link_path(from_organization), headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "no longer holds you" in response.content.decode()
    assert client.get(link_path(from_platform)).status_code == 200


def test_only_the_holding_organizations_admins_or_an_operator_send(
    owner, member, manager, other_owner, two_creators
):
    mine, _other = two_creators
    with pytest.raises(ValidationError, match="not on your roster"):
        selfservice_link_send(actor=other_owner, creator=mine)
    for actor in (member, manager):
        with pytest.raises(PermissionDenied):
            selfservice_link_send(actor=actor, creator=mine)
    with pytest.raises(ValidationError):
        selfservice_link_send(actor=owner, creator=mine, days=0)
    link = selfservice_link_send(actor=owner, creator=mine)
    with pytest.raises(PermissionDenied):
        selfservice_link_revoke(actor=other_owner, link=link)


def test_the_links_page_sends_and_lists_only_the_organizations_links(
    client, owner, other_owner, operator, two_creators
):
    mine, _other = two_creators
    client.force_login(owner)
    response = client.post(
        reverse("growth:link_send"), {"platform_account_id": mine.platform_account_id, "days": 7}
    )
    assert response.status_code == 302
    link = SelfServiceLink.objects.get()
    assert (link.expires_at - link.created_at).days in (6, 7)
    refused = client.post(
        reverse("growth:link_send"),
        {"platform_account_id": "nobody", "days": 7},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400 and "No creator has this account id" in refused.text
    selfservice_link_send(actor=operator, creator=mine)
    assert list(client.get(reverse("growth:links")).context["page"].object_list) == [link]
    client.force_login(other_owner)
    assert list(client.get(reverse("growth:links")).context["page"].object_list) == []
    assert client.post(reverse("growth:link_revoke", args=[link.pk])).status_code == 404
    client.force_login(owner)
    client.post(reverse("growth:link_revoke", args=[link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None
