from django.urls import path

from .views import apply, members, profile, review, suspension

app_name = "organizations"

urlpatterns = [
    path("<int:pk>/", profile.organization_detail, name="detail"),
    path("<int:pk>/licence/", profile.organization_licence, name="licence"),
    path("<int:pk>/withdraw/", profile.organization_withdraw, name="withdraw"),
    path("<int:pk>/members/", members.members, name="members"),
    path("<int:pk>/members/invite/", members.invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_id>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:pk>/members/<int:membership_id>/role/", members.member_role, name="member_role"),
    path(
        "<int:pk>/members/<int:membership_id>/remove/", members.member_remove, name="member_remove"
    ),
    path("apply/", apply.apply_start, name="apply"),
    path("apply/<slug:step>/", apply.apply_step, name="apply_step"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/", review.review_detail, name="review_detail"),
    path("suspension/", suspension.suspension, name="suspension"),
    path("suspension/appeal/", suspension.appeal_send, name="appeal_send"),
    path(
        "suspension/documents/<int:pk>/", suspension.my_appeal_document, name="my_appeal_document"
    ),
    path("appeals/", suspension.appeals, name="appeals"),
    path("appeals/window/", suspension.appeal_window, name="appeal_window"),
    path("appeals/<int:pk>/", suspension.appeal, name="appeal"),
    path("appeals/<int:pk>/decide/", suspension.appeal_decide, name="appeal_decide"),
    path("appeals/documents/<int:pk>/", suspension.appeal_document, name="appeal_document"),
]
