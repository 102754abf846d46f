from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    path("", views.index, name="index"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("rules/<int:pk>/", views.rule_version, name="rules"),
    path("lists/<int:pk>/", views.reward_list_detail, name="list"),
    path("lists/<int:pk>/statement/", views.statement, name="statement"),
    path("lists/<int:pk>/special/", views.special, name="special"),
]
