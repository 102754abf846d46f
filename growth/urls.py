from django.urls import path

from . import views

app_name = "growth"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("organizations/<int:pk>/", views.organization_page, name="organization"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/versions/new/", views.version_draft, name="version_draft"),
    path("settings/versions/<int:pk>/", views.version_update, name="version_update"),
    path("settings/versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("settings/levels/<int:number>/", views.level_update, name="level"),
    path("settings/compute/", views.compute, name="compute"),
]
