"""What incentives does when other apps tell the events hub something (`portal.core.events`),
registered in `IncentivesConfig.ready`: an organization's suspension holds its unpaid payouts,
its reinstatement releases those holds, and a decision to forfeit them forfeits them."""

from portal.accounts.permissions import SYSTEM

from .services.suspensions import (
    suspension_holds_forfeit,
    suspension_holds_place,
    suspension_holds_release,
)


def on_event(event_type: str, payload: dict, *, organization=None, obj=None, actor=None) -> None:
    if organization is None:
        return
    actor = actor or SYSTEM
    if event_type == "organization.suspended":
        suspension_holds_place(
            actor=actor, organization=organization, note=organization.status_reason
        )
    elif event_type == "organization.approved" and payload.get("transition") == "reinstate":
        suspension_holds_release(
            actor=actor, organization=organization, note=organization.status_reason
        )
    elif event_type == "organization.suspension_forfeited":
        suspension_holds_forfeit(
            actor=actor, organization=organization, note=payload.get("note", "")
        )
