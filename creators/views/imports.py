"""Bulk imports: upload, the dry run with its live progress and row errors, then the commit."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from creators import services
from creators.models import CreatorImportRow, ImportJob, ImportKind, MetricImportRow
from creators.services.imports import METRIC_COLUMNS, ROSTER_COLUMNS, row_error_message
from portal.accounts.permissions import action_required, can
from portal.core.forms import PortalFormMixin
from portal.core.kit import add_service_errors, error_text, own_organization
from portal.core.models import Category
from portal.core.rendering import is_partial_request, render_page
from portal.core.tabular import write_csv, write_xlsx

ERRORS_SHOWN = 50


class UploadForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV or XLSX with the template's columns; headers in Chinese or English."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _kinds(user):
    """Which imports this person may run, and for which organization."""
    organization = own_organization(user)
    kinds = []
    if organization is not None and can(user, "creator.import", organization):
        kinds.append(ImportKind.CREATORS)
    if can(user, "metrics.import"):
        kinds.append(ImportKind.METRICS)
    return kinds, organization


@action_required("roster.view")
def imports(request):
    kinds, organization = _kinds(request.user)
    if not kinds:
        raise PermissionDenied
    kind = request.GET.get("kind") or request.POST.get("kind") or kinds[0]
    if kind not in kinds:
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_create(
                actor=request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                organization=organization if kind == ImportKind.CREATORS else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("creators:import", pk=job.pk)
    jobs = ImportJob.objects.for_user(request.user).filter(kind=kind, created_by__isnull=False)
    if kind == ImportKind.METRICS and not request.user.is_staff:
        jobs = jobs.none()
    return render_page(
        request,
        "creators/imports.html",
        {
            "form": form,
            "kind": kind,
            "kinds": kinds,
            "jobs": jobs.select_related("created_by")[:20],
        },
    )


def _job(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.for_user(request.user), pk=pk)
    if job.kind == ImportKind.METRICS and not can(request.user, "metrics.import"):
        raise PermissionDenied
    return job


def _error_rows(job):
    staging = CreatorImportRow if job.kind == ImportKind.CREATORS else MetricImportRow
    return staging.objects.filter(job=job).exclude(error="").order_by("row_number")


@action_required("roster.view")
def import_detail(request, pk: int):
    """The job page. While the check or the import runs, HTMX polls the progress region."""
    job = _job(request, pk)
    errors = [
        (row.row_number, row.platform_account_id, row_error_message(row.error))
        for row in _error_rows(job)[:ERRORS_SHOWN]
    ]
    response = render_page(
        request,
        "creators/import_detail.html",
        {"job": job, "errors": errors},
        partial="progress",
    )
    if is_partial_request(request) and not job.is_running:
        # Stop polling and refresh the whole page once, so the results and buttons appear.
        response["HX-Refresh"] = "true"
    return response


@require_POST
@action_required("roster.view")
def import_confirm(request, pk: int):
    job = _job(request, pk)
    try:
        services.import_confirm(
            actor=request.user, job=job, skip_errors=request.POST.get("skip_errors") == "1"
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("creators:import", pk=pk)


@require_POST
@action_required("roster.view")
def import_discard(request, pk: int):
    job = _job(request, pk)
    if not services.import_discard(actor=request.user, job=job):
        messages.error(request, _("This file can no longer be discarded."))
        return redirect("creators:import", pk=pk)
    messages.info(request, _("The file was discarded; nothing was imported."))
    return redirect(f"{reverse('creators:imports')}?kind={job.kind}")


@action_required("roster.view")
def import_errors(request, pk: int):
    """Every row with an error, as CSV: row number, account id, the problem."""
    job = _job(request, pk)
    english = (request.LANGUAGE_CODE or "").startswith("en")
    headers = (
        ["row", "platform account id", "problem"] if english else ["行号", "平台账号ID", "问题"]
    )
    rows = (
        (row.row_number, row.platform_account_id, row_error_message(row.error))
        for row in _error_rows(job).iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(write_csv(headers, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@action_required("roster.view")
def import_template(request, kind: str, extension: str):
    """An empty template with one example row, headers in the person's language."""
    if kind not in ImportKind.values or extension not in ("csv", "xlsx"):
        raise PermissionDenied
    english = (request.LANGUAGE_CODE or "").startswith("en")
    columns = ROSTER_COLUMNS if kind == ImportKind.CREATORS else METRIC_COLUMNS
    headers = [
        next(h for h in column.headers if h.isascii()) if english else column.headers[0]
        for column in columns
    ]
    beauty = Category.objects.filter(code="beauty").first()
    category = (beauty.name_en if english else beauty.name_zh) if beauty else ""
    if kind == ImportKind.CREATORS:
        example = [
            "u123456789012",
            "小鱼美妆日记",
            category,
            "",
            12000,
            "yes" if english else "是",
            "2026-11-03",
            "recruited" if english else "新招募",
        ]
    else:
        example = ["u123456789012", "2026-11-03", 120000, 118000, 350, 2, 1, "1280.50", 16, "64.03"]
    if extension == "xlsx":
        response = HttpResponse(
            write_xlsx(headers, [example], sheet_title=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(b"".join(write_csv(headers, [example])), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{extension}"'
    return response
