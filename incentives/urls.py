from django.urls import path, re_path

from . import views

app_name = "incentives"

urlpatterns = [
    path("", views.index, name="index"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("programs/<int:pk>/open/", views.program_open, name="program_open"),
    path("programs/<int:pk>/close/", views.program_close, name="program_close"),
    path("programs/<int:pk>/reopen/", views.program_reopen, name="program_reopen"),
    path("programs/<int:pk>/rules/", views.rules_draft, name="rules_draft"),
    path(
        "programs/<int:pk>/cycles/<int:cycle_pk>/compute/",
        views.cycle_compute,
        name="cycle_compute",
    ),
    path("rules/<int:pk>/", views.rule_version, name="rules"),
    path("rules/<int:pk>/save/", views.rules_save, name="rules_save"),
    path("rules/<int:pk>/publish/", views.rules_publish, name="rules_publish"),
    path("lists/<int:pk>/", views.reward_list_detail, name="list"),
    path("lists/<int:pk>/submit/", views.list_submit, name="list_submit"),
    path("lists/<int:pk>/return/", views.list_return, name="list_return"),
    path("lists/<int:pk>/export/", views.list_export, name="list_export"),
    path("lists/<int:pk>/result/", views.list_result, name="list_result"),
    path("lists/<int:pk>/approve/", views.list_approve, name="list_approve"),
    path("lists/<int:pk>/publish/", views.list_publish, name="list_publish"),
    path("lists/<int:pk>/adjust/", views.list_adjust, name="list_adjust"),
    path(
        "lists/<int:pk>/adjust/organizations/",
        views.list_adjust_organizations,
        name="list_adjust_organizations",
    ),
    path("lists/<int:pk>/statement/", views.statement, name="statement"),
    re_path(
        r"^lists/(?P<pk>[0-9]+)/statement\.(?P<extension>csv|xlsx)$",
        views.statement_export,
        name="statement_export",
    ),
    path("lists/<int:pk>/special/", views.special, name="special"),
    path("lists/<int:pk>/invoice/", views.invoice_upload_view, name="invoice_upload"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_pk>/file/", views.invoice_file, name="invoice_file"),
    path("invoices/<int:invoice_pk>/verify/", views.invoice_verify_view, name="invoice_verify"),
    path("invoices/<int:invoice_pk>/reject/", views.invoice_reject_view, name="invoice_reject"),
    path("lists/<int:pk>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("lists/<int:pk>/holds/", views.holds, name="holds"),
    path(
        "lists/<int:pk>/holds/release-due/",
        views.holds_release_due_view,
        name="holds_release_due",
    ),
    path(
        "lists/<int:pk>/holds/<int:hold_pk>/release/",
        views.hold_release_view,
        name="hold_release",
    ),
    path(
        "lists/<int:pk>/entries/<int:entry_pk>/forfeit/",
        views.entry_forfeit_view,
        name="entry_forfeit",
    ),
    re_path(
        r"^lists/(?P<pk>[0-9]+)/reconciliation\.(?P<extension>csv|xlsx)$",
        views.reconciliation_export,
        name="reconciliation_export",
    ),
]
