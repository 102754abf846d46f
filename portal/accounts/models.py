"""People who sign in, and the role each one plays in the program."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet


class Role(models.TextChoices):
    OPERATOR = "operator", _("Program operator")
    MANAGER = "manager", _("Category manager")
    ORGANIZATION = "organization", _("Organization member")
    # The service account of a partner application: it calls the API with a token and never
    # signs in to the portal (it has no usable password).
    PARTNER = "partner", _("Partner application")


class UserQuerySet(ScopedQuerySet):
    """Operators see every account; others see themselves and the people of their organization."""

    def for_manager(self, user):
        return self.filter(pk=user.pk)

    def for_organization_member(self, user):
        return self.filter(
            models.Q(pk=user.pk) | models.Q(membership__organization__memberships__user=user)
        ).distinct()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # Addresses are stored in lower case; people type them in any case.
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ORGANIZATION)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        # `createsuperuser` makes a program operator: the portal has no separate admin site.
        extra_fields["role"] = Role.OPERATOR
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser):
    """An account. Signs in with its email address; `role` decides what it may see and do."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_organization_member(self) -> bool:
        return self.role == Role.ORGANIZATION

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_staff(self) -> bool:
        """Platform staff (operators and managers), as opposed to organization people."""
        return self.role in (Role.OPERATOR, Role.MANAGER)


class ManagerProfile(models.Model):
    """A category manager's place in the program: the categories they serve and how many
    organizations they can coach one-on-one."""

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="manager_profile", verbose_name=_("user")
    )
    categories = models.ManyToManyField(
        "core.Category", related_name="manager_profiles", verbose_name=_("categories")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=30, help_text=_("Most organizations this manager coaches at once.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    away_from = models.DateField(_("away from"), null=True, blank=True)
    away_until = models.DateField(_("away until"), null=True, blank=True)

    class Meta:
        verbose_name = _("manager profile")
        verbose_name_plural = _("manager profiles")

    def __str__(self):
        return str(self.user)

    def is_away(self, day) -> bool:
        return bool(self.away_from and self.away_until and self.away_from <= day <= self.away_until)
