"""A creator's consent to a binding (issue 19): asked on every path that binds, answered through a
signed link that expires and cannot be tampered with, withdrawn scope by scope from the creator's
self-service page; what the organization sees follows it, staff are not limited by it."""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from creators import services
from creators.models import Binding, BindingConsent, ConsentState, Creator, DailyMetric
from creators.selectors import roster_queryset, waiting_consents
from growth.services.selfservice import link_path, selfservice_link_send
from incentives.models import LedgerEntry, RewardLine
from portal.audit.models import AuditEntry
from tests.creators.factories import BindingFactory, CreatorFactory, pending_consent
from tests.incentives.test_computation import setup_cycle
from tests.incentives.test_holds import publish

pytestmark = pytest.mark.django_db
D = datetime.date


def token_of(consent) -> str:
    return services.consent_path(consent).rstrip("/").rsplit("/", 1)[1]


def bind(owner, organization, account="fresh-001"):
    creator = CreatorFactory(platform_account_id=account)
    return services.binding_start(
        actor=owner, creator=creator, organization=organization, started_on=timezone.localdate()
    )


def give(client, consent, scopes, **contact):
    url = reverse("creators:consent_give", args=[consent.pk, token_of(consent)])
    return client.post(url, {"scopes": scopes, **contact})


# --- asking ----------------------------------------------------------------------------------------


def test_binding_a_creator_asks_for_their_consent_and_shares_nothing_meanwhile(owner, organization):
    binding = bind(owner, organization)
    consent = binding.consent
    assert consent.state == ConsentState.PENDING
    assert consent.scopes == []
    assert consent.expires_at > timezone.now() + datetime.timedelta(days=13)
    assert AuditEntry.objects.filter(action="consent.request").exists()
    row = roster_queryset(owner).get(pk=binding.creator_id)
    assert row.consent_state == "pending"
    assert not (row.shares_metrics or row.shares_earnings or row.shares_contact)
    assert row.shared_plays_30d is None and row.contact_mobile == ""


def test_a_confirmed_transfer_asks_the_creator_again_for_the_new_organization(
    client, owner, organization, other_organization, other_owner
):
    from organizations.models import OrganizationStatus

    other_organization.status = OrganizationStatus.APPROVED
    other_organization.save()
    binding = BindingFactory(organization=organization)
    transfer = services.transfer_request(
        actor=other_owner, creator=binding.creator, to_organization=other_organization
    )
    url = reverse(
        "creators:transfer_confirm",
        args=[transfer.pk, services.transfer_path(transfer).rstrip("/").rsplit("/", 1)[1]],
    )
    response = client.post(url, {"decision": "confirm"})
    new = Binding.objects.get(creator=binding.creator, ended_on__isnull=True)
    assert new.organization == other_organization
    assert new.consent.state == ConsentState.PENDING
    assert services.consent_path(new.consent) in response.content.decode()


def test_a_roster_import_asks_every_creator_it_binds(owner, organization):
    from creators.services.import_writes import consents_open_for_bindings

    bindings = [
        Binding.objects.create(
            creator=CreatorFactory(),
            organization=organization,
            source="recruited",
            started_on=D(2026, 11, 3),
            created_by=owner,
        )
        for _ in range(3)
    ]
    asked = consents_open_for_bindings(
        actor=owner, bindings=Binding.objects.filter(pk__in=[b.pk for b in bindings])
    )
    assert asked == 3
    assert set(BindingConsent.objects.values_list("state", flat=True)) == {"pending"}
    # Safe to run twice: a binding is asked once.
    assert (
        consents_open_for_bindings(
            actor=owner, bindings=Binding.objects.filter(pk__in=[b.pk for b in bindings])
        )
        == 0
    )


# --- answering -------------------------------------------------------------------------------------


def test_the_creator_reads_who_asks_and_what_each_scope_means(client, owner, organization):
    consent = bind(owner, organization).consent
    response = client.get(services.consent_path(consent))
    page = response.content.decode()
    assert response.status_code == 200
    assert organization.legal_name in page
    # The creator has no account: the page speaks the portal's default language, Chinese.
    assert "收益" in page and "数据指标" in page and "联系方式" in page
    assert response["Referrer-Policy"] == "same-origin"


def test_the_creator_consents_to_metrics_only_and_the_organization_sees_only_those(
    client, owner, organization
):
    consent = bind(owner, organization).consent
    response = give(client, consent, ["metrics"])
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.state == ConsentState.CONSENTED
    assert consent.scopes == ["metrics"]
    assert AuditEntry.objects.filter(action="consent.consented").exists()
    row = roster_queryset(owner).get(pk=consent.binding.creator_id)
    assert row.shares_metrics and not row.shares_earnings and not row.shares_contact
    assert row.shared_plays_30d == 0


def test_sharing_contact_details_needs_a_valid_number_or_email(client, owner, organization):
    consent = bind(owner, organization).consent
    response = give(client, consent, ["contact"])
    assert response.status_code == 400
    assert "请填写手机号或邮箱" in response.content.decode()
    response = give(client, consent, ["contact"], contact_mobile="12345")
    assert response.status_code == 400
    consent.refresh_from_db()
    assert consent.state == ConsentState.PENDING  # nothing half-written
    give(client, consent, ["contact"], contact_mobile="+86 139 1234 5678")
    consent.refresh_from_db()
    assert consent.contact_mobile == "13912345678"
    assert roster_queryset(owner).get(pk=consent.binding.creator_id).contact_mobile == (
        "13912345678"
    )


def test_a_tampered_token_is_not_found(client, owner, organization):
    consent = bind(owner, organization).consent
    for url in (
        reverse("creators:consent", args=[consent.pk, "0" * 40]),
        reverse("creators:consent_give", args=[consent.pk, "0" * 40]),
        reverse("creators:consent_decline", args=[consent.pk, "0" * 40]),
    ):
        response = client.post(url) if url.endswith(("give/", "decline/")) else client.get(url)
        assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.state == ConsentState.PENDING


def test_an_expired_link_cannot_be_answered(client, owner, organization):
    consent = bind(owner, organization).consent
    BindingConsent.objects.filter(pk=consent.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    consent.refresh_from_db()
    assert client.get(services.consent_path(consent)).status_code == 410
    assert give(client, consent, ["metrics"]).status_code == 400
    with pytest.raises(ValidationError):
        services.consent_give(consent=consent, token=token_of(consent), scopes=["metrics"])
    consent.refresh_from_db()
    assert consent.state == ConsentState.PENDING and consent.shown_state == "expired"
    assert roster_queryset(owner).get(pk=consent.binding.creator_id).consent_state == "expired"


def test_the_creator_declines_and_the_link_then_is_spent(client, owner, organization):
    consent = bind(owner, organization).consent
    url = reverse("creators:consent_decline", args=[consent.pk, token_of(consent)])
    assert client.post(url).status_code == 200
    consent.refresh_from_db()
    assert consent.state == ConsentState.DECLINED
    assert client.post(url).status_code == 410
    assert give(client, consent, ["metrics"]).status_code == 400
    consent.refresh_from_db()
    assert consent.scopes == []


def test_a_new_link_ends_the_old_one_is_audited_and_rate_limited(owner, organization, member):
    consent = bind(owner, organization).consent
    old_token = token_of(consent)
    with pytest.raises(ValidationError, match="less than an hour"):
        services.consent_link_send(actor=owner, consent=consent)
    BindingConsent.objects.filter(pk=consent.pk).update(
        sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    with pytest.raises(PermissionDenied):
        services.consent_link_send(actor=member, consent=consent)  # a plain member
    consent = services.consent_link_send(actor=owner, consent=consent)
    assert consent.links_sent == 2
    with pytest.raises(ValidationError, match="not valid"):
        services.consent_check(consent, old_token)
    services.consent_check(consent, token_of(consent))
    assert AuditEntry.objects.filter(action="consent.send").count() == 1


def test_after_a_no_the_organization_waits_a_month_to_ask_again(owner, organization):
    consent = bind(owner, organization).consent
    services.consent_decline(consent=consent, token=token_of(consent))
    with pytest.raises(ValidationError, match="said no"):
        services.consent_link_send(actor=owner, consent=consent)
    BindingConsent.objects.filter(pk=consent.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=31)
    )
    consent = services.consent_link_send(actor=owner, consent=consent)
    assert consent.state == ConsentState.PENDING


def test_the_waiting_list_shows_only_the_organizations_unconsented_creators(
    client, owner, organization, other_organization
):
    waiting = bind(owner, organization, "waiting-1").consent
    BindingFactory(organization=organization)  # consented
    BindingFactory(organization=other_organization, **pending_consent())
    assert list(waiting_consents(owner)) == [waiting]
    client.force_login(owner)
    response = client.get(reverse("creators:consents"))
    assert response.status_code == 200
    assert "waiting-1" in response.content.decode()
    BindingConsent.objects.filter(pk=waiting.pk).update(
        sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    response = client.post(reverse("creators:consent_send", args=[waiting.pk]), follow=True)
    assert "/creators/consent/" in response.content.decode()


# --- withdrawing -----------------------------------------------------------------------------------


def test_the_creator_withdraws_a_scope_from_their_self_service_page(client, owner, organization):
    binding = BindingFactory(organization=organization)
    DailyMetric.objects.create(creator=binding.creator, date=D(2026, 11, 5), plays=10)
    assert DailyMetric.objects.for_user(owner).count() == 1
    link = selfservice_link_send(actor=owner, creator=binding.creator)
    token = link_path(link).rstrip("/").rsplit("/", 1)[1]
    page = client.get(link_path(link)).content.decode()
    assert "停止共享" in page
    url = reverse("growth:consent_withdraw_scope", args=[link.pk, token, "metrics"])
    assert client.post(url).status_code == 302
    binding.consent.refresh_from_db()
    assert binding.consent.scopes == ["earnings", "contact"]
    assert DailyMetric.objects.for_user(owner).count() == 0
    client.post(reverse("growth:consent_withdraw_scope", args=[link.pk, token, "contact"]))
    binding.consent.refresh_from_db()
    assert binding.consent.contact_mobile == "" and binding.consent.contact_email == ""
    client.post(reverse("growth:consent_withdraw", args=[link.pk, token]))
    binding.consent.refresh_from_db()
    assert binding.consent.state == ConsentState.WITHDRAWN and binding.consent.scopes == []
    assert AuditEntry.objects.filter(action="consent.withdraw").count() == 3
    # Another creator's link token cannot withdraw this creator's consent.
    bad = reverse("growth:consent_withdraw", args=[link.pk, "0" * 40])
    assert client.post(bad).status_code == 404


# --- what each side sees ---------------------------------------------------------------------------


@pytest.fixture
def published(operator, organization, beauty):
    """A published cycle with the creator's lines and ledger entries."""
    cycle, _version = setup_cycle(operator, organization, beauty)
    publish(operator, cycle)
    binding = organization.bindings.get()
    return binding


def _creator_lines(user, creator):
    return RewardLine.objects.for_user(user).filter(creator=creator)


def _creator_entries(user, creator):
    return LedgerEntry.objects.for_user(user).filter(creator=creator)


def test_earnings_follow_the_scope_and_the_organizations_own_lines_stay(
    published, owner, operator, manager
):
    creator = published.creator
    assert _creator_lines(owner, creator).exists() and _creator_entries(owner, creator).exists()
    own_lines = RewardLine.objects.for_user(owner).filter(creator__isnull=True).count()
    BindingConsent.objects.filter(binding=published).update(earnings=False)
    assert not _creator_lines(owner, creator).exists()
    assert not _creator_entries(owner, creator).exists()
    assert RewardLine.objects.for_user(owner).filter(creator__isnull=True).count() == own_lines
    # Staff are not limited by consent.
    assert _creator_lines(operator, creator).exists()
    assert _creator_lines(manager, creator).exists()
    # A binding without any consent row shares nothing (closed by default).
    BindingConsent.objects.filter(binding=published).delete()
    assert not _creator_lines(owner, creator).exists()


def test_metrics_follow_the_scope_of_the_binding_covering_each_day(
    published, owner, operator, client
):
    creator = published.creator
    assert DailyMetric.objects.for_user(owner).filter(creator=creator).count() == 10
    BindingConsent.objects.filter(binding=published).update(
        state=ConsentState.CONSENTED, metrics=False
    )
    assert DailyMetric.objects.for_user(owner).filter(creator=creator).count() == 0
    assert DailyMetric.objects.for_user(operator).filter(creator=creator).count() == 10
    client.force_login(owner)
    api = client.get("/api/v1/metrics/").json()
    assert api["results"] == []


def test_pages_and_api_show_an_unconsented_creator_by_name_only(client, owner, organization):
    binding = BindingFactory(organization=organization, **pending_consent())
    Creator.objects.filter(pk=binding.creator_id).update(plays_30d=987654, gmv_30d=4321)
    client.force_login(owner)
    roster = client.get(reverse("creators:roster")).content.decode()
    assert binding.creator.display_name in roster and "Waiting for consent" in roster
    assert "987,654" not in roster and "987654" not in roster
    detail = client.get(reverse("creators:detail", args=[binding.creator_id])).content.decode()
    assert "Not shared by the creator" in detail and "987,654" not in detail
    export = b"".join(client.get("/creators/export.csv").streaming_content).decode("utf-8-sig")
    assert "987654" not in export
    row = client.get(f"/api/v1/creators/{binding.creator_id}/").json()
    assert row["plays_30d"] is None and row["gmv_30d"] is None
    assert row["consent"] == "pending" and row["contact_mobile"] == ""
    listed = client.get("/api/v1/creators/").json()["results"]
    assert listed[0]["plays_30d"] is None


def test_staff_see_every_figure_and_the_consent_state(client, operator, organization):
    binding = BindingFactory(organization=organization, **pending_consent())
    Creator.objects.filter(pk=binding.creator_id).update(plays_30d=987654)
    client.force_login(operator)
    row = client.get(f"/api/v1/creators/{binding.creator_id}/").json()
    assert row["plays_30d"] == 987654 and row["consent"] == "pending"


def test_contact_details_reach_the_organization_only_with_the_contact_scope(
    client, owner, organization
):
    shared = BindingFactory(organization=organization)
    hidden = BindingFactory(organization=organization, consent__contact=False)
    client.force_login(owner)
    by_id = {row["id"]: row for row in client.get("/api/v1/creators/").json()["results"]}
    assert by_id[shared.creator_id]["contact_mobile"] == "13800138000"
    assert by_id[hidden.creator_id]["contact_mobile"] == ""
    roster = client.get(reverse("creators:roster")).content.decode()
    assert roster.count("13800138000") == 1  # hidden's consent keeps the number, unshown
    hidden_detail = client.get(reverse("creators:detail", args=[hidden.creator_id]))
    assert "13800138000" not in hidden_detail.content.decode()


def test_the_roster_reads_consent_in_a_bounded_number_of_queries(
    client, owner, organization, django_assert_max_num_queries
):
    client.force_login(owner)
    for _ in range(3):
        BindingFactory(organization=organization, **pending_consent())
        BindingFactory(organization=organization, consent__metrics=False)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("creators:roster"))
    for _ in range(10):
        BindingFactory(organization=organization, **pending_consent())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("creators:roster"))


# --- the data migration ----------------------------------------------------------------------------


def test_the_migration_treats_existing_bindings_as_consented_with_every_scope(owner, organization):
    from importlib import import_module

    migration = import_module("creators.migrations.0010_existing_bindings_consented")
    old = Binding.objects.create(
        creator=CreatorFactory(),
        organization=organization,
        source="recruited",
        started_on=D(2026, 11, 3),
        created_by=owner,
    )
    asked = bind(owner, organization).consent  # made after consent existed: left alone
    migration.consent_existing(apps, SimpleNamespace(connection=connection))
    consent = BindingConsent.objects.get(binding=old)
    assert consent.state == ConsentState.CONSENTED
    assert consent.scopes == ["earnings", "metrics", "contact"]
    asked.refresh_from_db()
    assert asked.state == ConsentState.PENDING
    migration.forget(apps, None)
    assert not BindingConsent.objects.filter(binding=old).exists()
    assert BindingConsent.objects.filter(pk=asked.pk).exists()


def test_the_binding_api_shows_the_consent_state_and_scopes_but_never_the_contact(
    client, owner, organization
):
    client.force_login(owner)
    creator = CreatorFactory(platform_account_id="api-consent-1")
    created = client.post(
        "/api/v1/bindings/",
        {"platform_account_id": creator.platform_account_id},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["consent"]["state"] == "pending"
    binding = Binding.objects.get(pk=created.json()["id"])
    give(client, binding.consent, ["metrics", "contact"], contact_mobile="13800138000")
    client.force_login(owner)
    answer = client.get(f"/api/v1/bindings/{binding.pk}/").json()["consent"]
    assert answer["state"] == "consented" and answer["decided_at"]
    assert (answer["metrics"], answer["contact"], answer["earnings"]) == (True, True, False)
    assert "13800138000" not in str(answer)
    BindingConsent.objects.filter(binding=binding).delete()  # a binding that never asked
    listed = client.get("/api/v1/bindings/").json()["results"]
    assert [row["consent"] for row in listed if row["id"] == binding.pk] == [None]
