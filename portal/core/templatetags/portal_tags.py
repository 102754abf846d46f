from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dictionaries built in views."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def money(value, places=2):
    """An amount with thousands separators in every language: `{{ amount|money }}` gives
    "1,234,567.80", `{{ amount|money:0 }}` gives "1,234,568". Empty stays empty."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return value
    return f"{amount:,.{int(places)}f}"


@register.filter
def cny(value, places=2):
    """An amount with its unit in the reader's words: "1,234.50 CNY", "1,234.50 元"."""
    amount = money(value, places)
    return _("%(amount)s CNY") % {"amount": amount} if amount != "" else ""
