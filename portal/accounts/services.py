"""Writes to accounts: creating people, their passwords, preferences and manager profiles."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.models import Category

from .models import ManagerProfile, Role, User
from .permissions import authorize


@transaction.atomic
def user_create(
    *,
    actor,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
    phone: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> User:
    """Create an account. Without a password the person sets one through the reset email."""
    authorize(actor, "user.create")
    user = User(
        email=User.objects.normalize_email(email).strip().lower(),
        full_name=full_name.strip(),
        role=role,
        phone=phone.strip(),
        language=language,
        # An operator (or trusted code) vouches for the address of an account it sets up.
        email_verified_at=timezone.now(),
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after={"email": user.email, "full_name": user.full_name, "role": user.role},
    )
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, action: str) -> User:
    """Set a new password (already validated by the form). `action` says how: changed or reset."""
    authorize(actor, "account.update", user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=action, obj=user)  # the password itself is never recorded
    return user


@transaction.atomic
def user_set_language(*, actor, user: User, language: str) -> User:
    authorize(actor, "account.update", user)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("This language is not available.")})
    before = user.language
    if before != language:
        user.language = language
        user.save(update_fields=["language"])
        audit_record(
            actor=actor,
            action="account.language",
            obj=user,
            before={"language": before},
            after={"language": language},
        )
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, is_active: bool, reason: str) -> User:
    """Enable or disable an account. A disabled account's sessions end at its next request."""
    authorize(actor, "user.set_active", user)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if getattr(actor, "pk", None) == user.pk and not is_active:
        raise ValidationError(_("You cannot disable your own account."))
    if user.is_active != is_active:
        # Saved (not a queryset update) so that post_save listeners hear it: the partner token
        # cache forgets a disabled service account at once.
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.activate" if is_active else "user.deactivate",
            obj=user,
            before={"is_active": not is_active},
            after={"is_active": is_active},
            reason=reason.strip(),
        )
    return user


@transaction.atomic
def manager_profile_create(
    *, actor, user: User, categories: Iterable[Category], capacity: int = 30
) -> ManagerProfile:
    """Make `user` a category manager of `categories`."""
    authorize(actor, "manager.manage")
    if user.role != Role.MANAGER:
        raise ValidationError({"user": _("Only a category manager account can have categories.")})
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": _("Choose at least one category.")})
    profile = ManagerProfile(user=user, capacity=capacity)
    profile.full_clean()
    profile.save()
    profile.categories.set(categories)
    audit_record(
        actor=actor,
        action="manager.create",
        obj=profile,
        after={
            "user": user.pk,
            "categories": sorted(c.pk for c in categories),
            "capacity": capacity,
        },
    )
    return profile


VERIFICATION_SALT = "portal.accounts.email-verification"


def email_verification_token(user: User) -> str:
    """A signed, expiring token for the address the account has now (a changed address voids it)."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFICATION_SALT, compress=True)


def email_verification_path(user: User) -> str:
    return reverse("accounts:verify_email", args=[email_verification_token(user)])


@transaction.atomic
def account_sign_up(
    *, email: str, full_name: str, password: str, phone: str = "", language: str
) -> User:
    """A person from an MCN organization creates their own account (public sign-up). The account
    can sign in at once; starting an application waits until the email address is verified."""
    user = User(
        email=User.objects.normalize_email(email).strip().lower(),
        full_name=full_name.strip(),
        role=Role.ORGANIZATION,
        phone=phone.strip(),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=user,
        action="account.sign_up",
        obj=user,
        after={"email": user.email, "full_name": user.full_name, "role": user.role},
    )
    account_send_verification(user=user)
    return user


def account_send_verification(*, user: User) -> None:
    from portal.core.queue import enqueue

    if user.email_verified_at is None:
        enqueue("portal.accounts.tasks.send_verification_email", user_id=user.pk)


@transaction.atomic
def account_verify_email(*, token: str) -> User:
    """Mark the address verified when the link is genuine, fresh and for the current address."""
    try:
        data = signing.loads(
            token, salt=VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This verification link has expired. Sign in and ask for a new one."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This verification link is not valid."), code="invalid") from exc
    user = User.objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user is None:
        raise ValidationError(_("This verification link is not valid."), code="invalid")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(actor=user, action="account.verify_email", obj=user)
    return user


@transaction.atomic
def manager_invite(
    *,
    actor,
    email: str,
    full_name: str,
    categories: Iterable[Category],
    capacity: int = 30,
    language: str = settings.LANGUAGE_CODE,
) -> User:
    """Open a category manager's account and profile, and email them a link to choose a password."""
    from portal.core.queue import enqueue

    user = user_create(
        actor=actor, email=email, full_name=full_name, role=Role.MANAGER, language=language
    )
    manager_profile_create(actor=actor, user=user, categories=categories, capacity=capacity)
    enqueue("portal.accounts.tasks.send_welcome_email", user_id=user.pk)
    return user


@transaction.atomic
def manager_profile_update(
    *,
    actor,
    profile: ManagerProfile,
    categories: Iterable[Category],
    capacity: int,
    is_active: bool,
    away_from=None,
    away_until=None,
    reason: str = "",
) -> ManagerProfile:
    """Change a manager's categories, capacity, availability and away dates. An inactive or away
    manager gets no new organizations; the book they have stays until an operator moves it."""
    authorize(actor, "manager.manage")
    categories = list(categories)
    errors = {}
    if not categories:
        errors["categories"] = _("Choose at least one category.")
    if capacity < 1:
        errors["capacity"] = _("A manager coaches at least one organization.")
    if (away_from is None) != (away_until is None):
        errors["away_until"] = _("Give both away dates, or neither.")
    elif away_from and away_until < away_from:
        errors["away_until"] = _("The last away day cannot be before the first.")
    if errors:
        raise ValidationError(errors)
    profile = ManagerProfile.objects.select_for_update().get(pk=profile.pk)
    before = {
        "categories": sorted(profile.categories.values_list("pk", flat=True)),
        "capacity": profile.capacity,
        "is_active": profile.is_active,
        "away_from": profile.away_from,
        "away_until": profile.away_until,
    }
    profile.capacity, profile.is_active = capacity, is_active
    profile.away_from, profile.away_until = away_from, away_until
    profile.save(update_fields=["capacity", "is_active", "away_from", "away_until"])
    profile.categories.set(categories)
    after = {
        "categories": sorted(c.pk for c in categories),
        "capacity": capacity,
        "is_active": is_active,
        "away_from": away_from,
        "away_until": away_until,
    }
    if after != before:
        audit_record(
            actor=actor,
            action="manager.update",
            obj=profile,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            reason=reason.strip(),
        )
    return profile
