"""A real Celery worker takes a task from the configured broker (Redis in CI, the file broker
otherwise) and runs it against the database."""

import pytest
from django.core import mail


@pytest.mark.django_db(transaction=True)
def test_password_reset_email_is_sent_by_a_real_worker_through_the_broker(client, real_worker):
    import time

    from tests.accounts.factories import UserFactory

    person = UserFactory(email="worker@example.com")
    response = client.post("/accounts/password/reset/", {"email": person.email})
    assert response.status_code == 302

    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["worker@example.com"]


@pytest.mark.django_db(transaction=True)
def test_an_import_is_checked_by_a_real_worker_on_the_imports_queue(operator, real_worker):
    """Imports are routed to their own queue (issue 13); the test worker, like `make run`'s
    imports worker, consumes it."""
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile

    from creators.models import ImportKind, ImportStatus
    from creators.services import import_create
    from tests.creators.factories import CreatorFactory

    CreatorFactory(platform_account_id="u100000000001")
    text = "平台账号ID,日期,播放量,有效播放量\nu100000000001,2026-11-01,10,9\n"
    job = import_create(
        actor=operator, kind=ImportKind.METRICS, upload=SimpleUploadedFile("m.csv", text.encode())
    )
    deadline = time.monotonic() + 20
    while job.status == ImportStatus.QUEUED and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
