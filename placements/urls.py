from django.urls import path

from . import views

app_name = "placements"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("nominate/", views.nominate, name="nominate"),
    path("queue/", views.queue, name="queue"),
    path("nominations/<int:pk>/accept/", views.accept, name="accept"),
    path("nominations/<int:pk>/decline/", views.decline, name="decline"),
    path("fill/propose/", views.fill_propose, name="fill_propose"),
    path("fill/confirm/", views.fill_confirm, name="fill_confirm"),
    path("inventory/", views.inventory_add, name="inventory_add"),
    path("coupons/grant/", views.grant_grades, name="grant_grades"),
    path("coupons/close/<int:pk>/", views.close_cycle, name="close_cycle"),
]
