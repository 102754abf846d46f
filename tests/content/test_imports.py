"""Videos and their figures from a file: the dry run with row errors, then one set-based commit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import Video, VideoMetric
from content.services import content_import_create
from content.services.imports import content_import_confirm
from creators.models import ImportJob, ImportStatus
from tests.content.factories import make_video
from tests.creators.factories import CreatorFactory

pytestmark = pytest.mark.django_db
HEADER = "视频ID,平台账号ID,创作领域,内容类型,标题,时长（秒）,发布时间,声明原创,商品,关键帧指纹\n"


def upload(operator, kind, text):
    file = SimpleUploadedFile("videos.csv", text.encode(), content_type="text/csv")
    job = content_import_create(actor=operator, kind=kind, upload=file)
    return ImportJob.objects.get(pk=job.pk)


def test_a_videos_file_is_checked_then_imported(operator, django_capture_on_commit_callbacks):
    creator = CreatorFactory()
    account = creator.platform_account_id
    text = HEADER + (
        f"v1,{account},美妆,评测,口红试色,95,2026-11-03 20:15,是,SKU1|口红|彩妆,0123456789abcdef\n"
        f"v2,{account},beauty,outfit,穿搭,NaN,2026-11-03 20:15,是,,\n"
        f"v3,{account},beauty,review,时长溢出,99999999999999999999,2026-11-03 20:15,是,,\n"
        f"v4,nobody_here,beauty,review,无此达人,60,2026-11-03 20:15,是,,\n"
        f"v5,{account},beauty,review,坏指纹,60,2026-11-03 20:15,是,,xyz\n"
        f"v1,{account},beauty,review,重复,60,2026-11-03 20:15,是,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(operator, "videos", text)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.error_rows == 5
    assert Video.objects.count() == 0  # the dry run writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        content_import_confirm(actor=operator, job=job, skip_errors=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    video = Video.objects.get()
    assert (video.video_id, video.duration_seconds, video.frames.count()) == ("v1", 95, 1)
    assert list(video.products.values_list("sku_id", flat=True)) == ["SKU1"]


def test_a_figures_file_refuses_numbers_its_columns_cannot_hold(
    operator, django_capture_on_commit_callbacks
):
    video = make_video(CreatorFactory(), days_ago=5)
    day = video.published_on.isoformat()
    text = (
        "视频ID,日期,播放量,有效播放量,完播率,互动数,成交额\n"
        f"{video.video_id},{day},100,90,35%,5,12.50\n"
        f"{video.video_id},{day},100,90,Infinity,5,1\n"
        f"{video.video_id},{day},9223372036854775808,90,0.1,5,1\n"
        f"{video.video_id},{day},100,90,0.1,5,1e20\n"
        f"{video.video_id},{day},10,90,0.1,5,1\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(operator, "video_days", text)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.error_rows == 4
    with django_capture_on_commit_callbacks(execute=True):
        content_import_confirm(actor=operator, job=job, skip_errors=True)
    metric = VideoMetric.objects.get()
    assert (metric.plays, str(metric.completion_rate), str(metric.gmv)) == (100, "0.3500", "12.50")
