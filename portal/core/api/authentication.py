from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication


class PortalSessionAuthentication(SessionAuthentication):
    """The portal session, answering 401 (not 403) to a request that carries no session."""

    def authenticate_header(self, request):
        return 'Session realm="api"'


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = PortalSessionAuthentication
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
