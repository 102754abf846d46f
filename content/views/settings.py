"""Operators' content settings: content types, originality thresholds, stock images, sampling
rules and the quality rubric's versions. One URL per change."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content import services
from content.fingerprint import FingerprintError, parse_hex
from content.forms import (
    ContentTypeForm,
    OriginalityRuleForm,
    RubricForm,
    SamplingRuleForm,
    StockImageForm,
)
from content.models import ContentType, OriginalityRule, Rubric, SamplingRule, StockImage
from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors, error_text
from portal.core.rendering import render_page


def _settings_page(request, status=200, **forms):
    context = {
        "types": ContentType.objects.all(),
        "rules": OriginalityRule.objects.select_related("created_by")[:10],
        "stock": StockImage.objects.all()[:100],
        "sampling": SamplingRule.objects.select_related("category"),
        "rubrics": Rubric.objects.all()[:20],
        "type_form": forms.get("type_form") or ContentTypeForm(),
        "rule_form": forms.get("rule_form")
        or OriginalityRuleForm(instance=OriginalityRule.objects.first()),
        "stock_form": forms.get("stock_form") or StockImageForm(),
        "sampling_form": forms.get("sampling_form") or SamplingRuleForm(),
    }
    return render_page(request, "content/settings.html", context, status=status)


@action_required("content.configure")
def settings_page(request):
    return _settings_page(request)


def _saved(request, form, key, save):
    if form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("content:settings")
    return _settings_page(request, status=400, **{key: form})


@require_POST
@action_required("content.configure")
def type_add(request):
    return _saved(
        request,
        ContentTypeForm(request.POST),
        "type_form",
        lambda f: services.content_type_save(
            actor=request.user, content_type=None, fields=f.cleaned_data
        ),
    )


@require_POST
@action_required("content.configure")
def rule_add(request):
    return _saved(
        request,
        OriginalityRuleForm(request.POST),
        "rule_form",
        lambda f: services.originality_rule_add(actor=request.user, fields=f.cleaned_data),
    )


def _stock(request, form):
    text = form.cleaned_data["hash_hex"].strip()
    try:
        value = parse_hex(text) if text else None
    except FingerprintError:
        raise ValidationError({"hash_hex": _("Enter 16 hexadecimal digits.")}) from None
    upload = request.FILES.get("image")
    services.stock_image_add(
        actor=request.user, label=form.cleaned_data["label"], upload=upload, hash_value=value
    )


@require_POST
@action_required("content.configure")
def stock_add(request):
    form = StockImageForm(request.POST, request.FILES)
    return _saved(request, form, "stock_form", lambda f: _stock(request, f))


@require_POST
@action_required("content.configure")
def sampling_add(request):
    return _saved(
        request,
        SamplingRuleForm(request.POST),
        "sampling_form",
        lambda f: services.sampling_rule_save(actor=request.user, rule=None, fields=f.cleaned_data),
    )


@require_POST
@action_required("content.configure")
def sampling_toggle(request, pk: int):
    rule = get_object_or_404(SamplingRule, pk=pk)
    services.sampling_rule_save(
        actor=request.user, rule=rule, fields={"is_active": not rule.is_active}
    )
    return redirect("content:settings")


@require_POST
@action_required("content.configure")
def rubric_draft(request):
    try:
        rubric = services.rubric_draft(actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("content:settings")
    return redirect("content:rubric", rubric.pk)


def _rubric_form(rubric, data=None):
    initial = {f: getattr(rubric, f) for f in ("effective_from", "s_min", "a_min", "b_min", "note")}
    return RubricForm(data, initial=initial, criteria=rubric.criteria.all())


@action_required("content.configure")
def rubric_page(request, pk: int, form=None, status=200):
    rubric = get_object_or_404(Rubric, pk=pk)
    context = {"rubric": rubric, "form": form or _rubric_form(rubric)}
    return render_page(request, "content/rubric.html", context, status=status)


@require_POST
@action_required("content.configure")
def rubric_update(request, pk: int):
    rubric = get_object_or_404(Rubric, pk=pk)
    form = _rubric_form(rubric, request.POST)
    if form.is_valid():
        fields = {
            k: form.cleaned_data[k] for k in ("effective_from", "s_min", "a_min", "b_min", "note")
        }
        try:
            services.rubric_update(
                actor=request.user, rubric=rubric, fields=fields, criteria=form.criteria_rows()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("content:rubric", pk)
    return rubric_page(request, pk, form=form, status=400)


@require_POST
@action_required("content.configure")
def rubric_publish(request, pk: int):
    rubric = get_object_or_404(Rubric, pk=pk)
    try:
        services.rubric_publish(actor=request.user, rubric=rubric)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("content:rubric", pk)
