"""An import whose database connection is lost (PostgreSQL restarted) is retried by its task and
ends once, instead of staying "validating" or "importing" forever. Found by the fault drill
(`bench/drills/run.py --only import`); here the lost connection is an OperationalError raised
once inside the service. Tasks run eagerly in tests, where a retry surfaces as celery's `Retry`;
the test then delivers the retry message itself by running the task again."""

import pytest
from celery.exceptions import Retry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from creators.models import Binding, Creator, ImportJob, ImportKind, ImportStatus
from creators.services import imports
from creators.tasks import commit_import, validate_import
from portal.audit.models import AuditEntry

ROSTER = (
    "平台账号ID,达人昵称,主类目,粉丝数\n"
    "u200000000001,小鱼美妆,美妆,12000\n"
    "u200000000002,阿杰数码,数码3C,5000\n"
)


@pytest.fixture
def job(owner, organization):
    """An uploaded roster whose check has not run yet (its task waits for the commit)."""
    return imports.import_create(
        actor=owner,
        kind=ImportKind.CREATORS,
        upload=SimpleUploadedFile("roster.csv", ROSTER.encode()),
        organization=organization,
    )


def lose_the_connection_once(monkeypatch, name):
    real = getattr(imports, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, name, flaky)
    return calls


def test_a_check_cut_by_a_database_restart_is_retried_and_ends_validated(job, monkeypatch):
    calls = lose_the_connection_once(monkeypatch, "_stage")

    with pytest.raises(Retry):
        validate_import.delay(job_id=job.pk)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATING
    validate_import.delay(job_id=job.pk)  # the retry

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert job.total_rows == 2 and job.error_rows == 0
    assert len(calls) == 2


def test_a_commit_cut_by_a_database_restart_is_retried_and_writes_once(job, monkeypatch):
    validate_import.delay(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)  # confirmed
    lose_the_connection_once(monkeypatch, "_commit_roster")

    with pytest.raises(Retry):
        commit_import.delay(job_id=job.pk)
    assert not Creator.objects.exists(), "nothing half-written"
    commit_import.delay(job_id=job.pk)  # the retry

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Creator.objects.count() == 2 and Binding.objects.count() == 2
    assert AuditEntry.objects.filter(action="creators.import").count() == 1


@pytest.mark.postgres
def test_a_lost_connection_in_the_copy_is_a_database_error_the_task_retries(job, monkeypatch):
    """The staging COPY goes through psycopg directly; its errors must still be Django's."""
    import psycopg

    real = psycopg.Cursor.copy
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise psycopg.OperationalError("consuming input failed: server closed the connection")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", flaky)
    with pytest.raises(Retry):
        validate_import.delay(job_id=job.pk)
    validate_import.delay(job_id=job.pk)  # the retry
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED
