from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from growth.models import RIGHT_KINDS, RightKey

register = template.Library()


def right_text(key: str, value: int) -> str:
    kind = RIGHT_KINDS[key]
    if kind == "switch":
        return _("yes")
    if kind == "days":
        return ngettext("%(n)s day", "%(n)s days", value) % {"n": value}
    return f"{value:,}"


@register.filter
def rights_of(rights: dict, number) -> list[tuple[str, str]]:
    """A level's rights as (label, value) in the order of the rights' list; `rights` is
    `growth.selectors.rights_by_level()`."""
    granted = rights.get(number, {}) if number else {}
    return [
        (str(key.label), right_text(key.value, granted[key.value]))
        for key in RightKey
        if granted.get(key.value)
    ]


@register.filter
def item(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def tier_forecast(progress, organization):
    """The tier forecast beside "pace needed" (growth.forecast), None without an organization."""
    from growth.forecast import tier_forecast as forecast

    if progress is None or organization is None:
        return None
    return forecast(organization, progress)
