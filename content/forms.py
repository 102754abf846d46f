"""Forms of the content pages: each lists its fields; services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import PortalFormMixin
from portal.core.models import Category

from .models import ContentType, Originality, OriginalityRule, ReasonCode, SamplingRule
from .services.settings import RULE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})


class VideoFilterForm(PortalFormMixin, forms.Form):
    q = forms.CharField(label=_("Title or video id"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Creative field"), queryset=Category.objects.active(), required=False
    )
    content_type = forms.ModelChoiceField(
        label=_("Type"), queryset=ContentType.objects.filter(is_active=True), required=False
    )
    originality = forms.ChoiceField(
        label=_("Originality"), choices=[("", _("Any")), *Originality.choices], required=False
    )
    grade = forms.ChoiceField(
        label=_("Grade"),
        choices=[
            ("", _("Any")),
            ("S", "S"),
            ("A", "A"),
            ("B", "B"),
            ("C", "C"),
            ("none", _("Not graded")),
        ],
        required=False,
    )
    published_from = forms.DateField(label=_("Published from"), required=False, widget=DATE)
    published_to = forms.DateField(label=_("Published until"), required=False, widget=DATE)


def reason_choices(outcome: str | None = None):
    reasons = ReasonCode.objects.filter(is_active=True)
    if outcome:
        reasons = reasons.filter(outcome=outcome)
    return reasons


class DecideForm(PortalFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Originality.ORIGINAL, _("Original")),
            (Originality.TRANSFORMATIVE, _("Transformative")),
            (Originality.COPY, _("Copy")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=reason_choices())
    note = forms.CharField(
        label=_("Note to the organization"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealForm(PortalFormMixin, forms.Form):
    statement = forms.CharField(
        label=_("Why the decision is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Show what is your own work: raw footage, dates, licences."),
    )


class HearForm(PortalFormMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            ("original", _("Uphold: the video is original")),
            ("transformative", _("Uphold: the video is transformative")),
            ("dismiss", _("Dismiss: the copy decision stands")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=reason_choices())
    response = forms.CharField(
        label=_("Answer to the organization"), widget=forms.Textarea(attrs={"rows": 3})
    )


class GradeForm(PortalFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=f"{criterion.guidance} · {_('weight')} {criterion.weight}",
                choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score"}),
            )
        self.order_fields([f"criterion_{c.pk}" for c in self.criteria] + ["note"])

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class ContentTypeForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = ContentType
        fields = ["code", "name_zh", "name_en", "sort_order", "is_active"]


class OriginalityRuleForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = OriginalityRule
        fields = RULE_FIELDS
        widgets = {"valid_from": DATE}


class StockImageForm(PortalFormMixin, forms.Form):
    label = forms.CharField(label=_("Label"), max_length=200)
    image = forms.FileField(label=_("Image"), required=False)
    hash_hex = forms.CharField(
        label=_("Or its hash (16 hexadecimal digits)"), required=False, max_length=18
    )


class SamplingRuleForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = SamplingRule
        fields = ["category", "min_valid_plays", "random_percent", "is_active"]


class RubricForm(PortalFormMixin, forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    s_min = forms.DecimalField(label=_("S from"), max_digits=5, decimal_places=2)
    a_min = forms.DecimalField(label=_("A from"), max_digits=5, decimal_places=2)
    b_min = forms.DecimalField(label=_("B from"), max_digits=5, decimal_places=2)
    note = forms.CharField(label=_("What changed"), required=False, max_length=200)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"weight_{criterion.code}"] = forms.IntegerField(
                label=_("Weight of %(name)s") % {"name": criterion.name},
                min_value=1,
                max_value=100,
                initial=criterion.weight,
            )

    def criteria_rows(self) -> list[dict]:
        return [
            {
                "code": c.code,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "guidance_zh": c.guidance_zh,
                "guidance_en": c.guidance_en,
                "weight": self.cleaned_data[f"weight_{c.code}"],
            }
            for c in self.criteria
        ]
