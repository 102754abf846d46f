"""Partner applications and tokens for tests, made through the services as an operator would."""

from partners import services
from partners.scopes import SCOPE_NAMES

READ_SCOPES = [scope for scope in SCOPE_NAMES if scope.endswith(":read")]


def partner_application(operator, **settings):
    settings = {
        "name": "星河数据",
        "contact_name": "王芳",
        "contact_email": "ops@partner.example.com",
        "scopes": READ_SCOPES,
        **settings,
    }
    return services.application_create(actor=operator, **settings)


def issue(operator, application, **kwargs) -> str:
    """A new token of `application` (the raw token, as handed to the partner)."""
    _token, raw = services.token_issue(actor=operator, application=application, **kwargs)
    return raw


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def webhook_endpoint(operator, application, url="https://hooks.partner.example.com/portal", **kw):
    """(endpoint, secret) of `application`, subscribed to every event unless told otherwise."""
    from partners.models import WebhookEventType

    events = kw.pop("events", WebhookEventType.values)
    return services.webhook_endpoint_create(
        actor=operator, application=application, url=url, events=events
    )


def webhook_delivery(operator):
    """A delivery of an `organization.suspended` event to a new application's endpoint."""
    from django.db import transaction

    from partners.models import WebhookDelivery, WebhookEvent

    application = partner_application(operator, name="回调测试")
    endpoint, _secret = webhook_endpoint(operator, application)
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            uuid="00000000-0000-4000-8000-000000000001",
            event_type="organization.suspended",
            payload={"id": "00000000-0000-4000-8000-000000000001"},
        )
        return WebhookDelivery.objects.create(endpoint=endpoint, event=event)
