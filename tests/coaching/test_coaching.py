"""Coaching plans, sessions, action items, the manager's book and the daily reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching import selectors
from coaching import services as coaching
from coaching.models import (
    ActionItem,
    CoachingSession,
    GoalKind,
    ItemOwner,
    ItemStatus,
    ReminderLog,
    SessionStatus,
)
from coaching.tasks import send_daily_reminders, send_manager_reminder
from organizations.models import ManagerAssignment
from portal.audit.models import AuditEntry
from portal.core.models import Notification
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.organizations.factories import OrganizationFactory


@pytest.fixture
def coached(organization, manager):
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    return organization


def goal(manager, organization, kind, target, title="Goal"):
    return coaching.goal_create(
        actor=manager,
        organization=organization,
        kind=kind,
        title=title,
        target=target,
        due_on=datetime.date(2026, 12, 31),
    )


def plan_session(manager, organization, when=None, **extra):
    return coaching.session_schedule(
        actor=manager,
        organization=organization,
        scheduled_at=when or timezone.now() + datetime.timedelta(days=2),
        channel="video",
        agenda="Reach the next tier",
        **extra,
    )


def held_session(manager, organization, items=(), days_ago=3):
    session = plan_session(
        manager, organization, when=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return coaching.session_record(actor=manager, session=session, notes="Talked", items=items)


# --- goals -----------------------------------------------------------------------------------


def test_goal_progress_comes_from_the_organizations_real_figures(coached, manager):
    for gmv in ("1000.50", "2000.00", "0"):
        BindingFactory(organization=coached, creator=CreatorFactory(gmv_30d=Decimal(gmv)))
    roster = goal(manager, coached, GoalKind.ROSTER, Decimal(6), title="Grow the roster")
    gmv = goal(manager, coached, GoalKind.GMV, Decimal("12002"), title="GMV")
    figures = selectors.organization_figures([coached.pk])[coached.pk]
    assert selectors.goal_progress(roster, figures) == (Decimal(3), 50)
    assert selectors.goal_progress(gmv, figures) == (Decimal("3000.50"), 25)
    assert AuditEntry.objects.filter(action="coaching.goal", object_id=str(roster.pk)).exists()


def test_a_custom_goal_takes_progress_by_hand_and_a_measured_one_refuses_it(coached, manager):
    custom = goal(manager, coached, GoalKind.CUSTOM, Decimal(4), title="Open a live room")
    coaching.goal_update(actor=manager, goal=custom, manual_progress=Decimal(3))
    assert selectors.goal_progress(custom, {}) == (Decimal(3), 75)
    roster = goal(manager, coached, GoalKind.ROSTER, Decimal(5), title="Roster")
    with pytest.raises(ValidationError) as error:
        coaching.goal_update(actor=manager, goal=roster, manual_progress=Decimal(3))
    assert "manual_progress" in error.value.message_dict


def test_a_goal_needs_a_positive_target(coached, manager):
    with pytest.raises(ValidationError) as error:
        goal(manager, coached, GoalKind.ROSTER, Decimal(0), title="Roster")
    assert "target" in error.value.message_dict


# --- sessions and items ----------------------------------------------------------------------


def test_the_coaching_manager_plans_a_session_and_the_organization_is_told(coached, manager, owner):
    session = plan_session(manager, coached, attendees="李娜")
    assert session.manager == manager and session.status == SessionStatus.PLANNED
    assert Notification.objects.filter(recipient=owner, event="coaching.session").exists()
    assert AuditEntry.objects.filter(action="coaching.session", object_id=str(session.pk)).exists()


@pytest.mark.parametrize("who", ["member", "owner", "pets_manager", "other_beauty_manager"])
def test_only_the_coaching_manager_or_an_operator_plans(request, coached, who, beauty):
    if who == "other_beauty_manager":
        from tests.accounts.factories import ManagerFactory

        actor = ManagerFactory(categories=[beauty])
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        plan_session(actor, coached)
    assert not CoachingSession.objects.exists()


def test_an_operator_plans_for_the_organizations_manager(coached, manager, operator):
    assert plan_session(operator, coached).manager == manager


def test_without_a_manager_no_session_can_be_planned(organization, operator):
    with pytest.raises(ValidationError):
        plan_session(operator, organization)


def test_recording_a_session_saves_notes_and_items_and_tells_the_organization(
    coached, manager, owner
):
    due = timezone.localdate() + datetime.timedelta(days=7)
    session = held_session(
        manager,
        coached,
        items=[
            ("Upload 10 originals", ItemOwner.ORGANIZATION, due),
            ("Send guide", "manager", due),
        ],
    )
    assert session.status == SessionStatus.HELD and session.notes == "Talked"
    assert sorted(session.action_items.values_list("owner", flat=True)) == [
        "manager",
        "organization",
    ]
    assert Notification.objects.filter(recipient=owner, event="coaching.items").exists()


def test_a_cancelled_session_cannot_be_recorded(coached, manager):
    session = plan_session(manager, coached)
    coaching.session_cancel(actor=manager, session=session, reason="Moved")
    with pytest.raises(ValidationError):
        coaching.session_record(actor=manager, session=session, notes="x")
    with pytest.raises(ValidationError):
        coaching.session_cancel(actor=manager, session=session, reason="again")


def test_the_organization_completes_its_own_items_with_a_comment(coached, manager, member):
    due = timezone.localdate()
    held_session(
        manager, coached, items=[("Theirs", "organization", due), ("Mine", "manager", due)]
    )
    theirs = ActionItem.objects.get(title="Theirs")
    mine = ActionItem.objects.get(title="Mine")
    coaching.action_item_complete(actor=member, item=theirs, comment="Done: 12 uploaded")
    theirs.refresh_from_db()
    assert (theirs.status, theirs.done_by, theirs.comment) == (
        ItemStatus.DONE,
        member,
        "Done: 12 uploaded",
    )
    with pytest.raises(PermissionDenied):
        coaching.action_item_complete(actor=member, item=mine)
    coaching.action_item_complete(actor=manager, item=mine)
    with pytest.raises(ValidationError):
        coaching.action_item_complete(actor=manager, item=mine)


def test_someone_of_another_organization_cannot_complete_an_item(coached, manager, other_owner):
    held_session(manager, coached, items=[("Theirs", "organization", timezone.localdate())])
    with pytest.raises(PermissionDenied):
        coaching.action_item_complete(actor=other_owner, item=ActionItem.objects.get())
    assert ActionItem.objects.get().status == ItemStatus.OPEN


# --- reminders -------------------------------------------------------------------------------


def test_reminders_go_once_a_day_even_when_the_job_runs_twice(
    coached, manager, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    plan_session(
        manager,
        coached,
        when=timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 0))),
    )
    held_session(
        manager, coached, items=[("Late", "organization", today - datetime.timedelta(days=2))]
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_reminders()
    reminders = [m for m in mail.outbox if m.to == [manager.email]]
    assert len(reminders) == 1
    assert "Late" in reminders[0].body and coached.legal_name in reminders[0].body
    # A second delivery of the same task (at-least-once queues) sends nothing more.
    send_manager_reminder(reminder_id=ReminderLog.objects.get().pk)
    assert len([m for m in mail.outbox if m.to == [manager.email]]) == 1
    assert coaching.reminders_send(today) == 0
    assert coaching.reminders_send(today + datetime.timedelta(days=1)) == 1


def test_a_manager_with_nothing_due_gets_no_reminder(coached, manager):
    plan_session(manager, coached, when=timezone.now() + datetime.timedelta(days=3))
    mail.outbox.clear()
    assert coaching.reminders_send() == 0
    assert mail.outbox == []


# --- pages -----------------------------------------------------------------------------------


def test_manager_plans_records_and_the_member_completes_through_the_pages(
    client, coached, manager, member
):
    client.force_login(manager)
    page = reverse("coaching:organization", args=[coached.pk])
    response = client.post(
        reverse("coaching:session_add", args=[coached.pk]),
        {
            "session-scheduled_at": "2026-12-03T10:00",
            "session-duration_minutes": "45",
            "session-channel": "phone",
            "session-agenda": "Original share",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = CoachingSession.objects.get()
    assert (session.channel, session.duration_minutes) == ("phone", 45)
    response = client.post(
        reverse("coaching:session", args=[session.pk]),
        {
            "notes": "Agreed on a plan",
            "attendees": "李娜",
            "item_0_title": "Publish 5 originals",
            "item_0_owner": "organization",
            "item_0_due": "2026-12-10",
            "item_1_title": "Without a date",
            "item_1_owner": "manager",
        },
    )
    assert response.status_code == 200
    assert "Give the action item a due date." in response.content.decode()
    assert not ActionItem.objects.exists()
    client.post(
        reverse("coaching:session", args=[session.pk]),
        {
            "notes": "Agreed on a plan",
            "item_0_title": "Publish 5 originals",
            "item_0_owner": "organization",
            "item_0_due": "2026-12-10",
        },
    )
    item = ActionItem.objects.get()
    client.force_login(member)
    body = client.get(page).content.decode()
    assert "Agreed on a plan" in body and "Publish 5 originals" in body
    client.post(reverse("coaching:item_done", args=[item.pk]), {"comment": "All five are up"})
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.comment == "All five are up"


def test_a_member_cannot_plan_through_the_page(client, coached, member):
    client.force_login(member)
    response = client.post(
        reverse("coaching:session_add", args=[coached.pk]),
        {"session-scheduled_at": "2026-12-03T10:00"},
    )
    assert response.status_code == 403
    assert not CoachingSession.objects.exists()


def test_the_book_highlights_organizations_without_a_session_in_30_days(client, manager, beauty):
    quiet = OrganizationFactory(legal_name="安静机构", categories=[beauty])
    busy = OrganizationFactory(legal_name="活跃机构", categories=[beauty])
    long_ago = timezone.now() - datetime.timedelta(days=45)
    ManagerAssignment.objects.create(organization=quiet, manager=manager, started_at=long_ago)
    ManagerAssignment.objects.create(organization=busy, manager=manager, started_at=long_ago)
    held_session(manager, busy, days_ago=5)
    rows = {r["organization"].legal_name: r for r in selectors.book_rows([manager.pk])}
    assert rows["安静机构"]["quiet"] and not rows["活跃机构"]["quiet"]
    client.force_login(manager)
    body = client.get(reverse("coaching:book"), {"show": "quiet"}).content.decode()
    assert "安静机构" in body and "活跃机构" not in body


def test_the_calendar_file_lists_the_upcoming_sessions(client, coached, manager):
    plan_session(manager, coached, when=timezone.now() + datetime.timedelta(days=1))
    client.force_login(manager)
    response = client.get(reverse("coaching:agenda_ics"))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert text.count("BEGIN:VEVENT") == 1 and "DESCRIPTION:Reach the next tier" in text
    assert text.endswith("END:VCALENDAR\r\n")


def _book(manager, beauty, count):
    for n in range(count):
        organization = OrganizationFactory(categories=[beauty])
        ManagerAssignment.objects.create(organization=organization, manager=manager)
        BindingFactory(organization=organization)
        held_session(
            manager,
            organization,
            items=[
                (f"Item {n}", "organization", timezone.localdate() - datetime.timedelta(days=1))
            ],
        )
        plan_session(manager, organization)
        goal(manager, organization, GoalKind.ROSTER, Decimal(10), title="Roster")


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_my_book_takes_the_same_number_of_queries_for_any_size(client, manager, beauty):
    client.force_login(manager)
    _book(manager, beauty, 2)
    small = _queries(client, reverse("coaching:book"))
    _book(manager, beauty, 8)
    assert _queries(client, reverse("coaching:book")) == small


def test_the_balance_takes_the_same_number_of_queries_for_any_size(client, operator, beauty):
    from tests.accounts.factories import ManagerFactory

    client.force_login(operator)
    for _ in range(2):
        _book(ManagerFactory(categories=[beauty]), beauty, 1)
    OrganizationFactory(categories=[beauty])  # waiting
    small = _queries(client, reverse("coaching:balance"))
    for _ in range(5):
        _book(ManagerFactory(categories=[beauty]), beauty, 2)
    for _ in range(3):
        OrganizationFactory(categories=[beauty])
    assert _queries(client, reverse("coaching:balance")) == small


def test_the_managers_dashboard_opens_on_the_days_sessions_and_overdue_items(
    client, coached, manager, owner
):
    today = timezone.localdate()
    held_session(
        manager, coached, items=[("Late", "organization", today - datetime.timedelta(days=1))]
    )
    plan_session(
        manager,
        coached,
        when=timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 30))),
    )
    client.force_login(manager)
    context = client.get("/").context
    assert (context["book_size"], context["book_overdue"]) == (1, 1)
    assert [s.organization for s in context["sessions_today"]] == [coached]
    client.force_login(owner)
    context = client.get("/").context
    assert context["open_items"] == 1
    assert context["next_session"] == CoachingSession.objects.get(status=SessionStatus.PLANNED)
