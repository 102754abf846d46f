from django.urls import path

from .views import creators, scorecards

app_name = "growth"

urlpatterns = [
    path("", scorecards.home, name="home"),
    path("overview/", scorecards.overview, name="overview"),
    path("organizations/<int:pk>/", scorecards.organization_page, name="organization"),
    path("settings/", scorecards.settings_page, name="settings"),
    path("settings/versions/new/", scorecards.version_draft, name="version_draft"),
    path("settings/versions/<int:pk>/", scorecards.version_update, name="version_update"),
    path("settings/versions/<int:pk>/publish/", scorecards.version_publish, name="version_publish"),
    path("settings/levels/<int:number>/", scorecards.level_update, name="level"),
    path("settings/compute/", scorecards.compute, name="compute"),
    path("links/", creators.links, name="links"),
    path("links/send/", creators.link_send, name="link_send"),
    path("links/<int:pk>/revoke/", creators.link_revoke, name="link_revoke"),
    path("me/<int:pk>/<str:token>/", creators.creator_page, name="creator_page"),
    path(
        "me/<int:pk>/<str:token>/consent/withdraw/",
        creators.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "me/<int:pk>/<str:token>/consent/<str:scope>/withdraw/",
        creators.consent_withdraw_scope,
        name="consent_withdraw_scope",
    ),
]
