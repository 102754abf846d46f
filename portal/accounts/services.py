"""Writes to accounts: creating people, their passwords, preferences and manager profiles."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
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
        User.objects.filter(pk=user.pk).update(is_active=is_active)
        audit_record(
            actor=actor,
            action="user.activate" if is_active else "user.deactivate",
            obj=user,
            before={"is_active": user.is_active},
            after={"is_active": is_active},
            reason=reason.strip(),
        )
        user.is_active = is_active
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
