"""Sections other apps add to an organization's statement (the incentives statement page).

The statement belongs to incentives, but other apps account for things the organization reads
there: placements adds its videos' traffic coupons. Incentives must not import them, so the core
keeps this registry, as it keeps the dashboard panels (`portal/core/dashboards.py`): an app
registers a section from its `AppConfig.ready()` with the template that draws it and a function
`(user, organization, cycle) -> dict | None` giving that template's figures (None: nothing to
show for this organization and cycle, the section is left out). The statement page renders the
registered sections in `order`, each template reading its figures as `section`.

Each section reads with a bounded number of queries whatever the size of the program.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template: str
    figures: Callable[..., dict | None]


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, *, template: str, order: int = 100):
    """Decorator: `figures(user, organization, cycle) -> dict | None` feeds the statement section
    `key`, drawn by `template`. Registering the same key again replaces it (a module imported
    twice is harmless)."""

    def decorator(figures):
        _SECTIONS[key] = Section(key, order, template, figures)
        return figures

    return decorator


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def statement_sections(user, organization, cycle) -> list[dict]:
    """The registered sections with something to show: `[{"key", "template", "figures"}]`."""
    drawn = []
    for section in sections():
        figures = section.figures(user, organization, cycle)
        if figures is not None:
            drawn.append({"key": section.key, "template": section.template, "figures": figures})
    return drawn
