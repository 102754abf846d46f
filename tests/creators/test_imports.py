"""Bulk roster and metrics imports: dry run first, then an atomic, idempotent commit."""

from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from creators.models import (
    Binding,
    Creator,
    CreatorImportRow,
    DailyMetric,
    ImportJob,
    ImportKind,
    ImportStatus,
)
from creators.services import import_confirm, import_create
from creators.services.imports import row_error_message
from portal.audit.models import AuditEntry
from tests.creators.factories import BindingFactory, CreatorFactory

HEADER = "平台账号ID,昵称,主类目,其他类目,粉丝数,实名认证,绑定日期,来源\n"
GOOD = [
    "u100000000001,小鱼美妆,美妆,个护;宠物,12000,是,2026-11-02,新招募",
    "u100000000002,阿杰数码,数码3C,,5000,否,,",
    "u100000000003,Lily穿搭,Fashion,,800,yes,2026/11/5,recruited",
]


def csv_file(*lines, name="roster.csv"):
    return SimpleUploadedFile(name, (HEADER + "\n".join(lines) + "\n").encode())


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run on-commit work (the Celery tasks, eager in tests) as a real commit would."""

    def go(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = function(**kwargs)
        result.refresh_from_db()
        return result

    return go


@pytest.fixture
def upload(run, owner, organization):
    def go(file):
        return run(
            import_create,
            actor=owner,
            kind=ImportKind.CREATORS,
            upload=file,
            organization=organization,
        )

    return go


def errors_of(job):
    return {
        row.row_number: row.error
        for row in CreatorImportRow.objects.filter(job=job).exclude(error="")
    }


def test_the_dry_run_checks_every_row_and_writes_nothing(upload):
    job = upload(csv_file(*GOOD))
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.error_rows) == (3, 0)
    assert job.summary == {"create": 3, "bind": 0, "unchanged": 0}
    assert not Creator.objects.exists() and not Binding.objects.exists()


@pytest.mark.parametrize(
    "line,code",
    [
        ("bad id!,名字,美妆,,,,,", "account"),
        ("u100000000009,,美妆,,,,,", "name"),
        ("u100000000009,名字,火星,,,,,", "category|火星"),
        ("u100000000009,名字,美妆,土星,,,,", "category|土星"),
        ("u100000000009,名字,美妆,,-5,,,", "number|-5"),
        ("u100000000009,名字,美妆,,,maybe,,", "bool|maybe"),
        ("u100000000009,名字,美妆,,,,2026-13-40,", "date|2026-13-40"),
        ("u100000000009,名字,美妆,,,,2099-01-01,", "future|2099-01-01"),
        ("u100000000009,名字,美妆,,,,,stolen", "source|stolen"),
    ],
)
def test_each_bad_row_gets_its_reason(upload, line, code):
    job = upload(csv_file(GOOD[0], line))
    assert errors_of(job) == {3: code}


def test_a_duplicate_in_the_file_points_at_the_first_row(upload):
    job = upload(csv_file(*GOOD, "u100000000001,又一次,美妆,,,,,"))
    assert errors_of(job) == {5: "duplicate|2"}


def test_a_creator_bound_elsewhere_is_an_error_and_one_on_our_roster_is_unchanged(
    upload, organization, other_organization
):
    BindingFactory(
        organization=other_organization, creator=CreatorFactory(platform_account_id="u100000000001")
    )
    BindingFactory(
        organization=organization, creator=CreatorFactory(platform_account_id="u100000000002")
    )
    CreatorFactory(platform_account_id="u100000000003")  # known to the platform, bound nowhere
    job = upload(csv_file(*GOOD))
    assert errors_of(job) == {2: "bound_elsewhere"}
    assert job.summary == {"create": 0, "bind": 1, "unchanged": 1}


def test_errors_are_explained_in_the_readers_language():
    from django.utils import translation

    with translation.override("en"):
        assert "earlier in the file, on row 2" in row_error_message("duplicate|2")
    with translation.override("zh-hans"):
        assert "第 2 行" in row_error_message("duplicate|2")


def test_commit_writes_everything_in_one_go_and_is_audited_once(run, upload, owner, organization):
    job = upload(csv_file(*GOOD))
    job = run(import_confirm, actor=owner, job=job, skip_errors=False)
    assert job.status == ImportStatus.DONE
    assert job.summary["created"] == 3 and job.summary["bound"] == 3
    fish = Creator.objects.get(platform_account_id="u100000000001")
    assert fish.follower_count == 12000 and fish.real_name_verified
    assert set(fish.secondary_categories.values_list("code", flat=True)) == {
        "personal-care",
        "pets",
    }
    binding = Binding.objects.get(creator=fish)
    assert (binding.organization, str(binding.started_on), binding.source) == (
        organization,
        "2026-11-02",
        "recruited",
    )
    assert (
        AuditEntry.objects.filter(action="creators.import", organization=organization).count() == 1
    )


def test_importing_the_same_file_again_changes_nothing(run, upload, owner):
    job = run(import_confirm, actor=owner, job=upload(csv_file(*GOOD)), skip_errors=False)
    before = (Creator.objects.count(), Binding.objects.count())
    again = upload(csv_file(*GOOD))
    assert again.summary == {"create": 0, "bind": 0, "unchanged": 3}
    again = run(import_confirm, actor=owner, job=again, skip_errors=False)
    assert (again.summary["created"], again.summary["bound"]) == (0, 0)
    assert (Creator.objects.count(), Binding.objects.count()) == before
    assert job.pk != again.pk


def test_a_file_with_errors_is_refused_unless_the_person_skips_them(run, upload, owner):
    from django.core.exceptions import ValidationError

    job = upload(csv_file(*GOOD, "bad id!,x,美妆,,,,,"))
    with pytest.raises(ValidationError):
        import_confirm(actor=owner, job=job, skip_errors=False)
    job = run(import_confirm, actor=owner, job=job, skip_errors=True)
    assert job.status == ImportStatus.DONE and Creator.objects.count() == 3


def test_a_failure_during_the_commit_leaves_nothing_behind(upload, monkeypatch):
    from creators.services import imports

    job = upload(csv_file(*GOOD))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)  # confirmed

    def crash(*args, **kwargs):
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(imports, "audit_record", crash)
    with pytest.raises(RuntimeError):
        imports.import_commit(job_id=job.pk)
    assert not Creator.objects.exists() and not Binding.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING  # the retried task will finish it
    monkeypatch.undo()
    imports.import_commit(job_id=job.pk)
    assert Creator.objects.count() == 3


def test_checking_again_after_a_crash_starts_clean(upload):
    from creators.services.imports import import_validate

    job = upload(csv_file(*GOOD))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    import_validate(job_id=job.pk)
    assert CreatorImportRow.objects.filter(job=job).count() == 3


def test_a_deleted_job_takes_its_staged_rows_with_it(upload):
    """The staged rows have no key constraint (staging a million rows paid a key check each):
    deleting a job still deletes its rows, and only its rows."""
    job = upload(csv_file(*GOOD))
    other = upload(csv_file(*GOOD))
    assert CreatorImportRow.objects.filter(job=job).count() == 3
    job.delete()
    assert not CreatorImportRow.objects.filter(job_id=job.pk).exists()
    assert CreatorImportRow.objects.filter(job=other).count() == 3


def test_an_xlsx_with_english_headers_imports(upload):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Platform account id", "Display name", "Primary category", "Followers"])
    sheet.append(["u100000000007", "Tom Pets", "Pets", 3000])
    out = BytesIO()
    book.save(out)
    job = upload(SimpleUploadedFile("roster.xlsx", out.getvalue()))
    assert (job.status, job.error_rows, job.summary["create"]) == (ImportStatus.VALIDATED, 0, 1)


def test_a_file_missing_a_column_fails_with_the_expected_headers(upload):
    job = upload(SimpleUploadedFile("r.csv", "昵称,主类目\n甲,美妆\n".encode()))
    assert job.status == ImportStatus.FAILED
    assert "平台账号ID" in job.failure


def test_five_thousand_rows_import(run, upload, owner):
    lines = [f"u2{n:011d},达人{n},美妆,,{n},是,2026-11-01," for n in range(5000)]
    job = upload(csv_file(*lines))
    assert (job.total_rows, job.error_rows, job.summary["create"]) == (5000, 0, 5000)
    run(import_confirm, actor=owner, job=job, skip_errors=False)
    assert Binding.objects.count() == 5000


def test_metrics_files_are_for_operators_and_replace_resent_days(run, operator, owner):
    from django.core.exceptions import PermissionDenied

    CreatorFactory(platform_account_id="u100000000001")
    text = "平台账号ID,日期,播放量,有效播放量,原创视频数,发布视频数\nu100000000001,2026-11-01,1000,900,1,1\nnobody123,2026-11-01,5,5,0,0\n"
    with pytest.raises(PermissionDenied):
        import_create(
            actor=owner, kind=ImportKind.METRICS, upload=SimpleUploadedFile("m.csv", text.encode())
        )
    job = run(
        import_create,
        actor=operator,
        kind=ImportKind.METRICS,
        upload=SimpleUploadedFile("m.csv", text.encode()),
    )
    assert job.error_rows == 1
    run(import_confirm, actor=operator, job=job, skip_errors=True)
    resent = text.replace("1000,900", "2000,1800")
    job = run(
        import_create,
        actor=operator,
        kind=ImportKind.METRICS,
        upload=SimpleUploadedFile("m.csv", resent.encode()),
    )
    run(import_confirm, actor=operator, job=job, skip_errors=True)
    assert list(DailyMetric.objects.values_list("plays", "valid_plays")) == [(2000, 1800)]


def test_the_job_page_polls_while_running_and_shows_errors(client, owner, upload):
    job = upload(csv_file(*GOOD, "bad id!,x,美妆,,,,,"))
    client.force_login(owner)
    page = client.get(f"/creators/imports/{job.pk}/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.context["errors"][0][0] == 5
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, processed_rows=2, total_rows=4
    )
    fragment = client.get(f"/creators/imports/{job.pk}/", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and 'hx-trigger="every 1s"' in html and 'aria-valuenow="50"' in html
    report = b"".join(
        client.get(f"/creators/imports/{job.pk}/errors.csv").streaming_content
    ).decode("utf-8-sig")
    assert "bad id!" in report


def test_another_organization_cannot_see_the_job(client, other_owner, upload):
    job = upload(csv_file(*GOOD))
    client.force_login(other_owner)
    assert client.get(f"/creators/imports/{job.pk}/").status_code == 404
