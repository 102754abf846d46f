"""MCN organizations, their applications and the people who work for them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.validators import validate_credit_code, validate_mainland_mobile
from portal.core.scoping import ScopedQuerySet


class OrganizationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which an organization still holds its credit code (a closed application frees it).
CREDIT_CODE_HOLDING_STATES = [
    OrganizationStatus.DRAFT,
    OrganizationStatus.SUBMITTED,
    OrganizationStatus.UNDER_REVIEW,
    OrganizationStatus.CHANGES_REQUESTED,
    OrganizationStatus.APPROVED,
    OrganizationStatus.SUSPENDED,
]


def licence_path(organization, filename: str) -> str:
    """Stored names are made on the server: the organization and a random id, never the upload's."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"licences/{organization.pk}/{uuid.uuid4().hex}.{extension}"


class OrgRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class OrganizationQuerySet(ScopedQuerySet):
    """Operators see every organization. Managers see applications and organizations in their
    categories once submitted (a draft is the applicant's own). Members see their organization."""

    def for_manager(self, user):
        from portal.accounts.permissions import manager_category_ids

        return (
            self.filter(primary_categories__in=manager_category_ids(user))
            .exclude(status=OrganizationStatus.DRAFT)
            .distinct()
        )

    def for_organization_member(self, user):
        return self.filter(memberships__user=user)


class Organization(models.Model):
    """An MCN organization (agency), from its first draft application to an active member of the
    program. `status` only changes through the transition services in `organizations.services`."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.DRAFT,
        db_index=True,
    )
    status_reason = models.TextField(_("reason for the current status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    primary_categories = models.ManyToManyField(
        "core.Category", related_name="organizations", verbose_name=_("primary categories")
    )
    main_category = models.ForeignKey(
        "core.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="main_organizations",
        verbose_name=_("main category"),
        help_text=_("The category whose manager coaches the organization."),
    )
    licence = models.FileField(_("business licence"), upload_to=licence_path, blank=True)
    licence_content_type = models.CharField(max_length=40, blank=True)
    licence_uploaded_at = models.DateTimeField(_("licence uploaded"), null=True, blank=True)
    terms_version = models.ForeignKey(
        "organizations.ProgramTerms",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted terms version"),
    )
    terms_accepted_at = models.DateTimeField(_("terms accepted"), null=True, blank=True)
    terms_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("terms accepted by"),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact mobile number"),
        max_length=20,
        blank=True,
        validators=[validate_mainland_mobile],
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    declared_roster_size = models.PositiveIntegerField(
        _("declared roster size"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["legal_name", "id"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(status__in=CREDIT_CODE_HOLDING_STATES) & ~Q(credit_code=""),
                name="organization_credit_code_unique_open",
                violation_error_message=_(
                    "Another organization has already applied with this unified social credit code."
                ),
            ),
        ]

    def __str__(self):
        return self.legal_name

    def get_absolute_url(self):
        return reverse("organizations:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.APPROVED

    @property
    def is_editable_application(self) -> bool:
        """The applicant may still change the application (before review, or when asked to)."""
        return self.status in (OrganizationStatus.DRAFT, OrganizationStatus.CHANGES_REQUESTED)

    @property
    def licence_is_image(self) -> bool:
        return self.licence_content_type.startswith("image/")


class MembershipQuerySet(ScopedQuerySet):
    organization_path = "organization"

    def for_manager(self, user):
        return self.filter(organization__in=Organization.objects.for_manager(user).values("pk"))


class Membership(models.Model):
    """A person's place in one organization. A person works for at most one organization."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="membership",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=10, choices=OrgRole.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "role", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    # The audit log stores the role's code and shows its label in the reader's language.
    audit_repr = "{user} @ {organization} ({role})"

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    BILIBILI = "bilibili", _("Bilibili")
    WEIBO = "weibo", _("Weibo")
    CHANNELS = "channels", _("WeChat Channels")
    OTHER = "other", _("Other platforms")


class OtherPlatform(models.Model):
    """Another platform the organization already serves, with its creators' follower total there."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="other_platforms"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    followers = models.PositiveBigIntegerField(_("follower total"))

    class Meta:
        ordering = ["organization", "platform"]
        verbose_name = _("other platform")
        verbose_name_plural = _("other platforms")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "platform"], name="other_platform_once_per_organization"
            )
        ]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.followers}"


class ProgramTermsQuerySet(models.QuerySet):
    def current(self):
        """The version in force now: the latest one already published."""
        return self.filter(published_at__lte=timezone.now()).order_by("-published_at").first()


class ProgramTerms(models.Model):
    """A version of the program terms that applicants accept. A new version is a new row; the
    version an organization accepted stays recorded on it."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title_zh = models.CharField(_("Chinese title"), max_length=100)
    title_en = models.CharField(_("English title"), max_length=100)
    body_zh = models.TextField(_("Chinese text"))
    body_en = models.TextField(_("English text"))
    published_at = models.DateTimeField(_("in force from"))

    objects = ProgramTermsQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("program terms")
        verbose_name_plural = _("program terms")

    def __str__(self):
        return self.version

    @property
    def title(self) -> str:
        from portal.core.models import localized

        return localized(self.title_zh, self.title_en)

    @property
    def body(self) -> str:
        from portal.core.models import localized

        return localized(self.body_zh, self.body_en)


class ReviewCheck(models.Model):
    """One item of the reviewers' checklist (an operator edits the list; approval needs all)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_zh = models.CharField(_("Chinese text"), max_length=200)
    label_en = models.CharField(_("English text"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("review check")
        verbose_name_plural = _("review checks")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        from portal.core.models import localized

        return localized(self.label_zh, self.label_en)


class InvitationQuerySet(ScopedQuerySet):
    organization_path = "organization"

    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An invitation to join an organization, sent by email. The link expires, can be revoked and
    works once."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=OrgRole.choices)
    # The link's token is an HMAC of this salt under SECRET_KEY: the database alone cannot
    # reproduce a working link, and nothing secret waits in the task outbox.
    salt = models.CharField(max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
                violation_error_message=_("This address already has an open invitation."),
            )
        ]

    def __str__(self):
        return f"{self.email} -> {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "pending"


__all__ = [
    "Invitation",
    "InvitationQuerySet",
    "Membership",
    "MembershipQuerySet",
    "OrgRole",
    "Organization",
    "OrganizationQuerySet",
    "OrganizationStatus",
    "OtherPlatform",
    "Platform",
    "ProgramTerms",
    "ProgramTermsQuerySet",
    "ReviewCheck",
]
