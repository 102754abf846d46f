"""Forms of the placement pages: each lists its fields; services hold the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.models import Product, Video
from portal.core.forms import PortalFormMixin
from portal.core.models import Category

from .models import DeclineReason, Surface

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
