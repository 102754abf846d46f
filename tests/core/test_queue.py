"""Background work survives a broker outage: the outbox keeps it, the page still works."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.core.models import QueuedTask
from portal.core.queue import deliver_pending


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing fails as it does when Redis is unreachable."""
    from celery.app.task import Task

    def refuse(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)


def test_with_the_broker_down_the_reset_page_works_and_the_email_waits(
    client, owner, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert mail.outbox == []
    pending = QueuedTask.objects.get()
    assert pending.published_at is None
    assert pending.attempts == 1
    assert "Connection refused" in pending.last_error


def test_waiting_tasks_are_sent_once_the_broker_is_back(
    client, owner, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": owner.email})
    monkeypatch.undo()  # the broker is reachable again
    QueuedTask.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    published, remaining = deliver_pending()

    assert (published, remaining) == (1, 0)
    assert len(mail.outbox) == 1
    assert QueuedTask.objects.get().published_at is not None
    assert deliver_pending() == (0, 0), "a delivered task is not sent again"


def test_the_operator_dashboard_says_when_work_is_waiting_for_the_queue(
    client, operator, owner, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": owner.email})
    client.force_login(operator)
    assert "waiting for the task queue" in client.get("/").content.decode()
