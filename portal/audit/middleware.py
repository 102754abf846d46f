from . import context


class RequestContextMiddleware:
    """Makes the client address and a request id available to the audit log for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.enter(request)
        request_id = context.current_request_context().request_id
        try:
            response = self.get_response(request)
        finally:
            context.leave(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response
