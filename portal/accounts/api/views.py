from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .serializers import MeSerializer


class MeView(APIView):
    """The signed-in account: who it is and which role it plays."""

    @extend_schema(summary="The signed-in account", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
