"""Telling people what happened: a notification in the portal and the same message by email.

A notification stores the event, not the sentence: the text is rendered in the reader's language
when the page is shown or the email is sent.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .mail import is_deliverable
from .models import Notification
from .queue import enqueue

MESSAGES = {
    "organization.submit": _(
        "We received the application of %(organization)s. A category manager will review it soon."
    ),
    "organization.start_review": _("The application of %(organization)s is being reviewed."),
    "organization.request_changes": _(
        "The program team asks for changes to the application of %(organization)s."
    ),
    "organization.approve": _(
        "Welcome to the program: the application of %(organization)s has been approved."
    ),
    "organization.reject": _("The application of %(organization)s was not approved."),
    "organization.suspend": _("%(organization)s has been suspended from the program."),
    "organization.reinstate": _("%(organization)s has been reinstated in the program."),
    "assignment.organization": _("A category manager now coaches %(organization)s."),
    "assignment.manager": _("You now coach %(organization)s one-on-one."),
    "assignment.released": _("You no longer coach %(organization)s."),
    "coaching.session": _("A coaching session with %(organization)s was scheduled."),
    "coaching.items": _("New action items for %(organization)s after a coaching session."),
    "invitation.accepted": _("A new member has joined %(organization)s."),
    "transfer.requested": _(
        "Another organization asks to take over a creator of %(organization)s; the creator decides."
    ),
    "transfer.confirmed": _("A creator transfer involving %(organization)s was confirmed."),
    "transfer.declined": _("A creator declined the transfer to %(organization)s."),
    "consent.withdrawn": _("A creator of %(organization)s stopped sharing some of their data."),
    "dispute.opened": _("A dispute was opened over a creator of %(organization)s."),
    "dispute.resolved": _("A dispute involving %(organization)s has been decided."),
    "import.finished": _("The file for %(organization)s has been processed."),
    "shortlist.published": _(
        "The top-100 shortlist is published: creators of %(organization)s are on it."
    ),
    "nomination.decided": _("A nomination by %(organization)s has been decided."),
    "originality.decided": _(
        "An originality review of a video of %(organization)s has been decided; read the reason."
    ),
    "originality.appeal_heard": _(
        "The appeal of %(organization)s against an originality decision has been heard."
    ),
    "invoice.verified": _(
        "The invoice of %(organization)s was verified: the payout it held is released."
    ),
    "invoice.rejected": _(
        "The invoice of %(organization)s was not accepted; read the reason and send another."
    ),
    "risk.case_opened": _(
        "A risk review of %(organization)s is open and some of its payouts are held until it is "
        "decided. The case says why; you may send a statement and documents."
    ),
    "risk.cases_opened": _("New risk cases were opened; they wait for a decision."),
    "appeal.sent": _(
        "The appeal of %(organization)s against its suspension was received; the program team "
        "will decide."
    ),
    "appeal.waiting": _(
        "%(organization)s appealed its suspension; the appeal waits for a decision."
    ),
    "appeal.decided": _(
        "The appeal of %(organization)s against its suspension has been decided; read the reason."
    ),
    "rewards.published": _(
        "A reward list was published: the statement of %(organization)s is ready to read."
    ),
}


def message_for(notification: Notification) -> str:
    template = MESSAGES.get(notification.event, notification.event)
    name = notification.organization.legal_name if notification.organization_id else ""
    return str(template) % {"organization": name}


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path if path else ""


def notify(
    *, recipients: Iterable, event: str, organization=None, reason: str = "", link: str = ""
) -> list[Notification]:
    """Notify each recipient in the portal and by email (sent after the transaction commits)."""
    if event not in MESSAGES:
        raise ValueError(f"Unknown notification event {event!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change it reports.")
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=person, event=event, organization=organization, reason=reason, link=link
        )
        for person in {person.pk: person for person in recipients}.values()
    )
    for notification in notifications:
        # Automatic news is not mailed to undeliverable (demo, test) addresses; a person asking
        # for a reset link or an invitation still gets that email wherever it goes.
        if is_deliverable(notification.recipient.email):
            enqueue("portal.core.tasks.send_notification_email", notification_id=notification.pk)
    return notifications


def notifications_mark_read(*, user) -> int:
    """Mark everything the person has seen as read. A read mark is the reader's own bookmark,
    not a change to the program, so it is not written to the audit log."""
    from django.utils import timezone

    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def notify_many(*, pairs: Iterable[tuple[int, int]], event: str, link: str = "") -> int:
    """notify() for many (recipient id, organization id) pairs at once: one INSERT, then the
    emails. For news that reaches every organization of a program at the same moment."""
    if event not in MESSAGES:
        raise ValueError(f"Unknown notification event {event!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "notify_many() must run inside the transaction of the change it reports."
        )
    notifications = Notification.objects.bulk_create(
        (
            Notification(recipient_id=user_id, organization_id=org_id, event=event, link=link)
            for user_id, org_id in dict.fromkeys(pairs)
        ),
        batch_size=2000,
    )
    from django.contrib.auth import get_user_model

    deliverable = set(
        get_user_model()
        .objects.filter(pk__in={n.recipient_id for n in notifications})
        .values_list("pk", "email")
    )
    emails = {pk for pk, email in deliverable if is_deliverable(email)}
    for notification in notifications:
        if notification.recipient_id in emails:
            enqueue("portal.core.tasks.send_notification_email", notification_id=notification.pk)
    return len(notifications)
