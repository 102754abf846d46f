"""Forms of the operators' partner pages. Every write goes through partners.services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.core.forms import DateInput, PortalFormMixin

from .models import WebhookEventType, default_rate_limit
from .scopes import SCOPES


def end_of_day(day: datetime.date | None) -> datetime.datetime | None:
    """The first moment after `day` in the portal's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


class ApplicationForm(PortalFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The partner and its system, as the audit log will show it."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_email = forms.EmailField(label=_("Contact email"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(name, format_lazy("{} · {}", name, label)) for name, label in SCOPES],
        widget=forms.CheckboxSelectMultiple,
    )
    read_only = forms.BooleanField(
        label=_("Read-only"),
        required=False,
        help_text=_("Refuse every request that changes data, whatever the scopes."),
    )
    allowed_networks = forms.CharField(
        label=_("Allowed IP ranges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("One range per line, e.g. 203.0.113.0/24. Empty: any address."),
    )
    rate_limit = forms.IntegerField(
        label=_("Requests per minute"),
        min_value=1,
        max_value=100_000,
        initial=default_rate_limit,
        help_text=_("For each token; beyond it the API answers 429."),
    )
    expires_on = forms.DateField(
        label=_("Access ends on"),
        required=False,
        widget=DateInput,
        help_text=_("Its tokens stop working at the end of this day. Empty: no end."),
    )

    def clean_allowed_networks(self):
        return self.cleaned_data["allowed_networks"].split()

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["expires_at"] = end_of_day(data.pop("expires_on"))
        return data


class TokenForm(PortalFormMixin, forms.Form):
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput,
        help_text=_("The token stops working at the end of this day. Empty: with the application."),
    )

    def service_arguments(self) -> dict:
        return {"expires_at": end_of_day(self.cleaned_data["expires_on"])}


class WebhookEndpointForm(PortalFormMixin, forms.Form):
    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"spellcheck": "false", "placeholder": "https://"}),
        help_text=_("Where the portal POSTs the events; it must start with https://."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("An event is sent only if the application holds its read scope."),
    )

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)
