from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("categories/", views.categories, name="categories"),
    path("language/", views.language_switch, name="language"),
    path("notifications/", views.notifications, name="notifications"),
]
