from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/tokens/", views.token_issue, name="token_issue"),
    path("<int:pk>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("<int:pk>/webhooks/", views.webhook_create, name="webhook_create"),
    path(
        "<int:pk>/webhooks/<int:endpoint_id>/deactivate/",
        views.webhook_deactivate,
        name="webhook_deactivate",
    ),
    path("<int:pk>/deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery"),
    path(
        "<int:pk>/deliveries/<int:delivery_id>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
