"""What happened, told to whoever listens: apps publish events, other apps listen.

A service calls `events.publish("binding.changed", payload, organization=..., obj=...)` inside the
transaction of its change; the partners app listens (`PartnersConfig.ready`) and turns each event
into webhook deliveries, and incentives listens to an organization's suspension (its payouts held,
released or forfeited). The publishing app thus never imports the listening one, and the arrows
between apps keep pointing one way (docs/architecture.md).

Listeners get the person who made the change as `actor` (None when not given), so that what a
listener changes is authorized and audited as theirs. A listener ignores the events it does not
know: an event may be meant for one listener only (partners send the types their webhooks list).
"""

from collections.abc import Callable

from django.db import transaction

Listener = Callable[..., object]
_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Call `listener(event_type, payload, organization=..., obj=..., actor=...)` for every
    event."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def publish(event_type: str, payload: dict, *, organization=None, obj=None, actor=None) -> None:
    """Tell every listener. Call inside the change's transaction, after the change: listeners
    write in that transaction, so nothing is told if it rolls back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must be called inside the change's transaction.")
    for listener in _LISTENERS:
        listener(event_type, payload, organization=organization, obj=obj, actor=actor)
