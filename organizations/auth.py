"""Signing in: Django's model backend, loading the person with what every page reads."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    """Loads a signed-in person with their membership and its organization in one query: the
    navigation, the scoping of every list and the pages' headings read both, which cost two more
    queries on every request of an organization member (issue #17). Staff have no membership:
    the outer joins find none, and `user.membership` raises without a query."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("membership__organization")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
