from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api.scopes import ANY_SCOPE

from .serializers import MeSerializer


class MeView(APIView):
    """The signed-in account: who it is and which role it plays."""

    required_scope = ANY_SCOPE  # a partner token may ask whose it is

    @extend_schema(summary="The signed-in account", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
