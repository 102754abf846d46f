from django import template

from portal.audit.services import action_label as label_of

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return label_of(action)
