"""Sign-up and email verification (sign-in and passwords use Django's views, see urls.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit.context import client_ip
from portal.core.kit import error_text

from . import ratelimit
from .forms import SignUpForm
from .services import account_send_verification, account_sign_up, account_verify_email

SIGN_UPS_PER_HOUR_PER_IP = 10
VERIFICATION_EMAILS_PER_HOUR = 3


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = ratelimit.hit(
            f"signup:{client_ip(request)}", limit=SIGN_UPS_PER_HOUR_PER_IP, window=3600
        )
        if not verdict.allowed:
            form.add_error(None, _("Too many sign-ups from your network. Try again in an hour."))
        else:
            data = form.cleaned_data
            user = account_sign_up(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password1"],
                phone=data["phone"],
                language=get_language(),
            )
            login(request, user)
            return redirect("accounts:verify_pending")
    return render(request, "registration/sign_up.html", {"form": form})


@login_required
def verify_pending(request):
    if request.user.email_verified_at is not None:
        return redirect("organizations:apply")
    return render(request, "registration/verify_pending.html")


@login_required
@require_POST
def verify_resend(request):
    verdict = ratelimit.hit(
        f"verify:{request.user.pk}", limit=VERIFICATION_EMAILS_PER_HOUR, window=3600
    )
    if verdict.allowed:
        account_send_verification(user=request.user)
        messages.success(
            request, _("We sent a new link to %(email)s.") % {"email": request.user.email}
        )
    else:
        messages.error(request, _("We already sent several links; wait an hour and try again."))
    return redirect("accounts:verify_pending")


def verify_email(request, token: str):
    try:
        user = account_verify_email(token=token)
    except ValidationError as error:
        return render(
            request,
            "registration/verify_failed.html",
            {"problem": error_text(error)},
            status=400,
        )
    messages.success(
        request, _("Your email address is verified. You can now apply to the program.")
    )
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("organizations:apply")
    return redirect_to_login(reverse("organizations:apply"))
