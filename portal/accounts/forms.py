from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.audit.context import client_ip
from portal.core.forms import PortalFormMixin
from portal.core.queue import enqueue

from . import ratelimit
from .models import Role
from .services import user_set_password


class LoginForm(PortalFormMixin, auth_forms.AuthenticationForm):
    """Sign-in with the email address, limited per account and per client address."""

    username = auth_forms.UsernameField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The email address or password is not correct."),
        "rate_limited": _(
            "Too many sign-in attempts. Please wait %(minutes)d minutes and try again."
        ),
    }

    def clean(self):
        """Count failed sign-ins only. Each attempt takes a place under both limits before the
        password is checked (so concurrent guesses cannot all slip under them); a successful
        sign-in gives its place back and clears the account's failures, so people signing in
        normally, alone or many behind one proxy address, are never locked out."""
        limits = settings.LOGIN_RATE_LIMIT
        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request) if self.request else "-"
        window = limits["window_seconds"]
        by_ip = ratelimit.hit(f"login:ip:{ip}", limit=limits["per_ip"], window=window)
        by_account = ratelimit.hit(
            f"login:acct:{email}", limit=limits["per_account"], window=window
        )
        refused = [v for v in (by_ip, by_account) if not v.allowed]
        if refused:
            for verdict in (by_ip, by_account):
                ratelimit.give_back(verdict)  # a refused attempt checked no password
            raise forms.ValidationError(
                self.error_messages["rate_limited"],
                code="rate_limited",
                params={"minutes": max(1, -(-max(v.retry_after for v in refused) // 60))},
            )
        cleaned = super().clean()  # raises on a wrong password: that failure stays counted
        if self.user_cache is not None:
            ratelimit.give_back(by_ip)
            ratelimit.reset(by_account)
        elif not (self.cleaned_data.get("username") and self.cleaned_data.get("password")):
            for verdict in (by_ip, by_account):
                ratelimit.give_back(verdict)  # an incomplete form checked no password
        return cleaned

    def confirm_login_allowed(self, user):
        # A partner application's service account only ever calls the API with a token. It has no
        # usable password anyway; answer as for a wrong password so nothing is given away.
        if user.role == Role.PARTNER:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        super().confirm_login_allowed(user)


class PasswordResetForm(PortalFormMixin, auth_forms.PasswordResetForm):
    """Queues the reset email as a background task (through the outbox, so a broker outage only
    delays it). Replies the same whether or not the address has an account."""

    RESETS_PER_HOUR = 5

    def get_users(self, email):
        # Unlike Django's default, accounts made without a password (staff set up by an operator)
        # may use the reset link to set their first one: the portal has no external sign-in.
        from .models import User

        # Partner service accounts never get a password: they authenticate with API tokens.
        return User.objects.filter(email__iexact=email, is_active=True).exclude(role=Role.PARTNER)

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        email = self.cleaned_data["email"]
        verdict = ratelimit.hit(
            f"reset:{email.lower()}", limit=self.RESETS_PER_HOUR, window=60 * 60
        )
        if not verdict.allowed:
            return
        for user in self.get_users(email):
            enqueue(
                "portal.accounts.tasks.send_password_reset_email",
                user_id=user.pk,
                language=get_language(),
            )


class PasswordChangeForm(PortalFormMixin, auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return user_set_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            action="account.password_change",
        )


class SetPasswordForm(PortalFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        return user_set_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            action="account.password_reset",
        )


class SignUpForm(PortalFormMixin, forms.Form):
    """A person from an MCN organization creates their account. With `fixed_email` (from an
    invitation) the address is given and cannot be changed."""

    full_name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(
        label=_("Work email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, fixed_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_email = fixed_email
        if fixed_email:
            self.fields["email"].initial = fixed_email
            self.fields["email"].disabled = True

    def clean_email(self):
        from .models import User

        email = (self.fixed_email or self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Sign in, or reset your password."),
                code="exists",
            )
        return email

    def clean_phone(self):
        from portal.core.validators import normalize_mobile, validate_mainland_mobile

        phone = self.cleaned_data.get("phone", "")
        if phone:
            validate_mainland_mobile(phone)
            phone = normalize_mobile(phone)
        return phone

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        from .models import User

        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
