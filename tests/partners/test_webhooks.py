"""Webhooks: signed deliveries of the four domain events to subscribed endpoints (with the read
scope), retried with exponential backoff, recorded, replayed by operators from the portal."""

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners import webhooks
from partners.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEvent
from partners.tasks import deliver_webhook
from portal.audit.models import AuditEntry
from portal.core.models import QueuedTask
from tests.partners.factories import partner_application, webhook_endpoint

EN = {"Accept-Language": "en"}


# --- signing ------------------------------------------------------------------------------------


def test_the_signature_is_a_hex_hmac_sha256_of_timestamp_dot_body():
    body = b'{"id":"evt_1"}'
    assert webhooks.sign("whsec_test", 1767225600, body) == (
        "v1=45b40331de0325606dc5400202ade162460fbe48daf9401adfdcd0d7b4f35470"
    )
    expected = hmac.new(b"whsec_test", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert webhooks.sign("whsec_test", "1767225600", body) == f"v1={expected}"


def test_verification_accepts_the_signed_body_only_and_only_while_fresh():
    body = '{"id":"evt_1","data":{"name":"星河"}}'.encode()
    sent = 1767225600
    signature = webhooks.sign("whsec_test", sent, body)
    assert webhooks.verify_signature("whsec_test", sent, body, signature, now=sent + 10)
    assert webhooks.verify_signature("whsec_test", str(sent), body.decode(), signature, now=sent)
    # Several signatures (during a secret change): any one of them may match.
    assert webhooks.verify_signature("whsec_test", sent, body, f"v1=00, {signature}", now=sent)
    tampered = body.replace(b"evt_1", b"evt_2")
    assert not webhooks.verify_signature("whsec_test", sent, tampered, signature, now=sent)
    assert not webhooks.verify_signature("another", sent, body, signature, now=sent)
    assert not webhooks.verify_signature("whsec_test", sent, body, signature, now=sent + 301)
    assert not webhooks.verify_signature("whsec_test", sent, body, signature, now=sent - 301)
    assert webhooks.verify_signature(
        "whsec_test", sent, body, signature, tolerance=600, now=sent + 500
    )
    assert not webhooks.verify_signature("whsec_test", "soon", body, signature, now=sent)
    assert not webhooks.verify_signature("whsec_test", sent, body, "", now=sent)


# --- emitting -----------------------------------------------------------------------------------


@pytest.fixture
def endpoints(operator):
    """Every event to a reader of everything; every event to an application without the read
    scopes; organization events only; and an inactive endpoint."""
    reader = partner_application(operator, name="全量读取")
    everything, _ = webhook_endpoint(operator, reader, url="https://a.example.com/hook")
    blind = partner_application(operator, name="无读取", scopes=["metrics:write"])
    webhook_endpoint(operator, blind, url="https://b.example.com/hook")
    organizations_only, _ = webhook_endpoint(
        operator,
        reader,
        url="https://c.example.com/hook",
        events=["organization.approved", "organization.suspended"],
    )
    gone, _ = webhook_endpoint(operator, reader, url="https://d.example.com/hook")
    from partners.services import webhook_endpoint_deactivate

    webhook_endpoint_deactivate(actor=operator, endpoint=gone)
    return {"everything": everything, "organizations_only": organizations_only}


def sent_to(event_type):
    event = WebhookEvent.objects.filter(event_type=event_type).latest("id")
    return event, {d.endpoint.url for d in event.deliveries.select_related("endpoint")}


def queued(event):
    return sorted(
        row.kwargs["delivery_id"]
        for row in QueuedTask.objects.filter(task_name=deliver_webhook.name)
        if row.kwargs["delivery_id"] in set(event.deliveries.values_list("id", flat=True))
    )


def test_organization_events_go_to_subscribed_endpoints_with_the_read_scope(
    operator, organization, endpoints
):
    from organizations.services.lifecycle import organization_transition

    organization_transition(
        actor=operator, organization=organization, transition="suspend", reason="资料过期"
    )
    event, urls = sent_to("organization.suspended")
    assert urls == {"https://a.example.com/hook", "https://c.example.com/hook"}
    assert event.payload["type"] == "organization.suspended"
    assert event.payload["id"] == str(event.uuid) and event.payload["occurred_at"]
    assert event.payload["data"]["organization"] == {
        "id": organization.pk,
        "legal_name": organization.legal_name,
        "status": "suspended",
        "status_changed_at": event.payload["data"]["organization"]["status_changed_at"],
    }
    assert event.object_type == "organizations.organization"
    assert event.object_id == str(organization.pk)
    assert len(queued(event)) == 2

    organization_transition(
        actor=operator, organization=organization, transition="reinstate", reason="已更新"
    )
    event, urls = sent_to("organization.approved")
    assert urls == {"https://a.example.com/hook", "https://c.example.com/hook"}
    assert event.payload["data"]["transition"] == "reinstate"


def test_binding_changes_go_to_endpoints_subscribed_to_them(
    operator, organization, other_organization, other_owner, endpoints
):
    from creators.services import binding_end, binding_start, transfer_confirm, transfer_request
    from creators.services.transfers import transfer_path
    from tests.creators.factories import CreatorFactory

    creator = CreatorFactory()
    binding = binding_start(
        actor=operator,
        creator=creator,
        organization=organization,
        started_on=timezone.localdate(),
    )
    event, urls = sent_to("binding.changed")
    assert urls == {"https://a.example.com/hook"}
    assert event.payload["data"]["change"] == "started"
    assert event.payload["data"]["binding"]["id"] == binding.pk

    transfer = transfer_request(
        actor=other_owner, creator=creator, to_organization=other_organization
    )
    token = transfer_path(transfer).rstrip("/").rsplit("/", 1)[-1]
    new = transfer_confirm(transfer=transfer, token=token)
    event, urls = sent_to("binding.changed")
    assert urls == {"https://a.example.com/hook"}
    data = event.payload["data"]
    assert data["change"] == "transferred" and data["binding"]["id"] == new.pk
    assert data["previous_binding"]["id"] == binding.pk and data["previous_binding"]["ended_on"]

    binding_end(actor=operator, binding=new, reason="合约到期")
    event, _urls = sent_to("binding.changed")
    assert event.payload["data"]["change"] == "ended"
    assert WebhookEvent.objects.filter(event_type="binding.changed").count() == 3


def test_a_published_reward_list_is_sent(operator, organization, beauty, endpoints):
    from tests.incentives.test_api import active_cycle, bind_with_metrics, published

    cycle = active_cycle(operator, organization, beauty)
    bind_with_metrics(organization)
    reward_list = published(operator, cycle)
    event, urls = sent_to("reward_list.published")
    assert urls == {"https://a.example.com/hook"}
    assert event.payload["data"]["reward_list"]["id"] == reward_list.pk
    assert event.payload["data"]["reward_list"]["status"] == "published"


def test_a_published_shortlist_is_sent(operator, organization, beauty, endpoints):
    from incubation.services import (
        shortlist_add,
        shortlist_for,
        shortlist_freeze,
        shortlist_publish,
    )
    from tests.incubation.test_shortlist import pool_of

    shortlist = shortlist_for(2026)
    creators = pool_of(1, beauty, organization=organization)
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creators[0], reason="x", expected_version=1
    )
    shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=2)
    shortlist_publish(actor=operator, shortlist=shortlist)
    event, urls = sent_to("shortlist.published")
    assert urls == {"https://a.example.com/hook"}
    assert event.payload["data"]["shortlist"]["year"] == 2026
    assert event.payload["data"]["shortlist"]["entries"] == 1


def test_nothing_is_recorded_without_a_receiving_endpoint(operator, organization):
    from organizations.services.lifecycle import organization_transition

    organization_transition(
        actor=operator, organization=organization, transition="suspend", reason="资料过期"
    )
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()


def test_emit_must_run_inside_the_change_transaction():
    with pytest.raises(RuntimeError):
        webhooks.emit("shortlist.published", {})


# --- delivering to a real local receiver --------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that records requests and answers with the given codes."""

    def __init__(self, codes):
        self.codes = list(codes)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                answer = json.dumps({"ok": code < 300, "filler": "x" * 3000}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/portal"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_http(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True  # the receiver listens on 127.0.0.1


def suspended_delivery(operator, organization, url):
    from organizations.services.lifecycle import organization_transition

    application = partner_application(operator)
    endpoint, secret = webhook_endpoint(
        operator, application, url=url, events=["organization.suspended"]
    )
    organization_transition(
        actor=operator, organization=organization, transition="suspend", reason="资料过期"
    )
    return WebhookDelivery.objects.get(endpoint=endpoint), secret


def make_due(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_local_receiver_gets_a_signed_delivery_when_the_change_commits(
    operator, organization, local_http, django_capture_on_commit_callbacks
):
    from organizations.services.lifecycle import organization_transition

    with Receiver([204]) as receiver:
        application = partner_application(operator)
        endpoint, secret = webhook_endpoint(
            operator, application, url=receiver.url, events=["organization.suspended"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            organization_transition(
                actor=operator, organization=organization, transition="suspend", reason="x"
            )
    [(headers, body)] = receiver.requests
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Portal-Event"] == "organization.suspended"
    assert headers["X-Portal-Delivery"] == str(delivery.pk)
    assert abs(int(headers["X-Portal-Timestamp"]) - time.time()) < 60
    assert webhooks.verify_signature(
        secret, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"]
    )
    assert json.loads(body)["data"]["organization"]["id"] == organization.pk
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 1
    assert delivery.last_status_code == 204 and delivery.next_attempt_at is None
    attempt = delivery.attempts.get()
    assert attempt.succeeded and attempt.status_code == 204 and attempt.error == ""


def test_a_failed_attempt_is_retried_with_backoff_then_succeeds(operator, organization, local_http):
    with Receiver([500, 200]) as receiver:
        delivery, secret = suspended_delivery(operator, organization, receiver.url)
        with (
            mock.patch.object(deliver_webhook, "retry", side_effect=Retry()) as retry,
            pytest.raises(Retry),
        ):
            deliver_webhook.run(delivery_id=delivery.pk)
        countdown = retry.call_args.kwargs["countdown"]
        assert 60 <= countdown <= 75
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempt_count == 1
        assert delivery.last_status_code == 500
        waited = (delivery.next_attempt_at - timezone.now()).total_seconds()
        assert countdown - 5 <= waited <= countdown
        # Not due yet: a duplicate message sends nothing.
        assert webhooks.attempt_delivery(delivery.pk) is None
        assert len(receiver.requests) == 1

        make_due(delivery)
        deliver_webhook.run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 2
    first, second = delivery.attempts.order_by("number")
    assert (first.status_code, first.succeeded, second.status_code) == (500, False, 200)
    assert "500" in first.error and len(first.response_body) <= 2049
    # Every attempt signs the same body with its own timestamp.
    assert receiver.requests[0][1] == receiver.requests[1][1]
    for headers, body in receiver.requests:
        assert webhooks.verify_signature(
            secret, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"]
        )


def test_backoff_doubles_with_jitter():
    for attempts, base in [(1, 60), (2, 120), (3, 240), (4, 480), (7, 3840)]:
        assert all(base <= webhooks.backoff(attempts) <= base * 1.25 for _ in range(20))


def test_the_delivery_gives_up_after_the_last_attempt(operator, organization, local_http, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver([503]) as receiver:
        delivery, _secret = suspended_delivery(operator, organization, receiver.url)
        countdowns = []
        for _ in range(3):
            make_due(delivery)
            countdowns.append(webhooks.attempt_delivery(delivery.pk))
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempt_count == 3
        assert delivery.next_attempt_at is None
        make_due(delivery)  # even when asked again, a delivery that gave up sends nothing
        assert webhooks.attempt_delivery(delivery.pk) is None
    assert countdowns[2] is None and 60 <= countdowns[0] < countdowns[1]
    assert len(receiver.requests) == 3


def test_an_unreachable_endpoint_is_recorded_as_an_error(operator, organization, local_http):
    with Receiver([200]) as receiver:
        url = receiver.url
    delivery, _secret = suspended_delivery(operator, organization, url)
    assert webhooks.attempt_delivery(delivery.pk) is not None
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error and not attempt.succeeded


def test_a_deactivated_endpoint_gets_nothing_more(operator, organization, local_http):
    from partners.services import webhook_endpoint_deactivate

    with Receiver([200]) as receiver:
        delivery, _secret = suspended_delivery(operator, organization, receiver.url)
        webhook_endpoint_deactivate(actor=operator, endpoint=delivery.endpoint)
        assert webhooks.attempt_delivery(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.GAVE_UP and receiver.requests == []


# --- endpoints ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.partner.example.com/x",
        "http://127.0.0.1:8000/x",
        "ftp://hooks.partner.example.com/x",
        "https://user:pw@hooks.partner.example.com/x",
        "hooks.partner.example.com",
    ],
)
def test_only_https_addresses_are_accepted(operator, url, settings):
    settings.DEBUG = False
    application = partner_application(operator)
    with pytest.raises(ValidationError):
        webhook_endpoint(operator, application, url=url)


def test_plain_http_to_this_machine_is_allowed_for_development(operator, settings):
    settings.DEBUG = True
    application = partner_application(operator)
    endpoint, _ = webhook_endpoint(operator, application, url="http://localhost:9000/hook")
    assert endpoint.url == "http://localhost:9000/hook"
    with pytest.raises(ValidationError):
        webhook_endpoint(operator, application, url="http://10.0.0.5/hook")


def test_an_endpoint_needs_known_events(operator):
    application = partner_application(operator)
    for events in ([], ["organization.deleted"]):
        with pytest.raises(ValidationError):
            webhook_endpoint(operator, application, events=events)


# --- the portal ---------------------------------------------------------------------------------


def test_an_operator_adds_an_endpoint_and_sees_its_secret_once(client, operator):
    application = partner_application(operator)
    client.force_login(operator)
    created = client.post(
        reverse("partners:webhook_create", args=[application.pk]),
        {"url": "https://hooks.partner.example.com/portal", "events": ["shortlist.published"]},
        headers=EN,
    )
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    secret = created.context["secret"]
    assert secret.startswith("whsec_") and secret in created.content.decode()
    endpoint = application.webhook_endpoints.get()
    assert endpoint.events == ["shortlist.published"] and endpoint.secret == secret
    entry = AuditEntry.objects.get(action="partner.webhook_create")
    assert entry.actor == operator and secret not in json.dumps(entry.after)
    page = client.get(reverse("partners:detail", args=[application.pk]), headers=EN)
    assert secret not in page.content.decode()
    assert "https://hooks.partner.example.com/portal" in page.content.decode()

    refused = client.post(
        reverse("partners:webhook_create", args=[application.pk]),
        {"url": "http://hooks.partner.example.com/", "events": ["shortlist.published"]},
        headers=EN,
    )
    assert refused.status_code == 200 and "url" in refused.context["webhook_form"].errors

    client.post(
        reverse("partners:webhook_deactivate", args=[application.pk, endpoint.pk]), headers=EN
    )
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert AuditEntry.objects.filter(action="partner.webhook_deactivate").count() == 1


def test_an_operator_replays_a_delivery_from_its_page(
    client, operator, organization, local_http, django_capture_on_commit_callbacks
):
    with Receiver([500, 200]) as receiver:
        delivery, _secret = suspended_delivery(operator, organization, receiver.url)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.GAVE_UP)
        client.force_login(operator)
        application_pk = delivery.endpoint.application_id
        url = reverse("partners:delivery", args=[application_pk, delivery.pk])
        page = client.get(url, headers=EN)
        assert page.status_code == 200 and "Replay" in page.content.decode()
        assert page.context["can_replay"]
        with django_capture_on_commit_callbacks(execute=True):
            replayed = client.post(
                reverse("partners:delivery_replay", args=[application_pk, delivery.pk]),
                headers=EN,
            )
        assert replayed.status_code == 302
    delivery.refresh_from_db()
    # A replay is one attempt, with the operator's name; a failure is not retried.
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempt_count == 1
    attempt = delivery.attempts.get()
    assert attempt.replayed_by == operator and attempt.status_code == 500
    entry = AuditEntry.objects.get(action="partner.webhook_replay")
    assert entry.actor == operator and entry.after["event"] == str(delivery.event.uuid)

    with Receiver([200]) as receiver:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.GAVE_UP)
        from partners.models import WebhookEndpoint

        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("partners:delivery_replay", args=[application_pk, delivery.pk]),
                headers=EN,
            )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 2
    [(headers, _body)] = receiver.requests
    assert headers["X-Portal-Delivery"] == str(delivery.pk)
    page = client.get(url, headers=EN).content.decode()
    assert "replayed by" in page and "Olivia Operator" in page


def test_a_delivery_still_being_attempted_is_not_replayed(client, operator, organization):
    delivery, _secret = suspended_delivery(operator, organization, "https://a.example.com/h")
    client.force_login(operator)
    application_pk = delivery.endpoint.application_id
    client.post(reverse("partners:delivery_replay", args=[application_pk, delivery.pk]), headers=EN)
    assert not AuditEntry.objects.filter(action="partner.webhook_replay").exists()


@pytest.mark.parametrize("role", ["manager", "owner", "pets_manager"])
def test_only_operators_open_webhook_pages_or_replay(request, client, operator, organization, role):
    delivery, _secret = suspended_delivery(operator, organization, "https://a.example.com/h")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SUCCEEDED)
    application_pk = delivery.endpoint.application_id
    client.force_login(request.getfixturevalue(role))
    urls = [
        ("get", reverse("partners:delivery", args=[application_pk, delivery.pk])),
        ("post", reverse("partners:delivery_replay", args=[application_pk, delivery.pk])),
        ("post", reverse("partners:webhook_create", args=[application_pk])),
        (
            "post",
            reverse("partners:webhook_deactivate", args=[application_pk, delivery.endpoint_id]),
        ),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, headers=EN).status_code == 403
    client.logout()
    for method, url in urls:
        assert getattr(client, method)(url, headers=EN).status_code == 302
    assert not AuditEntry.objects.filter(action__startswith="partner.webhook_replay").exists()
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SUCCEEDED


def test_deliveries_are_listed_on_the_application_page(client, operator, organization):
    delivery, _secret = suspended_delivery(operator, organization, "https://a.example.com/h")
    client.force_login(operator)
    page = client.get(
        reverse("partners:detail", args=[delivery.endpoint.application_id]), headers=EN
    )
    assert list(page.context["deliveries"]) == [delivery]
    assert (
        reverse("partners:delivery", args=[delivery.endpoint.application_id, delivery.pk])
        in page.content.decode()
    )


def test_overdue_deliveries_are_sent_again(operator, organization):
    from partners.tasks import retry_due_webhooks

    delivery, _secret = suspended_delivery(operator, organization, "https://a.example.com/h")
    QueuedTask.objects.all().delete()
    retry_due_webhooks.run()
    assert not QueuedTask.objects.exists()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with transaction.atomic():
        retry_due_webhooks.run()
    assert QueuedTask.objects.get().kwargs == {"delivery_id": delivery.pk}


def test_the_tasks_are_registered_and_the_sweep_is_scheduled():
    from django.conf import settings as django_settings

    from portal.celery import app

    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "partners.tasks.retry_due_webhooks" in schedule
    assert {"partners.tasks.deliver_webhook", "partners.tasks.retry_due_webhooks"} <= set(
        app.tasks.keys()
    )
