from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from organizations.views.members import invitation_accept
from portal.core import views as core_views
from portal.core.api.guide import api_guide

urlpatterns = [
    path("", include("portal.core.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("audit/", include("portal.audit.urls")),
    path("organizations/", include("organizations.urls")),
    path("creators/", include("creators.urls")),
    path("coaching/", include("coaching.urls")),
    path("rewards/", include("incentives.urls")),
    path("partners/", include("partners.urls")),
    path("incubation/", include("incubation.urls")),
    path("content/", include("content.urls")),
    path("growth/", include("growth.urls")),
    path("risk/", include("risk.urls")),
    path("placements/", include("placements.urls")),
    path(
        "invitations/<int:invitation_id>/<str:token>/",
        invitation_accept,
        name="invitation_accept",
    ),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/guide/", api_guide, name="api-guide"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]
