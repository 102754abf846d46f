"""Reference data shared by every app (the creative-field categories) and the task outbox."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


def localized(zh: str, en: str) -> str:
    """Pick the Chinese or English text of a bilingual pair by the active language."""
    language = translation.get_language() or "zh-hans"
    return en if language.startswith("en") else zh


class CategoryQuerySet(ScopedQuerySet):
    """Categories are reference data: every signed-in role reads them."""

    def for_manager(self, user):
        return self.all()

    def for_organization_member(self, user):
        return self.all()

    def active(self):
        return self.filter(is_active=True)


class Category(models.Model):
    """A creative field of the program (digital 3C, beauty, pets ...), named in both languages.

    Creator subsidy rules, manager assignments and rankings are all kept per category.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["name_zh"],
                name="category_name_zh_unique",
                violation_error_message=_("A category with this Chinese name already exists."),
            ),
            models.UniqueConstraint(
                fields=["name_en"],
                name="category_name_en_unique",
                violation_error_message=_("A category with this English name already exists."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return localized(self.name_zh, self.name_en)


class QueuedTask(models.Model):
    """A background task recorded in the same transaction as the work that asked for it.

    Celery's `delay_on_commit` loses the task when the broker is down at commit time. The outbox keeps
    it: the task is published right after commit, and whatever could not be published is sent again
    by the beat job and whenever a worker starts.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(published_at__isnull=True),
                name="queuedtask_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk}"


class NotificationQuerySet(ScopedQuerySet):
    """Everyone reads only their own notifications, whatever their role."""

    def for_user(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know about (a decision on their application, an assignment).
    The text is rendered from `event` in the reader's language when shown or mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=60)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self):
        return f"{self.event} -> {self.recipient_id}"

    @property
    def message(self) -> str:
        from .notifications import message_for

        return message_for(self)


class IdempotencyKey(models.Model):
    """A state-changing request named by its client's `Idempotency-Key`, and the answer it got.

    The row is written in the same transaction as the work (see `portal.core.idempotency`): it
    exists exactly when the work committed, so a retry with the same key gets the stored answer
    instead of doing the work again. Keys are per user and live 24 hours.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="Path and query string of the first request.")
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The JSON answered, as sent.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
