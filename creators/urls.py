from django.urls import path

from .views import claims, consent, detail, flags, imports, roster

app_name = "creators"

urlpatterns = [
    path("", roster.roster, name="roster"),
    path("export.<str:extension>", roster.roster_export, name="export"),
    path("bulk/end/", roster.bindings_end, name="bindings_end"),
    path("<int:pk>/", detail.creator_detail, name="detail"),
    path("<int:pk>/avatar/", detail.creator_avatar, name="avatar"),
    path("<int:pk>/avatar/upload/", detail.avatar_upload, name="avatar_upload"),
    path("<int:pk>/binding/end/", detail.binding_end, name="binding_end"),
    path("claim/", claims.claim, name="claim"),
    path("claim/bind/", claims.claim_bind, name="claim_bind"),
    path("claim/transfer/", claims.claim_transfer, name="claim_transfer"),
    path("claim/dispute/", claims.claim_dispute, name="claim_dispute"),
    path(
        "transfers/<int:transfer_id>/<str:token>/",
        claims.transfer_confirm,
        name="transfer_confirm",
    ),
    path("consents/", consent.consents, name="consents"),
    path("consents/<int:pk>/send/", consent.consent_send, name="consent_send"),
    path("consent/<int:consent_id>/<str:token>/", consent.consent_page, name="consent"),
    path("consent/<int:consent_id>/<str:token>/give/", consent.consent_give, name="consent_give"),
    path(
        "consent/<int:consent_id>/<str:token>/decline/",
        consent.consent_decline,
        name="consent_decline",
    ),
    path("disputes/", claims.disputes, name="disputes"),
    path("disputes/<int:pk>/", claims.dispute_detail, name="dispute"),
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import_discard"),
    path("imports/<int:pk>/errors.csv", imports.import_errors, name="import_errors"),
    path(
        "imports/template/<str:kind>.<str:extension>",
        imports.import_template,
        name="import_template",
    ),
    path("flags/", flags.flags, name="flags"),
    path("flags/<int:pk>/review/", flags.flag_review, name="flag_review"),
]
