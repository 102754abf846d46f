from django.urls import path

from .views import browse, grading, imports, review, settings

app_name = "content"

urlpatterns = [
    path("", browse.video_list, name="list"),
    path("creators/<int:creator_id>/", browse.creator_videos, name="creator"),
    path("videos/<int:pk>/", browse.video_detail, name="video"),
    path("videos/<int:pk>/cover/", browse.video_cover, name="cover"),
    path("videos/<int:pk>/appeal/", browse.video_appeal, name="appeal"),
    path("videos/<int:pk>/nominate/", browse.video_nominate, name="nominate"),
    path("reviews/", review.queue, name="reviews"),
    path("reviews/<int:pk>/", review.review_detail, name="review"),
    path("reviews/<int:pk>/decide/", review.review_decide, name="decide"),
    path("appeals/<int:pk>/", review.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/hear/", review.appeal_hear, name="appeal_hear"),
    path("grading/", grading.grading_queue, name="grading"),
    path("grading/<int:pk>/", grading.grade_page, name="grade"),
    path("grading/<int:pk>/grade/", grading.grade_submit, name="grade_submit"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/types/", settings.type_add, name="type_add"),
    path("settings/rules/", settings.rule_add, name="rule_add"),
    path("settings/stock/", settings.stock_add, name="stock_add"),
    path("settings/sampling/", settings.sampling_add, name="sampling_add"),
    path("settings/sampling/<int:pk>/toggle/", settings.sampling_toggle, name="sampling_toggle"),
    path("settings/rubrics/", settings.rubric_draft, name="rubric_draft"),
    path("settings/rubrics/<int:pk>/", settings.rubric_page, name="rubric"),
    path("settings/rubrics/<int:pk>/edit/", settings.rubric_update, name="rubric_update"),
    path("settings/rubrics/<int:pk>/publish/", settings.rubric_publish, name="rubric_publish"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/template/<str:kind>/", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail, name="import"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import_discard"),
]
