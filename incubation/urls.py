from django.urls import path

from .views import pool, ranking, shortlist

app_name = "incubation"

urlpatterns = [
    path("", pool.pool, name="pool"),
    path("pool/<int:creator_id>/", pool.member_detail, name="member"),
    path("nominate/", pool.nominate, name="nominate"),
    path("nominations/", pool.nominations, name="nominations"),
    path("review/", pool.review, name="review"),
    path("settings/", pool.settings_page, name="settings"),
    path("ranking/", ranking.ranking, name="ranking"),
    path("shortlist/", shortlist.shortlist_page, name="shortlist"),
    path("shortlist/snapshots/<int:pk>/", shortlist.snapshot_page, name="snapshot"),
    path("top-100/<int:year>/", shortlist.published, name="published"),
]
