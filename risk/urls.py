from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.center, name="center"),
    path("run/", views.run_start, name="run"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/publish/", views.rules_publish, name="rules_publish"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/decide/", views.case_decide_view, name="decide"),
    path("statements/<int:pk>/document/", views.statement_document, name="document"),
    path("mine/", views.my_cases, name="my_cases"),
    path("mine/<int:pk>/", views.my_case, name="my_case"),
    path("mine/<int:pk>/statement/", views.statement_send, name="statement"),
    path("mine/statements/<int:pk>/document/", views.my_statement_document, name="my_document"),
]
