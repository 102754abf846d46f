"""Every write to videos, originality and quality (see each module)."""

from .checks import originality_check
from .corrections import decision_corrections, originality_correct
from .imports import (
    content_import_commit,
    content_import_confirm,
    content_import_create,
    content_import_discard,
    content_import_validate,
)
from .ingest import (
    ProductRow,
    VideoMetricRow,
    VideoRow,
    video_metrics_upsert,
    videos_upsert,
)
from .quality import (
    quality_sample,
    rubric_draft,
    rubric_publish,
    rubric_update,
    video_grade,
    video_nominate,
)
from .review import originality_appeal, originality_appeal_hear, originality_decide
from .settings import (
    content_type_save,
    originality_rule_add,
    sampling_rule_save,
    stock_image_add,
    video_set_cover,
)

__all__ = [
    "ProductRow",
    "VideoMetricRow",
    "VideoRow",
    "content_import_commit",
    "content_import_confirm",
    "content_import_create",
    "content_import_discard",
    "content_import_validate",
    "content_type_save",
    "decision_corrections",
    "originality_appeal",
    "originality_appeal_hear",
    "originality_check",
    "originality_correct",
    "originality_decide",
    "originality_rule_add",
    "quality_sample",
    "rubric_draft",
    "rubric_publish",
    "rubric_update",
    "sampling_rule_save",
    "stock_image_add",
    "video_grade",
    "video_metrics_upsert",
    "video_nominate",
    "video_set_cover",
    "videos_upsert",
]
