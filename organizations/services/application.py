"""The application: a draft the applicant fills in step by step, then submits for review."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import (
    CREDIT_CODE_HOLDING_STATES,
    Membership,
    Organization,
    OrganizationStatus,
    OrgRole,
    OtherPlatform,
    Platform,
    ProgramTerms,
)
from organizations.validators import normalize_credit_code, normalize_mobile
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record, snapshot
from portal.core.models import Category
from portal.core.uploads import clean_document

MAX_PRIMARY_CATEGORIES = 3
APPLICATION_FIELDS = [
    "legal_name",
    "credit_code",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "declared_roster_size",
    "main_category",
]
CLOSED_APPLICATION = (OrganizationStatus.REJECTED, OrganizationStatus.WITHDRAWN)


def _clean_value(field: str, value):
    if field == "credit_code":
        return normalize_credit_code(value)
    if field == "contact_phone":
        return normalize_mobile(value)
    if field == "contact_email":
        return (value or "").strip().lower()
    if isinstance(value, str):
        return value.strip()
    return value


def _check_credit_code_free(organization: Organization) -> None:
    code = organization.credit_code
    if not code:
        return
    taken = (
        Organization.objects.filter(credit_code=code, status__in=CREDIT_CODE_HOLDING_STATES)
        .exclude(pk=organization.pk)
        .exists()
    )
    if taken:
        raise ValidationError(
            {
                "credit_code": _(
                    "Another organization has already applied with this unified social credit code."
                )
            }
        )


def _set_categories(
    organization: Organization, main: Category | None, others: Iterable[Category]
) -> None:
    chosen = list(dict.fromkeys([c for c in [main, *others] if c is not None]))
    if len(chosen) > MAX_PRIMARY_CATEGORIES:
        raise ValidationError(
            {
                "other_categories": _("Choose at most %(max)d categories in all.")
                % {"max": MAX_PRIMARY_CATEGORIES}
            }
        )
    if any(not category.is_active for category in chosen):
        raise ValidationError(
            {"other_categories": _("One of the chosen categories is no longer open.")}
        )
    organization.primary_categories.set(chosen)


def _save_application(organization: Organization, fields: dict, categories=None) -> None:
    for field, value in fields.items():
        setattr(organization, field, _clean_value(field, value))
    organization.full_clean(exclude=["licence"], validate_constraints=False)
    _check_credit_code_free(organization)
    organization.save()
    if categories is not None:
        main, others = categories
        _set_categories(organization, main, others)


def _save_and_audit(
    *, actor, organization: Organization, action: str, fields: dict, tracked, categories=None
) -> None:
    """Save `fields` and record only what really changed (nothing when nothing did)."""
    before = snapshot(organization, tracked)
    _save_application(organization, fields, categories)
    after = snapshot(organization, tracked)
    changed = [key for key in tracked if before[key] != after[key]]
    if changed:
        audit_record(
            actor=actor,
            action=action,
            obj=organization,
            organization=organization,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )


@transaction.atomic
def organization_create(
    *,
    actor,
    legal_name: str,
    main_category: Category | None = None,
    other_categories: Iterable[Category] = (),
    **fields,
) -> Organization:
    """Start a draft application; the applicant becomes the organization's owner.

    Someone whose earlier application was rejected or withdrawn starts a new one: their
    membership moves to the new draft (the old organization keeps its history)."""
    authorize(actor, "organization.create")
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown application fields: {sorted(unknown)}")
    organization = Organization(created_by=actor, status=OrganizationStatus.DRAFT)
    _save_application(
        organization,
        {"legal_name": legal_name, "main_category": main_category, **fields},
        categories=(main_category, other_categories),
    )
    previous = Membership.objects.filter(user=actor).first()
    if previous is not None:
        closed = previous.organization
        previous.organization = organization
        previous.role = OrgRole.OWNER
        previous.save(update_fields=["organization", "role"])
        actor.membership = previous
        audit_record(
            actor=actor,
            action="membership.move",
            obj=previous,
            organization=closed,
            before={"organization": closed.pk},
            after={"organization": organization.pk},
        )
    else:
        Membership.objects.create(user=actor, organization=organization, role=OrgRole.OWNER)
    audit_record(
        actor=actor,
        action="organization.create",
        obj=organization,
        organization=organization,
        after=snapshot(organization, [*APPLICATION_FIELDS, "primary_categories", "status"]),
    )
    return organization


@transaction.atomic
def organization_update_application(
    *,
    actor,
    organization: Organization,
    other_categories: Iterable[Category] | None = None,
    **fields,
) -> Organization:
    """Change fields of an application that is still a draft or was sent back for changes."""
    authorize(actor, "organization.edit_application", organization)
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown application fields: {sorted(unknown)}")
    organization.refresh_from_db()
    categories = None
    if other_categories is not None or "main_category" in fields:
        main = fields.get("main_category", organization.main_category)
        if other_categories is None:
            other_categories = organization.primary_categories.exclude(pk=getattr(main, "pk", None))
        categories = (main, other_categories)
    _save_and_audit(
        actor=actor,
        organization=organization,
        action="organization.edit",
        fields=fields,
        tracked=[*APPLICATION_FIELDS, "primary_categories"],
        categories=categories,
    )
    return organization


@transaction.atomic
def organization_set_platforms(
    *, actor, organization: Organization, followers: dict[str, int | None]
) -> Organization:
    """Record the other platforms served: {platform: follower total}; None or 0 removes one."""
    authorize(actor, "organization.edit_application", organization)
    valid = set(Platform.values)
    if set(followers) - valid:
        raise ValidationError(_("Unknown platform."))
    before = dict(organization.other_platforms.values_list("platform", "followers"))
    wanted = {platform: int(n) for platform, n in followers.items() if n}
    organization.other_platforms.exclude(platform__in=wanted).delete()
    for platform, count in wanted.items():
        OtherPlatform.objects.update_or_create(
            organization=organization, platform=platform, defaults={"followers": count}
        )
    if wanted != before:
        audit_record(
            actor=actor,
            action="organization.platforms",
            obj=organization,
            organization=organization,
            before=before,
            after=wanted,
        )
    return organization


@transaction.atomic
def organization_set_licence(*, actor, organization: Organization, upload) -> Organization:
    """Store the business licence after validating it (images are re-encoded, EXIF removed)."""
    authorize(actor, "organization.edit_application", organization)
    try:
        clean = clean_document(upload)
    except ValidationError as error:
        raise ValidationError({"licence": error.messages}) from error
    old = organization.licence.name if organization.licence else ""
    organization.licence.save(f"licence.{clean.extension}", ContentFile(clean.content), save=False)
    organization.licence_content_type = clean.content_type
    organization.licence_uploaded_at = timezone.now()
    organization.save(update_fields=["licence", "licence_content_type", "licence_uploaded_at"])
    if old:
        # The old file goes only after the new row is committed, so a rollback keeps it.
        storage = organization.licence.storage
        transaction.on_commit(lambda: storage.delete(old))
    audit_record(
        actor=actor,
        action="organization.licence",
        obj=organization,
        organization=organization,
        before={"licence": old} if old else {},
        after={"licence": organization.licence.name, "content_type": clean.content_type},
    )
    return organization


@transaction.atomic
def organization_accept_terms(
    *, actor, organization: Organization, terms: ProgramTerms
) -> Organization:
    authorize(actor, "organization.edit_application", organization)
    current = ProgramTerms.objects.current()
    if current is None or terms.pk != current.pk:
        raise ValidationError(
            {"accept_terms": _("The program terms have changed; read and accept the new version.")}
        )
    organization.terms_version = terms
    organization.terms_accepted_at = timezone.now()
    organization.terms_accepted_by = actor
    organization.save(update_fields=["terms_version", "terms_accepted_at", "terms_accepted_by"])
    audit_record(
        actor=actor,
        action="organization.terms",
        obj=organization,
        organization=organization,
        after={"terms_version": terms.version},
    )
    return organization


PROFILE_FIELDS = ["contact_name", "contact_phone", "contact_email", "declared_roster_size"]


@transaction.atomic
def organization_update_profile(*, actor, organization: Organization, **fields) -> Organization:
    """An active organization keeps its contacts and roster size up to date (its legal details
    were reviewed and stay as approved)."""
    authorize(actor, "organization.edit_profile", organization)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    organization.refresh_from_db()
    _save_and_audit(
        actor=actor,
        organization=organization,
        action="organization.profile",
        fields=fields,
        tracked=PROFILE_FIELDS,
    )
    return organization
