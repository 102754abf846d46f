"""What an organization's standing unlocks (its growth level's rights), for the apps that apply
a right without importing the app that grants it (the content app's review lane: content is read
by growth's scorecard, so it may not import growth). The growth app registers the provider in its
`AppConfig.ready()`; without one, no organization holds any right."""

from collections.abc import Callable

_GRANTED: list[Callable] = []


def register_granted(provider: Callable) -> None:
    """`provider(key)` -> a subquery of the ids of the organizations whose level grants `key`."""
    _GRANTED[:] = [provider]


def organizations_granted(key: str):
    """The ids of the organizations holding right `key` (a subquery), or None when no app grants
    rights."""
    return _GRANTED[0](key) if _GRANTED else None
