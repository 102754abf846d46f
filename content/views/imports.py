"""Operators' uploads of videos and video figures: the same dry run, progress and row errors as
the roster and metrics imports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content import services
from content.models import VideoImportRow, VideoMetricImportRow
from content.parsing import row_error_message
from content.services.imports import KINDS, columns_for
from creators.models import ImportJob, ImportKind
from creators.views.imports import UploadForm
from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors, error_text
from portal.core.rendering import is_partial_request, render_page
from portal.core.tabular import write_csv

ERRORS_SHOWN = 50


@action_required("content.import")
def import_list(request):
    kind = request.GET.get("kind") or request.POST.get("kind") or ImportKind.VIDEOS
    kind = kind if kind in KINDS else ImportKind.VIDEOS
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.content_import_create(
                actor=request.user, kind=kind, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("content:import", pk=job.pk)
    jobs = ImportJob.objects.filter(kind__in=KINDS).select_related("created_by")[:20]
    context = {"form": form, "kind": kind, "kinds": KINDS, "jobs": jobs}
    return render_page(request, "content/imports.html", context)


def _errors(job):
    staging = VideoImportRow if job.kind == ImportKind.VIDEOS else VideoMetricImportRow
    rows = staging.objects.filter(job=job).exclude(error="").order_by("row_number")
    return [(r.row_number, r.video_id, row_error_message(r.error)) for r in rows[:ERRORS_SHOWN]]


@action_required("content.import")
def import_detail(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, kind__in=KINDS)
    response = render_page(
        request, "content/import.html", {"job": job, "errors": _errors(job)}, partial="progress"
    )
    if is_partial_request(request) and not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@action_required("content.import")
def import_confirm(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, kind__in=KINDS)
    try:
        services.content_import_confirm(
            actor=request.user, job=job, skip_errors=request.POST.get("skip_errors") == "1"
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("content:import", pk=pk)


@require_POST
@action_required("content.import")
def import_discard(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, kind__in=KINDS)
    services.content_import_discard(actor=request.user, job=job)
    messages.info(request, _("The file was discarded; nothing was imported."))
    return redirect("content:imports")


@action_required("content.import")
def import_template(request, kind: str):
    if kind not in KINDS:
        kind = ImportKind.VIDEOS
    english = (request.LANGUAGE_CODE or "").startswith("en")
    headers = [
        next(h for h in c.headers if h.isascii()) if english else c.headers[0]
        for c in columns_for(kind)
    ]
    example = (
        [
            "v7301",
            "u123456789012",
            "beauty",
            "review",
            "油皮粉底液横评",
            312,
            "2026-11-03 20:15",
            "是",
            "SKU1001|持妆粉底液|彩妆",
            "f0e1d2c3b4a59687 0f1e2d3c4b5a6978",
        ]
        if kind == ImportKind.VIDEOS
        else ["v7301", "2026-11-04", 52000, 48000, "0.4120", 1320, "2380.00"]
    )
    response = HttpResponse(b"".join(write_csv(headers, [example])), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
