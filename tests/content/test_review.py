"""Decisions, the one appeal and who may hear it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from content.models import Appeal, AppealStatus, Decision, Originality, ReviewStatus
from content.services import originality_appeal, originality_appeal_hear, originality_decide

pytestmark = pytest.mark.django_db


def decide_copy(manager, suspect, reasons):
    return originality_decide(
        actor=manager,
        review=suspect["review"],
        outcome="copy",
        reason=reasons["reupload"],
        note="画面一致",
    )


def test_a_manager_of_the_field_decides_and_the_video_stops_counting(manager, suspect, reasons):
    decision = decide_copy(manager, suspect, reasons)
    video = suspect["video"]
    video.refresh_from_db()
    assert (video.originality, video.counts_as_original) == (Originality.COPY, False)
    assert decision.review.status == ReviewStatus.OPEN  # the object passed in; the row:
    decision.review.refresh_from_db()
    assert decision.review.status == ReviewStatus.DECIDED
    with pytest.raises(ValidationError):
        decide_copy(manager, suspect, reasons)


def test_a_manager_of_another_field_may_not_decide(pets_manager, suspect, reasons):
    with pytest.raises(PermissionDenied):
        decide_copy(pets_manager, suspect, reasons)


def test_the_reason_must_fit_the_outcome(manager, suspect, reasons):
    with pytest.raises(ValidationError) as error:
        originality_decide(
            actor=manager, review=suspect["review"], outcome="copy", reason=reasons["own_footage"]
        )
    assert "reason" in error.value.message_dict


def test_the_organization_reads_the_reason_in_its_language(
    client, owner, manager, suspect, reasons
):
    decide_copy(manager, suspect, reasons)
    client.force_login(owner)
    page = client.get(
        reverse("content:video", args=[suspect["video"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Re-upload of another creator" in page.content.decode()
    owner.language = "zh-hans"
    owner.save()
    page = client.get(reverse("content:video", args=[suspect["video"].pk]))
    assert "搬运他人视频" in page.content.decode()


def test_an_owner_appeals_once(owner, manager, suspect, reasons):
    decision = decide_copy(manager, suspect, reasons)
    appeal = originality_appeal(actor=owner, decision=decision, statement="原始素材可提供")
    assert appeal.status == AppealStatus.OPEN
    with pytest.raises(ValidationError, match="appealed once"):
        originality_appeal(
            actor=owner, decision=Decision.objects.get(pk=decision.pk), statement="再次申诉"
        )
    assert Appeal.objects.count() == 1


def test_a_member_who_is_not_an_admin_may_not_appeal(member, manager, suspect, reasons):
    decision = decide_copy(manager, suspect, reasons)
    with pytest.raises(PermissionDenied):
        originality_appeal(actor=member, decision=decision, statement="x")


def test_no_appeal_after_the_window(owner, manager, suspect, reasons):
    decision = decide_copy(manager, suspect, reasons)
    Decision.objects.filter(pk=decision.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=15)
    )
    decision.refresh_from_db()
    with pytest.raises(ValidationError, match="window"):
        originality_appeal(actor=owner, decision=decision, statement="太晚了")


def test_an_original_decision_cannot_be_appealed(owner, manager, suspect, reasons):
    decision = originality_decide(
        actor=manager, review=suspect["review"], outcome="original", reason=reasons["own_footage"]
    )
    with pytest.raises(ValidationError):
        originality_appeal(actor=owner, decision=decision, statement="x")


def test_the_deciding_manager_may_not_hear_the_appeal_but_another_reviewer_may(
    owner, manager, second_manager, pets_manager, operator, suspect, reasons
):
    decision = decide_copy(manager, suspect, reasons)
    appeal = originality_appeal(actor=owner, decision=decision, statement="原始素材可提供")
    for refused in (manager, pets_manager, owner):
        with pytest.raises(PermissionDenied):
            originality_appeal_hear(
                actor=refused,
                appeal=appeal,
                uphold=True,
                outcome="original",
                reason=reasons["own_footage"],
                response="ok",
            )
    final = originality_appeal_hear(
        actor=second_manager,
        appeal=appeal,
        uphold=True,
        outcome="original",
        reason=reasons["own_footage"],
        response="素材确认为原创",
    )
    appeal.refresh_from_db()
    suspect["video"].refresh_from_db()
    assert (appeal.status, appeal.heard_by) == (AppealStatus.UPHELD, second_manager)
    assert final.on_appeal and suspect["video"].originality == Originality.ORIGINAL
    with pytest.raises(ValidationError):
        originality_appeal_hear(
            actor=operator, appeal=appeal, uphold=False, reason=reasons["reupload"], response="x"
        )


def test_a_dismissed_appeal_keeps_the_copy_decision(owner, manager, operator, suspect, reasons):
    appeal = originality_appeal(
        actor=owner, decision=decide_copy(manager, suspect, reasons), statement="请复核"
    )
    originality_appeal_hear(
        actor=operator, appeal=appeal, uphold=False, reason=reasons["reupload"], response="维持原判"
    )
    suspect["video"].refresh_from_db()
    assert suspect["video"].originality == Originality.COPY
    assert Appeal.objects.get().status == AppealStatus.DISMISSED


def test_decide_and_next_opens_the_next_video_of_the_queue(client, manager, suspect, reasons):
    from tests.content.factories import HASH_A, check, flipped, make_video
    from tests.creators.factories import CreatorFactory

    make_video(CreatorFactory(), frames=[flipped(h, 1) for h in HASH_A], days_ago=1)
    check()
    client.force_login(manager)
    response = client.post(
        reverse("content:decide", args=[suspect["review"].pk]),
        {"outcome": "copy", "reason": reasons["reupload"].pk, "note": ""},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/content/reviews/")
    assert response["Location"] != reverse("content:review", args=[suspect["review"].pk])


def test_decisions_and_grades_go_out_as_webhooks_to_partners_with_content_read(
    operator, manager, suspect, reasons
):
    from content.models import Rubric
    from content.services import video_grade
    from partners.models import WebhookEvent
    from tests.partners.factories import partner_application, webhook_endpoint

    reader = partner_application(operator, scopes=["content:read"])
    blind = partner_application(operator, name="无权限", scopes=["metrics:read"])
    webhook_endpoint(operator, reader)
    webhook_endpoint(operator, blind, url="https://other.partner.example.com/hook")
    decide_copy(manager, suspect, reasons)
    rubric = Rubric.objects.get()
    video_grade(
        actor=manager, video=suspect["video"], scores={c.pk: 4 for c in rubric.criteria.all()}
    )
    events = {e.event_type: e for e in WebhookEvent.objects.all()}
    assert set(events) == {"video.originality_decided", "video.graded"}
    decided = events["video.originality_decided"]
    assert decided.payload["data"]["originality"] == "copy"
    assert decided.payload["data"]["reason"] == "reupload"
    assert events["video.graded"].payload["data"]["grade"] == "A"
    assert {d.endpoint.application_id for d in decided.deliveries.all()} == {reader.pk}
