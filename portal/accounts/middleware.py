import time

from django.conf import settings
from django.utils import translation

# The session's own record of when its expiry was last pushed forward (seconds since the epoch).
REFRESHED_AT = "_refreshed_at"


class SessionRefreshMiddleware:
    """Sessions expire after `SESSION_COOKIE_AGE` idle seconds. Saving the session on every
    request (`SESSION_SAVE_EVERY_REQUEST`) kept that promise with an UPDATE of the session row
    and a new cookie on every page, HTMX fragments included; this saves it only once
    `SESSION_REFRESH_SECONDS` have passed since it was last saved, so an idle session ends
    between `AGE - REFRESH` and `AGE` seconds after the person's last request (issue #17).

    Placed right after `SessionMiddleware`: its answer runs just before that one's, which saves
    a session marked modified and sends its cookie with the new expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or response.status_code >= 500:
            return response
        refreshed = session.get(REFRESHED_AT)  # loading drops the key of an expired session
        if session.session_key is None:
            return response
        if not isinstance(refreshed, int) or not (
            0 <= int(time.time()) - refreshed < settings.SESSION_REFRESH_SECONDS
        ):
            stamp_refreshed(session)  # marks it modified: SessionMiddleware saves it
        return response


def stamp_refreshed(session) -> None:
    """Note that the session's expiry is being pushed forward now (it is about to be saved)."""
    session[REFRESHED_AT] = int(time.time())


class UserLanguageMiddleware:
    """A signed-in person reads the portal in the language they chose, on any device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
