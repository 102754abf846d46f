from django.urls import path

from .views import pool, ranking, shortlist

app_name = "incubation"

urlpatterns = [
    path("", pool.pool, name="pool"),
    path("pool/<int:creator_id>/", pool.member_detail, name="member"),
    path("pool/<int:creator_id>/move/", pool.member_move_view, name="member_move"),
    path("nominate/", pool.nominate, name="nominate"),
    path("nominations/", pool.nominations, name="nominations"),
    path(
        "nominations/<int:pk>/withdraw/",
        pool.nomination_withdraw_view,
        name="nomination_withdraw",
    ),
    path("review/", pool.review, name="review"),
    path("review/<int:pk>/accept/", pool.nomination_accept, name="nomination_accept"),
    path("review/<int:pk>/decline/", pool.nomination_decline, name="nomination_decline"),
    path("settings/", pool.settings_page, name="settings"),
    path("settings/limit/", pool.limit_set, name="limit_set"),
    path("settings/rules/", pool.rule_add, name="rule_add"),
    path("settings/rules/apply/", pool.rules_apply, name="rules_apply"),
    path("settings/rules/<int:pk>/on/", pool.rule_activate, name="rule_activate"),
    path("settings/rules/<int:pk>/off/", pool.rule_deactivate, name="rule_deactivate"),
    path("ranking/", ranking.ranking, name="ranking"),
    path("ranking/compute/", ranking.compute, name="ranking_compute"),
    path("shortlist/", shortlist.shortlist_page, name="shortlist"),
    path("shortlist/pin/", shortlist.pin, name="shortlist_pin"),
    path("shortlist/exclude/", shortlist.exclude, name="shortlist_exclude"),
    path("shortlist/include/", shortlist.include, name="shortlist_include"),
    path("shortlist/propose/", shortlist.propose, name="shortlist_propose"),
    path("shortlist/freeze/", shortlist.freeze, name="shortlist_freeze"),
    path("shortlist/publish/", shortlist.publish, name="shortlist_publish"),
    path("shortlist/award/", shortlist.award, name="shortlist_award"),
    path("shortlist/snapshots/<int:pk>/", shortlist.snapshot_page, name="snapshot"),
    path("top-100/<int:year>/", shortlist.published, name="published"),
]
