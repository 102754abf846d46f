"""Sections other apps add to pages of an organization's accounts that they don't own.

The statement belongs to incentives, but other apps account for things the organization reads
there: placements adds its videos' traffic coupons. The suspension pages belong to organizations,
but what a suspension holds is incentives' ledger. Neither owner may import the others, so the
core keeps this registry, as it keeps the dashboard panels (`portal/core/dashboards.py`): an app
registers a section from its `AppConfig.ready()` for a page, with the template that draws it and a
function giving that template's figures, or None when there is nothing to show (the section is
left out). The page renders the registered sections in `order`, each template reading its figures
as `section`.

Pages and what their figures functions receive:
- "statement": `(user, organization, cycle)`, on the incentives statement;
- "suspension": `(user, organization, suspension)`, on the organization's suspension page and the
  operator's appeal decision page.

Each section reads with a bounded number of queries whatever the size of the program.
"""

from collections.abc import Callable
from dataclasses import dataclass

PAGES = ("statement", "suspension")


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template: str
    figures: Callable[..., dict | None]
    page: str = "statement"


_SECTIONS: dict[tuple[str, str], Section] = {}


def register_section(key: str, *, template: str, order: int = 100, page: str = "statement"):
    """Decorator: `figures(user, ...)` feeds the section `key` of `page`, drawn by `template`.
    Registering the same key again replaces it (a module imported twice is harmless)."""
    if page not in PAGES:
        raise ValueError(f"Unknown page {page!r}; one of {', '.join(PAGES)}.")

    def decorator(figures):
        _SECTIONS[(page, key)] = Section(key, order, template, figures, page)
        return figures

    return decorator


def sections(page: str = "statement") -> list[Section]:
    chosen = [s for s in _SECTIONS.values() if s.page == page]
    return sorted(chosen, key=lambda s: (s.order, s.key))


def page_sections(page: str, user, *args) -> list[dict]:
    """The registered sections of `page` with something to show:
    `[{"key", "template", "figures"}]`."""
    drawn = []
    for section in sections(page):
        figures = section.figures(user, *args)
        if figures is not None:
            drawn.append({"key": section.key, "template": section.template, "figures": figures})
    return drawn


def statement_sections(user, organization, cycle) -> list[dict]:
    return page_sections("statement", user, organization, cycle)


def suspension_sections(user, organization, suspension) -> list[dict]:
    return page_sections("suspension", user, organization, suspension)
