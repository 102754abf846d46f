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
    path("setup/", views.setup, name="setup"),
    path("inventory/", views.inventory_add, name="inventory_add"),
    path("surfaces/new/", views.surface_new, name="surface_new"),
    path("surfaces/add/", views.surface_add, name="surface_add"),
    path("surfaces/<int:pk>/", views.surface_edit, name="surface"),
    path("surfaces/<int:pk>/save/", views.surface_update, name="surface_save"),
    path("rules/", views.rules, name="rules"),
    path("rules/add/", views.rule_add, name="rule_add"),
    path("coupons/grant/", views.grant_grades, name="grant_grades"),
    path("coupons/close/<int:pk>/", views.close_cycle, name="close_cycle"),
]
