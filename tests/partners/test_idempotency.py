"""Idempotency-Key on the POSTs that lacked it: decisions, bindings, metrics."""

import datetime

from django.utils import timezone

from creators.models import Binding
from organizations.models import OrganizationStatus
from portal.audit.models import AuditEntry
from portal.core.models import IdempotencyKey
from tests.creators.factories import BindingFactory
from tests.partners.factories import bearer, issue, partner_application

EN = {"Accept-Language": "en"}


def test_a_retried_decision_is_taken_once(client, operator, organization):
    client.force_login(operator)
    url = f"/api/v1/organizations/{organization.pk}/decisions/"
    body = {"transition": "suspend", "reason": "资料过期"}
    headers = {**EN, "Idempotency-Key": "suspend-1"}
    first = client.post(url, body, content_type="application/json", headers=headers)
    again = client.post(url, body, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 200, first.content
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert first.json()["status"] == OrganizationStatus.SUSPENDED
    assert AuditEntry.objects.filter(action="organization.suspend").count() == 1
    # Without the key the second request is a new one (and refused: already suspended).
    assert client.post(url, body, content_type="application/json", headers=EN).status_code == 400


def test_a_retried_binding_end_is_done_once(client, operator, organization):
    binding = BindingFactory(organization=organization)
    client.force_login(operator)
    url = f"/api/v1/bindings/{binding.pk}/end/"
    body = {"ended_on": str(timezone.localdate()), "reason": "合约到期"}
    headers = {**EN, "Idempotency-Key": "end-1"}
    first = client.post(url, body, content_type="application/json", headers=headers)
    again = client.post(url, body, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Binding.objects.get(pk=binding.pk).ended_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="binding.end").count() == 1


def test_a_partners_retried_metrics_batch_is_written_once_and_kept_under_its_account(
    client, operator, organization
):
    creator = BindingFactory(organization=organization).creator
    application = partner_application(operator, scopes=["metrics:write"])
    raw = issue(operator, application)
    day = str(timezone.localdate() - datetime.timedelta(days=1))
    row = {"platform_account_id": creator.platform_account_id, "date": day}
    body = {"rows": [{**row, "plays": 9, "valid_plays": 9}]}
    headers = {**bearer(raw), "Idempotency-Key": "batch-2026-11-03"}
    first = client.post("/api/v1/metrics/", body, content_type="application/json", headers=headers)
    again = client.post("/api/v1/metrics/", body, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 200, first.content
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert AuditEntry.objects.filter(action="metrics.ingest").count() == 1
    assert IdempotencyKey.objects.get().user == application.account
    # The same key for another batch is refused.
    body = {"rows": [{**row, "plays": 10, "valid_plays": 10}]}
    other = client.post("/api/v1/metrics/", body, content_type="application/json", headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
