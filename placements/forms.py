"""Forms of the placement pages: each lists its fields; services hold the rules."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.models import ContentType, Originality, Product, Video
from incentives.models import Program
from portal.core.forms import PortalFormMixin
from portal.core.models import Category

from .models import BOOST_ORIGINALITIES, GRADES, DeclineReason, Surface

DATE = forms.DateInput(attrs={"type": "date"})


class NominateForm(PortalFormMixin, forms.Form):
    video = forms.ModelChoiceField(label=_("Video"), queryset=Video.objects.none())
    surface = forms.ModelChoiceField(
        label=_("Surface"), queryset=Surface.objects.filter(is_active=True)
    )
    sku = forms.CharField(
        label=_("Product SKU"),
        required=False,
        max_length=64,
        help_text=_("Product-page surfaces only: the SKU the video features."),
    )
    note = forms.CharField(
        label=_("Why this video"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["video"].queryset = (
                Video.objects.for_user(user)
                .exclude(grade="")
                .select_related("content_type")
                .order_by("-published_at")[:300]
            )
            self.fields["video"].queryset = Video.objects.filter(
                pk__in=[v.pk for v in self.fields["video"].queryset]
            ).order_by("-published_at")

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        if not sku:
            return None
        product = Product.objects.filter(sku_id=sku).first()
        if product is None:
            raise forms.ValidationError(_("No product has this SKU."))
        return product


class AcceptForm(PortalFormMixin, forms.Form):
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty to take the next free day."),
    )
    until = forms.DateField(
        label=_("Until (inclusive)"),
        required=False,
        widget=DATE,
        help_text=_("Book every day from the first day to this one."),
    )

    def clean(self):
        data = super().clean()
        day, until = data.get("day"), data.get("until")
        if until and not day:
            self.add_error("day", _("Choose the first day."))
        elif day and until:
            if until < day:
                self.add_error("until", _("The last day comes after the first."))
            elif (until - day).days >= 31:
                self.add_error("until", _("Choose at most 31 days."))
        return data

    def days(self) -> list[datetime.date] | None:
        day, until = self.cleaned_data.get("day"), self.cleaned_data.get("until")
        if not day:
            return None
        until = until or day
        return [day + datetime.timedelta(days=i) for i in range((until - day).days + 1)]


class DeclineForm(PortalFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    note = forms.CharField(label=_("Note to the organization"), required=False, max_length=500)


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


class FillForm(PortalFormMixin, forms.Form):
    surface = forms.ModelChoiceField(
        label=_("Surface"), queryset=Surface.objects.filter(is_active=True)
    )
    category = forms.ModelChoiceField(label=_("Creative field"), queryset=Category.objects.active())
    week_start = forms.DateField(label=_("Week starting"), widget=DATE, initial=next_monday)


class InventoryForm(PortalFormMixin, forms.Form):
    surface = forms.ModelChoiceField(label=_("Surface"), queryset=Surface.objects.all())
    category = forms.ModelChoiceField(label=_("Creative field"), queryset=Category.objects.active())
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    slots_per_day = forms.IntegerField(label=_("Slots per day"), min_value=0, max_value=1000)
    impressions_per_slot = forms.IntegerField(
        label=_("Impressions per slot"), min_value=1, max_value=100_000_000
    )


class MonthForm(PortalFormMixin, forms.Form):
    surface = forms.ModelChoiceField(
        label=_("Surface"), queryset=Surface.objects.all(), required=False
    )
    month = forms.DateField(
        label=_("Month"), required=False, widget=DATE, help_text=_("Any day of the month.")
    )


# --- the operators' editors ------------------------------------------------------------------------
class SurfaceForm(PortalFormMixin, forms.ModelForm):
    """A surface as operators edit it. Its code is what the front ends ask the feed for, so it
    is chosen once, when the surface is added."""

    content_types = forms.ModelMultipleChoiceField(
        label=_("Content types accepted"),
        queryset=ContentType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    # Bounded here: SQLite gives a small integer column no range of its own.
    sort_order = forms.IntegerField(label=_("sort order"), min_value=0, max_value=1000, initial=0)

    class Meta:
        model = Surface
        fields = [
            "code",
            "name_zh",
            "name_en",
            "page",
            "content_types",
            "min_grade",
            "product_required",
            "is_active",
            "sort_order",
        ]
        help_texts = {
            "code": _("Letters, digits, - and _: what the front ends send as ?surface=."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]


ORIGINALITIES = [Originality(code) for code in BOOST_ORIGINALITIES]
GRANT_MAX = 100_000_000
BOOST = {
    "max_digits": 4,
    "decimal_places": 2,
    "min_value": Decimal(0),
    "max_value": Decimal(10),
    "required": False,
}


def grant_name(grade: str) -> str:
    return f"grant_{grade}"


def boost_name(grade: str, originality: str) -> str:
    return f"boost_{grade}_{originality}"


class PlacementRuleForm(PortalFormMixin, forms.Form):
    """A new version of the placement rule: its day, program, rate and quota, the impressions
    each grade is granted once, and the boost factor of every grade and originality (empty:
    1.00, no boost)."""

    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    program = forms.ModelChoiceField(
        label=_("Program paying the coupons"), queryset=Program.objects.order_by("-starts_on")
    )
    rate_per_thousand = forms.DecimalField(
        label=_("Value of 1,000 impressions (CNY)"),
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100_000),
    )
    monthly_quota = forms.IntegerField(
        label=_("Nominations per organization a month"),
        min_value=0,
        max_value=1000,
        help_text=_("0: organizations nominate nothing; managers of the fields still may."),
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def __init__(self, *args, rule=None, **kwargs):
        """`rule`: the version in force, whose values the form starts from."""
        if rule is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = rule_initial(rule)
        super().__init__(*args, **kwargs)
        for grade in GRADES:
            self.fields[grant_name(grade)] = forms.IntegerField(
                label=_("Grade %(grade)s: impressions granted once") % {"grade": grade},
                min_value=0,
                max_value=GRANT_MAX,
                required=False,
            )
        for grade in GRADES:
            for originality in ORIGINALITIES:
                self.fields[boost_name(grade, originality)] = forms.DecimalField(
                    label=_("Grade %(grade)s, %(originality)s")
                    % {"grade": grade, "originality": originality.label},
                    **BOOST,
                )

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            raise forms.ValidationError(
                _("A new version starts today or later; earlier days keep their rule.")
            )
        return day

    def grade_grants(self) -> dict[str, int]:
        return {g: self.cleaned_data.get(grant_name(g)) or 0 for g in GRADES}

    def boosts(self) -> dict[tuple[str, str], Decimal]:
        found = {}
        for grade in GRADES:
            for originality in ORIGINALITIES:
                value = self.cleaned_data.get(boost_name(grade, originality))
                if value is not None:
                    found[(grade, originality.value)] = value
        return found

    def boost_rows(self) -> list[tuple[str, list]]:
        """The boost fields as a table: one row per grade, one bound field per originality."""
        return [(grade, [self[boost_name(grade, o)] for o in ORIGINALITIES]) for grade in GRADES]

    def grant_fields(self) -> list:
        return [self[grant_name(g)] for g in GRADES]


def rule_initial(rule) -> dict:
    initial = {
        "program": rule.program_id,
        "rate_per_thousand": rule.rate_per_thousand,
        "monthly_quota": rule.monthly_quota,
    }
    initial |= {grant_name(g.grade): g.impressions for g in rule.grade_grants.all()}
    initial |= {boost_name(b.grade, b.originality): b.factor for b in rule.boosts.all()}
    return initial
