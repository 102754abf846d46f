"""`Idempotency-Key`: a retry gets the first answer and the work is done once; the same key for
another request is refused; errors are not kept; keys are per user and live a day."""

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from incentives.models import LedgerEntry, ListStatus, RewardList
from incentives.services import settlement_compute, settlement_submit
from portal.audit.models import AuditEntry
from portal.core.idempotency import idempotent
from portal.core.models import IdempotencyKey, Notification
from tests.accounts.factories import OperatorFactory
from tests.incentives.test_computation import setup_cycle

EN = {"Accept-Language": "en"}


# --- through the reward-list approval ----------------------------------------------------------


@pytest.fixture
def in_review(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    return settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )


def approve(client, reward_list, revision=None, key="approve-1", path="approve"):
    return client.post(
        f"/api/v1/reward-lists/{reward_list.pk}/{path}/",
        {"revision": reward_list.revision if revision is None else revision},
        content_type="application/json",
        headers={**EN, **({"Idempotency-Key": key} if key else {})},
    )


def test_a_replayed_approval_answers_the_same_body_and_posts_the_ledger_once(
    client, operator, in_review
):
    client.force_login(operator)
    first = approve(client, in_review)
    second = approve(client, in_review)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert first.json()["status"] == "approved"
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.filter(cycle=in_review.cycle).count() == 6
    assert AuditEntry.objects.filter(action="settlement.approve").count() == 1
    assert AuditEntry.objects.filter(action="ledger.post").count() == 1
    stored = IdempotencyKey.objects.get()
    assert (stored.user, stored.key, stored.response_status) == (operator, "approve-1", 200)


def test_without_a_key_a_second_approval_is_refused(client, operator, in_review):
    client.force_login(operator)
    assert approve(client, in_review, key=None).status_code == 200
    again = approve(client, in_review, key=None)
    assert again.status_code == 400
    assert "approved" in again.json()["errors"]["non_field_errors"][0].lower()
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_for_another_body_or_path_is_refused(client, operator, in_review):
    client.force_login(operator)
    assert approve(client, in_review).status_code == 200
    other_body = approve(client, in_review, revision=in_review.revision + 7)
    assert other_body.status_code == 422
    assert other_body.json() == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for another request; use a new key "
        "for a new request.",
    }
    other_path = approve(client, in_review, path="publish")
    assert other_path.status_code == 422
    assert other_path.json()["code"] == "idempotency_key_reused"
    assert RewardList.objects.get(pk=in_review.pk).status == ListStatus.APPROVED


def test_an_error_is_not_kept_so_the_corrected_request_may_reuse_the_key(
    client, operator, in_review
):
    client.force_login(operator)
    stale = approve(client, in_review, revision=in_review.revision - 1)
    assert stale.status_code == 400
    assert not IdempotencyKey.objects.exists()
    corrected = approve(client, in_review)
    assert corrected.status_code == 200 and "Idempotent-Replayed" not in corrected.headers
    assert LedgerEntry.objects.count() == 6


def test_keys_are_per_user(client, operator, in_review):
    program = in_review.cycle.program
    program.second_approval_above = 1000
    program.save()
    client.force_login(operator)
    first = approve(client, in_review, key="same")
    assert first.json()["first_approval_given"] and first.json()["status"] == "in_review"
    client.force_login(OperatorFactory())
    second = approve(client, in_review, key="same")
    assert second.status_code == 200 and "Idempotent-Replayed" not in second.headers
    assert second.json()["status"] == "approved"
    assert IdempotencyKey.objects.count() == 2


def test_a_malformed_key_is_a_400(client, operator, in_review):
    client.force_login(operator)
    for key in ["x" * 201, "clé"]:
        response = approve(client, in_review, key=key)
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "Idempotency-Key": ["An Idempotency-Key is 1 to 200 printable ASCII characters."]
        }
    assert approve(client, in_review, key="x" * 200).status_code == 200


def test_the_operator_actions_document_the_header(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in [
        "/api/v1/cycles/{id}/compute/",
        "/api/v1/reward-lists/{id}/submit/",
        "/api/v1/reward-lists/{id}/return/",
        "/api/v1/reward-lists/{id}/approve/",
        "/api/v1/reward-lists/{id}/publish/",
        "/api/v1/reward-lists/{id}/adjustments/",
    ]:
        operation = schema["paths"][path]["post"]
        assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}, path
        assert {"409", "422"} <= set(operation["responses"]), path


# --- the decorator on its own ------------------------------------------------------------------


class Work(APIView):
    """Writes a notification for the caller (the work) and answers how many it has."""

    fail = None

    @idempotent
    def post(self, request):
        Notification.objects.create(recipient=request.user, event="test.work")
        if Work.fail == "refuse":
            return Response({"code": "invalid", "message": "no"}, status=400)
        if Work.fail == "raise":
            raise serializers.ValidationError({"name": ["no"]})
        if Work.fail == "crash":
            raise RuntimeError("boom")
        count = Notification.objects.filter(recipient=request.user).count()
        return Response({"done": count, "name": request.data.get("name")}, status=201)


@pytest.fixture
def send(operator):
    Work.fail = None
    factory = APIRequestFactory()

    def send(body=None, key="k-1", user=operator, path="/work/", raw=None, read_form=False):
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        if raw is not None:
            request = factory.post(path, raw, content_type="application/json", **headers)
        elif read_form:
            request = factory.post(path, body, format="multipart", **headers)
            assert request.POST  # read early, as the CSRF check does for a form
        else:
            request = factory.post(path, body or {}, format="json", **headers)
        force_authenticate(request, user=user)
        response = Work.as_view()(request)
        response.render()
        return response

    yield send
    Work.fail = None


def work_done():
    return Notification.objects.filter(event="test.work").count()


def test_a_replay_does_not_run_the_view(send):
    first = send({"name": "a"})
    assert first.status_code == 201 and first.data == {"done": 1, "name": "a"}
    replayed = send({"name": "a"})
    assert (replayed.status_code, replayed.content) == (201, first.content)
    assert replayed["Idempotent-Replayed"] == "true"
    assert work_done() == 1


def test_without_the_header_every_request_runs(send):
    send({"name": "a"}, key=None)
    send({"name": "a"}, key=None)
    assert work_done() == 2 and not IdempotencyKey.objects.exists()


def test_json_spacing_and_key_order_make_no_difference(send):
    send(raw='{"name":"a","n":1}')
    assert send(raw='{ "n": 1,\n  "name": "a" }')["Idempotent-Replayed"] == "true"
    assert send(raw='{"name":"a","n":2}').status_code == 422
    assert send({"name": "a", "n": 1}, path="/elsewhere/").status_code == 422
    assert work_done() == 1


def test_a_form_read_before_the_view_is_compared_by_its_fields_and_files(send):
    def form(content):
        return {"name": "a", "file": SimpleUploadedFile("result.csv", content)}

    assert send(form(b"1,2\n"), read_form=True).status_code == 201
    assert send(form(b"1,2\n"), read_form=True)["Idempotent-Replayed"] == "true"
    assert send(form(b"1,3\n"), read_form=True).status_code == 422
    assert work_done() == 1


@pytest.mark.parametrize("failure,status", [("refuse", 400), ("raise", 400), ("crash", 500)])
def test_an_error_rolls_back_the_work_and_the_key(send, failure, status):
    Work.fail = failure
    assert send({"name": "a"}).status_code == status
    assert work_done() == 0 and not IdempotencyKey.objects.exists()
    Work.fail = None
    retried = send({"name": "a"})
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert work_done() == 1


def test_a_key_older_than_a_day_is_replaced(send):
    send({"name": "a"})
    IdempotencyKey.objects.update(
        created_at=IdempotencyKey.objects.get().created_at - datetime.timedelta(hours=25)
    )
    again = send({"name": "b"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.data == {"done": 2, "name": "b"}
    assert IdempotencyKey.objects.count() == 1


def test_the_same_key_of_two_users_are_two_keys(send, manager):
    send({"name": "a"})
    assert "Idempotent-Replayed" not in send({"name": "a"}, user=manager)
    assert work_done() == 2


# --- at the same time (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_sent_at_once_with_one_key_post_the_ledger_once(beauty, monkeypatch):
    """The second request's claim waits for the first transaction, then replays its answer."""
    import time

    from django.test import Client

    from incentives import services
    from tests.organizations.factories import OrganizationFactory

    runs = []
    approve_for_real = services.settlement_approve

    def slow_approve(**kwargs):
        runs.append(1)
        time.sleep(0.5)  # both requests are in flight while the first one works
        return approve_for_real(**kwargs)

    monkeypatch.setattr(services, "settlement_approve", slow_approve)

    operator = OperatorFactory()
    organization = OrganizationFactory(categories=[beauty])
    cycle, _version = setup_cycle(operator, organization, beauty)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(operator)
    barrier = threading.Barrier(len(clients))
    responses = []

    def send(client):
        try:
            barrier.wait()
            responses.append(approve(client, reward_list, key="at-once"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(runs) == 1
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].content == responses[1].content
    assert sorted(r.headers.get("Idempotent-Replayed", "-") for r in responses) == ["-", "true"]
    assert LedgerEntry.objects.filter(cycle=cycle).count() == 6
    assert AuditEntry.objects.filter(action="settlement.approve").count() == 1
    assert IdempotencyKey.objects.count() == 1
