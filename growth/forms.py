"""Forms of the growth pages. Every write goes through growth.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from growth.models import COMPONENT_CODES, COMPONENT_LABELS, RIGHT_KINDS, RightKey
from growth.services.levels import MAX_RIGHT_VALUE
from portal.core.forms import PortalFormMixin


class VersionForm(PortalFormMixin, forms.Form):
    """A draft version's weights: whole percent, adding up to 100 (checked here on the fields,
    again by the service, and by the database)."""

    effective_from = forms.DateField(label=_("In force from"))
    note = forms.CharField(label=_("What changed"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in COMPONENT_CODES:
            self.fields[code] = forms.IntegerField(
                label=COMPONENT_LABELS[code], min_value=0, max_value=100, help_text=_("percent")
            )
        self.order_fields(["effective_from", *COMPONENT_CODES, "note"])

    def clean(self):
        data = super().clean()
        weights = [data.get(code) for code in COMPONENT_CODES]
        if all(weight is not None for weight in weights) and sum(weights) != 100:
            message = _("The weights add up to %(total)s%%; they must add up to 100%%.") % {
                "total": sum(weights)
            }
            for code in COMPONENT_CODES:
                self.add_error(code, message)
        return data


class LevelForm(PortalFormMixin, forms.Form):
    name_zh = forms.CharField(label=_("Chinese name"), max_length=40)
    name_en = forms.CharField(label=_("English name"), max_length=60)
    min_score = forms.DecimalField(
        label=_("Score from"), min_value=0, max_value=100, max_digits=6, decimal_places=3
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in RightKey:
            if RIGHT_KINDS[key] == "switch":
                self.fields[key.value] = forms.BooleanField(label=key.label, required=False)
            else:
                self.fields[key.value] = forms.IntegerField(
                    label=key.label,
                    required=False,
                    min_value=0,
                    max_value=MAX_RIGHT_VALUE,
                    help_text=_("Empty: the program's general rule applies."),
                )

    def rights(self) -> dict[str, int | None]:
        values = {}
        for key in RightKey:
            value = self.cleaned_data.get(key.value)
            if RIGHT_KINDS[key] == "switch":
                values[key.value] = 1 if value else None
            else:
                values[key.value] = value
        return values


class ComputeForm(PortalFormMixin, forms.Form):
    month = forms.DateField(
        label=_("A day of the month to score"),
        help_text=_("Every approved organization is scored for the whole month of this day."),
    )
