"""What an organization's standing unlocks (its growth level's rights), for the apps that apply
a right without importing the app that grants it (the content app's review lane, the incentives'
shorter holding period, the placements' quota: content and incentives are read by growth's
scorecard, and growth's creator self-service page reads placements, so none may import growth). The growth app registers the providers in its `AppConfig.ready()`; without them,
no organization holds any right."""

from collections.abc import Callable

_GRANTED: list[Callable] = []
_VALUES: list[Callable] = []
_ONE: list[Callable] = []


def register_granted(provider: Callable) -> None:
    """`provider(key)` -> a subquery of the ids of the organizations whose level grants `key`."""
    _GRANTED[:] = [provider]


def register_values(provider: Callable) -> None:
    """`provider(key, on)` -> {organization id: value} for the organizations whose level on day
    `on` grants `key`."""
    _VALUES[:] = [provider]


def register_right(provider: Callable) -> None:
    """`provider(organization, key, on)` -> the value of right `key` at the organization's level
    on day `on`, or None when its level does not grant it."""
    _ONE[:] = [provider]


def right_for(organization, key: str, on=None) -> int | None:
    """The value of right `key` for `organization` (None: not granted, the general rule
    applies)."""
    return _ONE[0](organization, key, on) if _ONE else None


def organizations_granted(key: str):
    """The ids of the organizations holding right `key` (a subquery), or None when no app grants
    rights."""
    return _GRANTED[0](key) if _GRANTED else None


def granted_values(key: str, on=None) -> dict[int, int]:
    """{organization id: value of right `key`} for every organization whose level grants it (on
    day `on`, today by default); empty when no app grants rights."""
    return _VALUES[0](key, on) if _VALUES else {}
