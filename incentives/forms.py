"""Forms of the operator's incentive pages. Every write goes through incentives.services."""

from decimal import Decimal

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from incentives.models import (
    COUPON_KINDS,
    HoldingPeriod,
    LineKind,
    OrgTier,
    PoolKind,
    Program,
    RuleVersion,
    SubsidyRule,
    TrafficBand,
)
from incentives.selectors import ORGANIZATION_OPTIONS_ID, organization_named
from incentives.services import AdjustmentReason
from organizations.models import Organization
from portal.core.forms import DateInput, PortalFormMixin

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}


class ProgramForm(PortalFormMixin, forms.ModelForm):
    cash_budget = forms.DecimalField(label=_("cash pool (CNY)"), **MONEY)
    traffic_budget = forms.DecimalField(label=_("traffic pool (CNY)"), **MONEY)

    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "starts_on",
            "ends_on",
            "cycle_months",
            "second_approval_above",
        ]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class RuleVersionForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = RuleVersion
        fields = [
            "effective_from",
            "note",
            "creator_cap",
            "playback_rate",
            "commission_bp",
            "basic_per_introduced",
            "traffic_min_original",
            "minimum_payout",
            "invoice_above",
        ]
        widgets = {"effective_from": DateInput, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank means no minimum (a version drafted before the minimum payout existed posts none).
        self.fields["minimum_payout"].required = False

    def clean_minimum_payout(self):
        value = self.cleaned_data.get("minimum_payout")
        return 0 if value is None else value


class RuleRowForm(PortalFormMixin, forms.ModelForm):
    """A row of a rules table; the version is set by the service."""

    def validate_unique(self):
        """Uniqueness within the version is checked by the service over the whole table."""


class SubsidyRowForm(RuleRowForm):
    """A level of one creative field's subsidy. The page groups levels by field, so the field is
    a hidden input, and each field offers new rows with the field and the next level filled in:
    such a row counts only once a threshold or an amount is entered."""

    VALUES = ("min_original_videos", "min_valid_plays", "min_followers", "amount")

    def has_changed(self):
        if self.instance.pk is None:
            return any(name in self.changed_data for name in self.VALUES)
        return super().has_changed()


SubsidyRuleFormSet = modelformset_factory(
    SubsidyRule,
    form=SubsidyRowForm,
    fields=[
        "category",
        "level",
        "min_original_videos",
        "min_valid_plays",
        "min_followers",
        "amount",
    ],
    widgets={"category": forms.HiddenInput},
    extra=0,
    can_delete=True,
)


def subsidy_formset(data, version, *, new_rows: int = 3):
    """The version's subsidy levels grouped by creative field: every active field (and any other
    field with levels), each with blank rows up to `new_rows` levels (at least one)."""
    from collections import defaultdict

    from django.db.models import Q

    from portal.core.models import Category

    queryset = (
        SubsidyRule.objects.filter(version=version)
        .select_related("category")
        .order_by("category__sort_order", "category__code", "level")
    )
    rules = list(queryset)
    levels = defaultdict(list)
    for rule in rules:
        levels[rule.category_id].append(rule.level)
    categories = list(
        Category.objects.filter(Q(is_active=True) | Q(pk__in=list(levels))).order_by(
            "sort_order", "code"
        )
    )
    initial = []
    for category in categories:
        top = max(levels[category.pk], default=0)
        for n in range(max(1, new_rows - len(levels[category.pk]))):
            initial.append({"category": category.pk, "level": top + 1 + n})
    formset = SubsidyRuleFormSet(
        data,
        prefix="subsidy",
        queryset=queryset,
        initial=initial,
    )
    formset.extra = len(initial)
    return formset, categories


def subsidy_groups(formset, categories, *, open_codes: str = "") -> list[dict]:
    """The formset's rows by creative field, in the fields' order, for the editor's groups: the
    levels saved so far (for the group's one-line summary) and whether the group opens (it has
    errors, or `open_codes` is "all" or names its field's code among others, comma-separated)."""
    wanted = set(open_codes.split(","))
    groups = {
        category.pk: {"category": category, "forms": [], "saved": []} for category in categories
    }
    for form in formset.forms:
        value = form["category"].value()
        try:
            key = int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            key = None
        group = groups.get(key)
        if group is None:  # a field unknown to this page (posted by another): its own group
            group = groups.setdefault(key, {"category": None, "forms": [], "saved": []})
        group["forms"].append(form)
        if form.instance.pk is not None:
            group["saved"].append(form.instance)
    for group in groups.values():
        group["errors"] = any(form.errors for form in group["forms"])
        code = group["category"].code if group["category"] else None
        group["open"] = "all" in wanted or code in wanted or group["errors"]
    return list(groups.values())


OrgTierFormSet = modelformset_factory(
    OrgTier,
    form=RuleRowForm,
    fields=["level", "min_introduced", "amount"],
    extra=1,
    can_delete=True,
)
TrafficBandFormSet = modelformset_factory(
    TrafficBand,
    form=RuleRowForm,
    fields=["rank_from", "rank_to", "coupon"],
    extra=1,
    can_delete=True,
)


def held_kinds() -> list[tuple[str, str]]:
    """Reward kinds a holding period applies to: the paid kinds (an adjustment follows the entry
    it corrects; traffic coupons are impressions, never paid)."""
    return [
        (value, label)
        for value, label in LineKind.choices
        if value not in (LineKind.ADJUSTMENT, *COUPON_KINDS)
    ]


class HoldingPeriodRowForm(RuleRowForm):
    kind = forms.ChoiceField(label=_("kind"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *held_kinds()]


class BaseHoldingPeriodFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            kind = form.cleaned_data.get("kind")
            if kind and kind in seen:
                form.add_error("kind", _("A reward kind has one holding period per version."))
            seen.add(kind)


HoldingPeriodFormSet = modelformset_factory(
    HoldingPeriod,
    form=HoldingPeriodRowForm,
    formset=BaseHoldingPeriodFormSet,
    fields=["kind", "days"],
    extra=1,
    can_delete=True,
)


def formset_rows(formset) -> list[dict]:
    """The kept rows of a valid formset as dicts of fields (new and changed rows alike)."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        rows.append(
            {
                name: form.cleaned_data[name]
                for name in formset.form.base_fields
                if name not in ("id", "DELETE")
            }
        )
    return rows


class ReturnForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("What should change"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(PortalFormMixin, forms.Form):
    """The reason the audit log keeps for closing or reopening a program."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        help_text=_("Kept in the audit log with your name and the time."),
    )


class ResultForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Payment result file"),
        help_text=_(
            "The exported file with more columns filled in by the payment system: result (paid "
            "or failed), reference and, for a failed payment, the reason (the beneficiary reads "
            "it on its statement)."
        ),
    )


class AdjustmentForm(PortalFormMixin, forms.Form):
    """An adjustment of a reward list, for a creator (by platform account id) or an
    organization. The organization is typed, by name or id: a list has lines of thousands of
    organizations, too many for a <select>; the page suggests at most ORGANIZATION_MATCHES of
    them as the operator types (`list_adjust_organizations`), and the text is resolved here
    among `organizations` (those with a line on the list that the operator may see)."""

    account = forms.CharField(
        label=_("Creator's platform account id"),
        required=False,
        max_length=64,
        help_text=_("Leave empty for an organization's adjustment."),
    )
    organization = forms.CharField(
        label=_("Organization"),
        required=False,
        max_length=220,
        help_text=_("Its legal name or its id; type part of the name to see matches."),
    )
    pool = forms.ChoiceField(label=_("Pool"), choices=PoolKind.choices, initial=PoolKind.CASH)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Negative to take back an amount paid in excess."),
    )
    reason_code = forms.ChoiceField(label=_("Reason"), choices=AdjustmentReason.CHOICES)
    note = forms.CharField(
        label=_("Explanation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The beneficiary reads it on their statement."),
    )

    def __init__(self, *args, organizations=None, search_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = (
            organizations if organizations is not None else Organization.objects.none()
        )
        if search_url:
            self.fields["organization"].widget.attrs.update(
                {
                    "list": ORGANIZATION_OPTIONS_ID,
                    "autocomplete": "off",
                    "hx-get": search_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": f"#{ORGANIZATION_OPTIONS_ID}",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )

    def clean_organization(self):
        text = (self.cleaned_data.get("organization") or "").strip()
        if not text:
            return None
        found = organization_named(self.organizations, text)
        if not found:
            raise forms.ValidationError(
                _("No organization on this list has this name or id."), code="unknown"
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _(
                    "Several organizations on this list are named “%(name)s”: choose one of the "
                    "suggestions or enter its id."
                ),
                code="ambiguous",
                params={"name": text},
            )
        return found[0]

    def clean(self):
        data = super().clean()
        account = (data.get("account") or "").strip()
        data["creator"] = None
        if account:
            data["creator"] = Creator.objects.filter(platform_account_id=account).first()
            if data["creator"] is None:
                self.add_error("account", _("No creator has this platform account id."))
        elif not data.get("organization") and "organization" not in self.errors:
            self.add_error("organization", _("Choose a creator or an organization."))
        return data


class InvoiceForm(PortalFormMixin, forms.Form):
    """The organization's invoice for its held cash of a cycle."""

    number = forms.CharField(label=_("Invoice number"), max_length=40)
    amount = forms.DecimalField(
        label=_("Invoice amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("The held amount, to the fen."),
    )
    file = forms.FileField(
        label=_("Invoice (PDF or image)"),
        help_text=_("A PDF, JPEG, PNG or WEBP file of at most 10 MB."),
    )


class InvoiceRejectForm(PortalFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Why it is rejected"),
        max_length=500,
        help_text=_("The organization reads it."),
    )
