"""The reserve pool: nominations, their review, entry by rule, and stage changes with history."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Creator
from incubation import selectors
from incubation.models import (
    EntryRule,
    Nomination,
    NominationLimit,
    NominationStatus,
    PoolMember,
    PoolSource,
    PoolStage,
    StageChange,
)
from organizations.models import Organization
from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import notify

# Creator.stage mirrors the pool stage (rosters and the API show it); an exited member is "none".
CREATOR_STAGE = {
    PoolStage.RESERVE: "reserve",
    PoolStage.INCUBATING: "incubating",
    PoolStage.TOP_100: "top_100",
    PoolStage.EXITED: "none",
}
# The moves a reviewer may make by hand; top-100 comes from freezing the shortlist.
MOVES = {
    PoolStage.RESERVE: {PoolStage.INCUBATING, PoolStage.EXITED},
    PoolStage.INCUBATING: {PoolStage.RESERVE, PoolStage.EXITED},
    PoolStage.TOP_100: {PoolStage.INCUBATING, PoolStage.EXITED},
    PoolStage.EXITED: {PoolStage.RESERVE},
}


@transaction.atomic
def nomination_create(*, actor, creator: Creator, case: str) -> Nomination:
    """Nominate a creator for the reserve pool. An organization nominates its own creators within
    its monthly limit (counted under a lock on the organization, so two members at once cannot
    pass it); a manager nominates within their categories, without a limit."""
    authorize(actor, "incubation.nominate", creator)
    case = case.strip()
    if not case:
        raise ValidationError(
            {"case": _("Say in a few words why this creator should be incubated.")}
        )
    if len(case) > 1000:
        raise ValidationError({"case": _("Keep the case under 1,000 characters.")})
    member = PoolMember.objects.filter(creator=creator).exclude(stage=PoolStage.EXITED).first()
    if member is not None:
        raise ValidationError(
            _("This creator is already in the pool (%(stage)s).")
            % {"stage": member.get_stage_display()}
        )
    organization = None
    if actor.role == Role.ORGANIZATION:
        organization = Organization.objects.select_for_update().get(
            pk=actor.membership.organization_id
        )
        today = timezone.localdate()
        limit = selectors.organization_nomination_limit(organization, today)
        if limit is not None and selectors.nominations_used(organization, today) >= limit:
            raise ValidationError(
                _(
                    "Your organization has used its %(limit)s nominations for this month; the "
                    "count starts again on the 1st."
                )
                % {"limit": limit}
            )
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                creator=creator, organization=organization, nominated_by=actor, case=case
            )
    except IntegrityError:
        raise ValidationError(_("This creator already has a nomination under review.")) from None
    audit_record(
        actor=actor,
        action="nomination.create",
        obj=nomination,
        organization=organization,
        after={"creator": creator.pk, "case": case},
    )
    return nomination


def _admit(creator, *, source, actor, nomination=None, entry_rule=None, reason="") -> PoolMember:
    member = PoolMember.objects.select_for_update().filter(creator=creator).first()
    if member is None:
        member = PoolMember.objects.create(
            creator=creator, source=source, nomination=nomination, entry_rule=entry_rule
        )
        before = ""
    elif member.stage == PoolStage.EXITED:
        before = member.stage
        member.stage, member.source = PoolStage.RESERVE, source
        member.nomination, member.entry_rule = nomination, entry_rule
        member.stage_changed_at = timezone.now()
        member.save()
    else:
        return member
    StageChange.objects.create(
        member=member,
        from_stage=before,
        to_stage=PoolStage.RESERVE,
        changed_by=actor,
        reason=reason,
    )
    Creator.objects.filter(pk=creator.pk).update(stage=CREATOR_STAGE[PoolStage.RESERVE])
    return member


@transaction.atomic
def nomination_decide(
    *, actor, nomination: Nomination, accept: bool, reason: str = ""
) -> Nomination:
    """Accept (the creator enters the reserve pool) or decline with a reason."""
    nomination = (
        Nomination.objects.select_for_update().select_related("creator").get(pk=nomination.pk)
    )
    authorize(actor, "incubation.review", nomination.creator)
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(
            _("This nomination was already decided (%(status)s).")
            % {"status": nomination.get_status_display()}
        )
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Tell the nominator why the creator was declined.")})
    nomination.status = NominationStatus.ACCEPTED if accept else NominationStatus.DECLINED
    nomination.decided_by, nomination.decided_at = actor, timezone.now()
    nomination.decline_reason = "" if accept else reason.strip()
    nomination.save()
    if accept:
        _admit(
            nomination.creator,
            source=PoolSource.NOMINATION,
            actor=actor,
            nomination=nomination,
            reason=nomination.case,
        )
    if nomination.organization_id:
        notify(
            recipients=[nomination.nominated_by],
            event="nomination.decided",
            organization=nomination.organization,
            reason=nomination.decline_reason,
        )
    audit_record(
        actor=actor,
        action="nomination.accept" if accept else "nomination.decline",
        obj=nomination,
        organization=nomination.organization,
        before={"status": NominationStatus.PENDING},
        after={"status": nomination.status},
        reason=nomination.decline_reason,
    )
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update().select_related("creator").get(pk=nomination.pk)
    )
    if nomination.nominated_by_id != actor.pk:
        authorize(actor, "incubation.review", nomination.creator)
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(_("Only a nomination under review can be withdrawn."))
    nomination.status = NominationStatus.WITHDRAWN
    nomination.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="nomination.withdraw",
        obj=nomination,
        organization=nomination.organization,
        after={"status": nomination.status},
    )
    return nomination


@transaction.atomic
def member_move(*, actor, member: PoolMember, stage: str, reason: str) -> PoolMember:
    """Move a pool member to another stage, with the reason in its history."""
    member = PoolMember.objects.select_for_update().select_related("creator").get(pk=member.pk)
    authorize(actor, "incubation.review", member.creator)
    if stage not in MOVES.get(member.stage, set()):
        raise ValidationError(
            _("A member in %(stage)s cannot move there by hand.")
            % {"stage": member.get_stage_display()}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the member moves.")})
    return _set_stage(member, stage, actor=actor, reason=reason.strip())


def _set_stage(member: PoolMember, stage: str, *, actor, reason: str) -> PoolMember:
    before = member.stage
    member.stage, member.stage_changed_at = stage, timezone.now()
    member.save(update_fields=["stage", "stage_changed_at"])
    StageChange.objects.create(
        member=member, from_stage=before, to_stage=stage, changed_by=actor, reason=reason
    )
    Creator.objects.filter(pk=member.creator_id).update(stage=CREATOR_STAGE[stage])
    audit_record(
        actor=actor,
        action="pool.stage",
        obj=member,
        before={"stage": before},
        after={"stage": stage},
        reason=reason,
    )
    return member


@transaction.atomic
def entry_rules_apply(*, actor=None, day: datetime.date | None = None) -> int:
    """The nightly entry: every active rule admits the creators it finds. Returns how many."""
    if actor is not None:
        authorize(actor, "incubation.manage")
    day = day or timezone.localdate() - datetime.timedelta(days=1)
    admitted = 0
    for rule in EntryRule.objects.filter(is_active=True).order_by("pk"):
        for creator in selectors.entry_rule_candidates(rule, day).order_by("pk"):
            _admit(
                creator,
                source=PoolSource.ENTRY_RULE,
                actor=actor,
                entry_rule=rule,
                reason=rule.name,
            )
            admitted += 1
    audit_record(
        actor=actor or "system",
        action="pool.entry_rules",
        after={"day": day, "admitted": admitted},
    )
    return admitted


@transaction.atomic
def nomination_limit_set(*, actor, per_organization: int, effective_from: datetime.date):
    authorize(actor, "incubation.manage")
    if per_organization < 1:
        raise ValidationError({"per_organization": _("Allow at least one nomination a month.")})
    limit, _created = NominationLimit.objects.update_or_create(
        effective_from=effective_from,
        defaults={"per_organization": per_organization, "created_by": actor},
    )
    audit_record(
        actor=actor,
        action="nomination_limit.set",
        obj=limit,
        after={"per_organization": per_organization, "effective_from": effective_from},
    )
    return limit
