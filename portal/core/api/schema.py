"""The API schema's conventions that hold for every operation, documented in one place: the token
scope each operation needs, the errors it may answer (with the house error body), the rate limit
of tokens, conditional GET on detail resources, and a summary for every operation."""

from django.utils import translation
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from .errors import ErrorSerializer
from .scopes import ANY_SCOPE, required_scope

# The errors every operation may answer, by status: which ones apply is decided in
# `PortalAutoSchema._error_statuses`. A view's own description of a status wins.
ERROR_DESCRIPTIONS = {
    "400": (
        "`invalid`: the request has invalid fields (body, filter or header); `errors` gives the "
        "messages by field name."
    ),
    "401": (
        "`not_authenticated`: no session and no token were sent; `invalid_token`: the token is "
        "unknown, expired or revoked, or its account is inactive."
    ),
    "403": (
        "`permission_denied`: the caller's role may not do this. For a partner token also "
        "`insufficient_scope` (the token lacks the scope in `x-partner-scope`), "
        "`read_only_token` and `ip_not_allowed`."
    ),
    "404": (
        "`not_found`: no such object, or one the caller may not see (an invalid `cursor` too)."
    ),
}
# Query parameters that cannot make a request invalid (a bad value is ignored).
LENIENT_QUERY = {"page_size", "ordering"}


class PortalAutoSchema(AutoSchema):
    def _scope(self) -> str | None:
        return required_scope(self.view, self.method)

    def get_summary(self):
        """The view's own summary, or one made from the model (`List daily metrics`)."""
        summary = super().get_summary()
        if summary:
            return summary
        action = getattr(self.view, "action", None)
        model = self._model()
        if model is not None and action in ("list", "retrieve"):
            with translation.override("en"):
                if action == "list":
                    return f"List {model._meta.verbose_name_plural} visible to the caller"
                return f"One {model._meta.verbose_name}"
        return self.view.get_view_name()

    def _model(self):
        queryset = getattr(self.view, "queryset", None)
        if queryset is not None:
            return queryset.model
        serializer_class = getattr(self.view, "serializer_class", None)
        meta = getattr(serializer_class, "Meta", None)
        return getattr(meta, "model", None)

    def _scope_note(self) -> str:
        scope = self._scope()
        if scope is None:
            return "Partner tokens cannot use this operation."
        if scope == ANY_SCOPE:
            return "Any partner token may use this operation."
        return f"A partner token needs the scope `{scope}`."

    def get_extensions(self):
        extensions = dict(super().get_extensions() or {})
        scope = self._scope()
        if scope:
            extensions["x-partner-scope"] = scope
        return extensions

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in self._error_statuses(operation):
            responses.setdefault(code, {"content": {"application/json": {"schema": error}}})
        for code, response in responses.items():
            if not response.get("description") and code in ERROR_DESCRIPTIONS:
                response["description"] = ERROR_DESCRIPTIONS[code]
        # A view's own description (`extend_schema(description=...)`) replaces
        # `get_description`; the token note belongs to every operation all the same.
        note = self._scope_note()
        if note not in operation.get("description", ""):
            operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
        if self._scope() is not None:
            responses.setdefault(
                "429",
                {
                    "description": (
                        "`rate_limited`: the token sent more requests than its application "
                        "allows per minute; `Retry-After` says how many seconds to wait."
                    ),
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": error}},
                },
            )
        if self.method == "GET" and self._is_conditional_retrieve():
            operation.setdefault("parameters", []).append(
                {
                    "in": "header",
                    "name": "If-None-Match",
                    "schema": {"type": "string"},
                    "description": (
                        "The `ETag` of the copy the client has; when it is still current the "
                        "answer is 304 without a body."
                    ),
                }
            )
            if "200" in responses:
                responses["200"].setdefault("headers", {})["ETag"] = {
                    "schema": {"type": "string"},
                    "description": "The version of this representation, for `If-None-Match`.",
                }
            responses["304"] = {"description": "Not modified: the client's copy is current."}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation) -> list[str]:
        """Every operation needs a caller (401) whose role or token allows it (403); one naming
        an object or paging through a list may not find it (404, a stale cursor too); a write,
        or a read with filters, may be invalid (400)."""
        statuses = ["401", "403"]
        query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        if self.method not in SAFE_METHODS or query - LENIENT_QUERY - {"cursor"}:
            statuses.append("400")
        if "{" in self.path or "cursor" in query:
            statuses.append("404")
        return statuses

    def _is_conditional_retrieve(self) -> bool:
        return (
            getattr(self.view, "conditional_retrieve", False)
            and getattr(self.view, "action", None) == "retrieve"
        )
