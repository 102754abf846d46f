"""Imports never stall (issue 13, findings 2, 3 and 8): every number of a file is checked against
its column as a row error, a task that fails ends its job as failed with a message and the job
can be discarded, import tasks run on their own queue under time limits, and a roster row may not
start a binding inside the creator's previous one."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from creators.models import (
    Binding,
    CreatorImportRow,
    DailyMetric,
    ImportJob,
    ImportKind,
    ImportStatus,
    MetricImportRow,
)
from creators.services import import_confirm, import_create, import_discard
from creators.services.imports import row_error_message
from tests.creators.factories import BindingFactory, CreatorFactory

METRICS_HEADER = (
    "平台账号ID,日期,播放量,有效播放量,新增粉丝,发布视频数,原创视频数,成交额,订单数,佣金\n"
)
GOOD_METRIC = "u100000000001,2026-11-01,1000,900,5,2,1,12.50,3,0.60"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = function(**kwargs)
        if isinstance(result, ImportJob):
            result.refresh_from_db()
        return result

    return go


@pytest.fixture
def metrics_upload(run, operator):
    CreatorFactory(platform_account_id="u100000000001")

    def go(*lines):
        text = METRICS_HEADER + "\n".join(lines) + "\n"
        return run(
            import_create,
            actor=operator,
            kind=ImportKind.METRICS,
            upload=SimpleUploadedFile("m.csv", text.encode()),
        )

    return go


def metric_line(**values):
    fields = ["account", "date", "plays", "valid", "followers", "videos", "originals", "gmv"]
    fields += ["orders", "commission"]
    row = dict(zip(fields, GOOD_METRIC.split(","), strict=True)) | values
    return ",".join(row[f] for f in fields)


def errors_of(job, model=MetricImportRow):
    return {r.row_number: r.error for r in model.objects.filter(job=job).exclude(error="")}


@pytest.mark.parametrize(
    "values,code",
    [
        ({"plays": "Infinity", "valid": "0"}, "number|Infinity"),
        ({"plays": "99999999999999999999999", "valid": "0"}, "range:plays|99999999999999999999999"),
        ({"plays": "9223372036854775808", "valid": "0"}, "range:plays|9223372036854775808"),
        ({"plays": "1000000000001", "valid": "0"}, "range:plays|1000000000001"),
        ({"plays": "1e400", "valid": "0"}, "range:plays|1e400"),
        ({"plays": "NaN", "valid": "0"}, "number|NaN"),
        ({"followers": "-9223372036854775809"}, "range:new_followers|-9223372036854775809"),
        ({"videos": "2147483648"}, "range:videos_published|2147483648"),
        ({"orders": "1099511627776"}, "range:orders|1099511627776"),
        ({"gmv": "NaN"}, "money|NaN"),
        ({"gmv": "Infinity"}, "money|Infinity"),
        ({"gmv": "-Infinity"}, "money|-Infinity"),
        ({"gmv": "1e400"}, "range:gmv|1e400"),
        ({"gmv": "100000000000000"}, "range:gmv|100000000000000"),
        ({"gmv": "100000000000.01"}, "range:gmv|100000000000.01"),
        ({"gmv": "1.001"}, "money|1.001"),
        ({"commission": "1e-400"}, "money|1e-400"),
        ({"plays": "²", "valid": "0"}, "number|²"),
        ({"plays": "١٢٣", "valid": "0"}, "number|١٢٣"),
        ({"date": "0001-01-01"}, "early|0001-01-01"),
        ({"date": "9999-12-31"}, "future|9999-12-31"),
    ],
)
def test_every_number_and_date_is_checked_against_its_column(metrics_upload, values, code):
    job = metrics_upload(GOOD_METRIC, metric_line(**values))
    assert job.status == ImportStatus.VALIDATED, job.failure
    assert errors_of(job) == {3: code}
    assert row_error_message(code)  # renders
    assert not DailyMetric.objects.exists()


def test_full_width_digits_are_the_same_numbers(metrics_upload, run, operator):
    job = metrics_upload(metric_line(plays="１２０００", valid="１１０００", gmv="１２．５０"))
    assert job.error_rows == 0
    run(import_confirm, actor=operator, job=job, skip_errors=False)
    assert DailyMetric.objects.values_list("plays", "valid_plays").get() == (12000, 11000)


def test_a_range_error_names_the_column_and_its_limit():
    with translation.override("en"):
        message = row_error_message("range:orders|1099511627776")
    assert "orders" in message and "1,000,000,000" in message
    with translation.override("zh-hans"):
        assert "订单数" in row_error_message("range:orders|1099511627776")


def test_the_largest_figures_a_day_may_hold_are_imported_and_summed(metrics_upload, run, operator):
    """The limits keep every sum of them inside its column: two days at the limit still fit the
    creator's 30-day figures."""
    from creators.limits import DAY_LIMITS
    from creators.models import Creator

    most = {field: str(high) for field, (_low, high) in DAY_LIMITS.items()}
    line = metric_line(
        plays=most["plays"],
        valid=most["valid_plays"],
        followers=most["new_followers"],
        videos=most["videos_published"],
        originals=most["original_videos"],
        gmv=most["gmv"],
        orders=most["orders"],
        commission=most["commission"],
    )
    job = metrics_upload(line, line.replace("2026-11-01", "2026-11-02"))
    assert job.error_rows == 0, errors_of(job)
    job = run(import_confirm, actor=operator, job=job, skip_errors=False)
    assert job.status == ImportStatus.DONE, job.failure
    creator = Creator.objects.get()
    assert creator.plays_30d == 2 * 10**12 and creator.gmv_30d == 2 * 10**11


def test_roster_followers_are_checked_too(run, owner, organization):
    text = "平台账号ID,昵称,主类目,粉丝数\nu100000000001,甲,美妆,Infinity\nu100000000002,乙,美妆,1e30\n"
    job = run(
        import_create,
        actor=owner,
        kind=ImportKind.CREATORS,
        upload=SimpleUploadedFile("r.csv", text.encode()),
        organization=organization,
    )
    assert job.status == ImportStatus.VALIDATED
    assert errors_of(job, CreatorImportRow) == {
        2: "number|Infinity",
        3: "range:follower_count|1e30",
    }


# --- a failing task ends the job ----------------------------------------------------------------


def test_a_check_that_crashes_ends_as_failed_and_can_be_discarded(
    metrics_upload, monkeypatch, operator
):
    from creators.services import imports

    def crash(job):
        raise RuntimeError("numeric field overflow")

    monkeypatch.setattr(imports, "_check_metrics", crash)
    job = metrics_upload(GOOD_METRIC)
    assert job.status == ImportStatus.FAILED
    assert "error on our side" in job.failure or "我们这边" in job.failure
    assert not MetricImportRow.objects.filter(job=job).exists()
    assert import_discard(actor=operator, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED


def test_a_check_over_its_time_limit_ends_as_failed_in_the_uploaders_language(
    metrics_upload, monkeypatch, operator
):
    from creators.services import imports

    def slow(job):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(imports, "_estimated_rows", slow)
    operator.language = "en"
    operator.save(update_fields=["language"])
    job = metrics_upload(GOOD_METRIC)
    assert job.status == ImportStatus.FAILED
    assert "took too long" in job.failure


def test_a_commit_that_crashes_ends_as_failed_with_nothing_written(
    metrics_upload, run, monkeypatch, operator
):
    from creators.services import import_writes

    job = metrics_upload(GOOD_METRIC)

    def crash(*args, **kwargs):
        raise RuntimeError("numeric field overflow")

    monkeypatch.setattr(import_writes, "recompute_spans", crash)
    job = run(import_confirm, actor=operator, job=job, skip_errors=False)
    assert job.status == ImportStatus.FAILED and job.failure
    assert not DailyMetric.objects.exists()


def test_a_job_still_being_checked_can_be_discarded(metrics_upload, operator):
    job = metrics_upload(GOOD_METRIC)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    assert import_discard(actor=operator, job=job)
    from creators.services.imports import import_validate

    assert import_validate(job_id=job.pk) is None  # a late task does nothing
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert not MetricImportRow.objects.filter(job=job).exists()


def test_an_imported_job_cannot_be_discarded(metrics_upload, run, operator):
    job = run(import_confirm, actor=operator, job=metrics_upload(GOOD_METRIC), skip_errors=False)
    assert job.status == ImportStatus.DONE
    assert not import_discard(actor=operator, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_the_page_of_a_failed_job_offers_discard(client, metrics_upload, monkeypatch, operator):
    from creators.services import imports

    monkeypatch.setattr(imports, "_check_metrics", lambda job: 1 / 0)
    job = metrics_upload(GOOD_METRIC)
    client.force_login(operator)
    page = client.get(f"/creators/imports/{job.pk}/").content.decode()
    assert f"/creators/imports/{job.pk}/discard/" in page
    response = client.post(f"/creators/imports/{job.pk}/discard/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED


def test_import_tasks_have_their_own_queue_and_time_limits():
    from creators import tasks
    from portal.celery import app

    for task in (tasks.validate_import, tasks.commit_import):
        assert app.amqp.router.route({}, task.name)["queue"].name == "imports"
        assert 0 < task.soft_time_limit < task.time_limit
        # Inside the broker's visibility timeout: a running task is never handed out twice.
        assert task.time_limit < 15 * 60
    assert app.amqp.router.route({}, "portal.core.tasks.deliver_queued_tasks")["queue"].name == (
        "celery"
    )
    assert {queue.name for queue in app.amqp.queues.values()} == {"celery", "imports"}


# --- roster rows and earlier bindings (finding 2) -----------------------------------------------


def test_a_roster_row_cannot_start_inside_the_creators_previous_binding(
    run, owner, organization, other_organization
):
    creator = CreatorFactory(platform_account_id="u100000000001")
    BindingFactory(
        creator=creator,
        organization=other_organization,
        started_on=datetime.date(2026, 12, 2),
        ended_on=datetime.date(2026, 12, 7),
    )
    CreatorFactory(platform_account_id="u100000000002")
    text = (
        "平台账号ID,昵称,主类目,绑定日期\n"
        "u100000000001,甲,美妆,2026-05-16\n"
        "u100000000002,乙,美妆,2026-12-01\n"
    )
    job = run(
        import_create,
        actor=owner,
        kind=ImportKind.CREATORS,
        upload=SimpleUploadedFile("r.csv", text.encode()),
        organization=organization,
    )
    assert errors_of(job, CreatorImportRow) == {2: "previous_binding|2026-12-07"}
    job = run(import_confirm, actor=owner, job=job, skip_errors=True)
    assert job.summary["bound"] == 1
    assert not Binding.objects.filter(creator=creator, organization=organization).exists()


def test_a_binding_made_meanwhile_is_reported_at_commit(
    run, owner, organization, other_organization
):
    creator = CreatorFactory(platform_account_id="u100000000001")
    text = "平台账号ID,昵称,主类目,绑定日期\nu100000000001,甲,美妆,2026-11-01\n"
    job = run(
        import_create,
        actor=owner,
        kind=ImportKind.CREATORS,
        upload=SimpleUploadedFile("r.csv", text.encode()),
        organization=organization,
    )
    assert job.error_rows == 0
    # Meanwhile another organization had the creator from 11-20 to 12-01.
    BindingFactory(
        creator=creator,
        organization=other_organization,
        started_on=datetime.date(2026, 11, 20),
        ended_on=datetime.date(2026, 12, 1),
    )
    job = run(import_confirm, actor=owner, job=job, skip_errors=False)
    assert job.status == ImportStatus.DONE
    assert (job.summary["bound"], job.summary["late_conflicts"]) == (0, 1)
    assert errors_of(job, CreatorImportRow) == {2: "previous_binding|2026-12-01"}
