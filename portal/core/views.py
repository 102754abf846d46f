from django.conf import settings
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from portal.accounts.models import Role
from portal.accounts.permissions import action_required
from portal.accounts.services import user_set_language

from . import dashboards, health
from .models import Category, Notification
from .notifications import notifications_mark_read
from .rendering import render_page


@action_required("dashboard.view")
def dashboard(request):
    user = request.user
    kind = {Role.OPERATOR: "operator", Role.MANAGER: "manager"}.get(user.role, "organization")
    return render(request, f"core/dashboard_{kind}.html", dashboards.dashboard_context(kind, user))


@action_required("notification.view")
def notifications(request):
    page = Paginator(
        Notification.objects.for_user(request.user).select_related("organization"), 30
    ).get_page(request.GET.get("page"))
    response = render_page(
        request, "core/notifications.html", {"page": page, "query": ""}, partial="list"
    )
    notifications_mark_read(user=request.user)
    return response


@action_required("category.view")
def categories(request):
    rows = (
        Category.objects.for_user(request.user).active().prefetch_related("manager_profiles__user")
    )
    return render(request, "core/categories.html", {"categories": rows})


@require_POST
def language_switch(request):
    """Switch the interface language; a signed-in person keeps the choice on every device."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(actor=request.user, user=request.user, language=language)
    return response


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    ready, checks = health.readiness()
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
