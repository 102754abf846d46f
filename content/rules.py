"""Who may do what with videos, originality and quality (see portal/accounts/permissions.py)."""

from django.utils.translation import gettext_lazy as _

from organizations.rules import is_org_admin
from portal.accounts.models import Role
from portal.accounts.permissions import (
    is_operator,
    is_partner,
    is_staff,
    manager_category_ids,
    rule,
)
from portal.audit.labels import register_details
from portal.audit.services import register_actions


def _member(user) -> bool:
    return user.role == Role.ORGANIZATION and getattr(user, "membership", None) is not None


@rule("content.view")
def can_view_content(user, obj=None):
    """Staff, the people of an organization (their videos) and partner applications."""
    return is_staff(user) or is_partner(user) or _member(user)


@rule("content.write")
def can_write_content(user, obj=None):
    """Operators and partner applications (the content system; the token needs content:write)."""
    return is_operator(user) or is_partner(user)


rule("content.import")(is_operator)
rule("content.configure")(is_operator)


def _manages_field(user, video) -> bool:
    return video is not None and video.category_id in manager_category_ids(user)


@rule("originality.queue")
def can_see_queue(user, obj=None):
    return is_operator(user) or user.role == Role.MANAGER


@rule("originality.decide")
def can_decide(user, video):
    """Operators, and managers of the video's creative field."""
    return is_operator(user) or (user.role == Role.MANAGER and _manages_field(user, video))


@rule("originality.appeal")
def can_appeal(user, video):
    """Owners and admins of the organization the video was published under."""
    if video is None or video.organization is None or not _member(user):
        return False
    return is_org_admin(user, video.organization)


@rule("originality.hear_appeal")
def can_hear_appeal(user, decision):
    """An operator, or a manager of the field who did not make the decision."""
    if decision is None:
        return False
    if decision.decided_by_id == user.pk:
        return False
    return is_operator(user) or (
        user.role == Role.MANAGER and _manages_field(user, decision.review.video)
    )


rule("quality.queue")(can_see_queue)
rule("quality.grade")(can_decide)


@rule("quality.nominate")
def can_nominate(user, video):
    """Managers of the field, operators, and the admins of the video's organization."""
    if can_decide(user, video):
        return True
    return (
        video is not None
        and video.organization is not None
        and _member(user)
        and is_org_admin(user, video.organization)
    )


register_actions(
    {
        "content.videos_upsert": _("Videos received"),
        "content.metrics_upsert": _("Video figures received"),
        "content.cover": _("Video cover received"),
        "content.import": _("Videos file imported"),
        "content.configure": _("Content settings changed"),
        "originality.check": _("Originality checked"),
        "originality.decide": _("Originality decided"),
        "originality.appeal": _("Originality decision appealed"),
        "originality.appeal_heard": _("Originality appeal heard"),
        "originality.correct": _("Paid list corrected after an originality decision"),
        "quality.grade": _("Video graded"),
        "quality.nominate": _("Video nominated for grading"),
        "quality.sample": _("Videos sampled for grading"),
        "quality.rubric": _("Quality rubric changed"),
    }
)

register_details(
    {
        "content.videos_upsert:updated": _("Videos updated"),
        "content.videos_upsert:created": _("Videos created"),
        "originality.check:checked": _("Videos checked"),
        "originality.check:suspected": _("Suspected copies"),
        "originality.check:clear": _("Found original"),
        "originality.decide:reason": _("Reason"),
        "originality.appeal_heard:reason": _("Reason"),
        "originality.appeal_heard:upheld": _("Decision upheld"),
        "originality.appeal:decision": _("Decision appealed"),
        "originality.correct:decision": _("Originality decision"),
        "originality.correct:corrections": _("Corrections"),
        "quality.grade:rubric": _("Rubric version"),
        "quality.grade:score": _("Score"),
        "quality.grade:grade": _("Grade"),
        "quality.sample:queued": _("Videos queued for grading"),
        "quality.rubric:draft": _("Draft version"),
        "quality.rubric:edited": _("Edited version"),
        "quality.rubric:published": _("Published version"),
        "content.configure:label": _("Label"),
    }
)
