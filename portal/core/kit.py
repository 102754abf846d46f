"""The small kit every app's views share: a service's refusal shown on a form or as one line of
text, and the reader's own organization. API counterparts: `portal.core.api.schemas` (the error
responses of the schema) and `portal.core.api.fields` (`Money`)."""

from django import forms
from django.core.exceptions import ValidationError

from portal.accounts.models import Role


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line, for a message or a row: its messages joined by spaces."""
    return " ".join(error.messages)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the fields it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def own_organization(user):
    """The organization an organization account belongs to (None for staff, or without one)."""
    membership = getattr(user, "membership", None) if user.role == Role.ORGANIZATION else None
    return membership.organization if membership else None
