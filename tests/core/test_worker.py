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
