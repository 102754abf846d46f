from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import PortalFormMixin

from .models import MAX_EXPIRY_DAYS, MAX_THRESHOLD, MAX_WINDOW_DAYS, Decision
from .services.cases import MAX_NOTE, MAX_STATEMENT


class DecisionForm(PortalFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    note = forms.CharField(
        label=_("Reason"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organization reads it."),
    )


class StatementForm(PortalFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    document = forms.FileField(
        label=_("Document (PDF or image, optional)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )


class RuleRowForm(PortalFormMixin, forms.Form):
    """One signal's row of the rules table (the formset's prefix is the signal)."""

    enabled = forms.BooleanField(label=_("On"), required=False)
    window_days = forms.IntegerField(
        label=_("Window in days"), min_value=1, max_value=MAX_WINDOW_DAYS
    )
    threshold = forms.IntegerField(label=_("Threshold"), min_value=1, max_value=MAX_THRESHOLD)
    expiry_days = forms.IntegerField(
        label=_("Decide within days"), min_value=1, max_value=MAX_EXPIRY_DAYS
    )
    default_decision = forms.ChoiceField(label=_("Default decision"), choices=Decision.choices)


class RulesNoteForm(PortalFormMixin, forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
