"""Walk the portal as a signed-in person does and check every page on the way.

`crawl(client)` starts at the dashboard and follows every same-origin GET link (`href` and
`hx-get`) that the pages offer, breadth first. It is bounded: at most `per_route` addresses of each
URL pattern (the tenth organization page adds nothing the first did not test) and `max_pages`
in all. Every page answered is checked by `page_problems()`; every `hx-get` address is requested
a second time as a full page, since a partial is a URL too.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import polib
from django.conf import settings
from django.urls import Resolver404, resolve

CATALOGUE = Path(settings.BASE_DIR, "portal/locale/zh_Hans/LC_MESSAGES/django.po")

# Addresses that are not pages to walk: files, the API and its documentation (checked by their own
# tests), and sign-out, which would end the walk.
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/healthz", "/readyz", "/accounts/logout")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
# Text that is not interface wording: scripts and styles, code, and what a person typed.
OPAQUE_TAGS = {"script", "style", "code", "pre", "textarea", "svg"}
# Attributes a reader hears or sees as wording.
WORDING_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# A <header> inside one of these is the header of that part, not the site's banner.
SECTIONING = {"main", "article", "section", "aside", "nav", "dialog"}
PUNCTUATION = " \t\n()（）·:：,，.。;；!！?？-–—…*/|"


@dataclass
class Page:
    """What a page says, as the checks need it."""

    mains: int = 0
    banners: int = 0
    date_values: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    hx_links: list[tuple[str, bool]] = field(default_factory=list)  # (address, has hx-select)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, bool]] = []  # (tag, text inside is not wording)

    @property
    def _opaque(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        page = self.page
        if tag == "main":
            page.mains += 1
        if tag == "header" and not any(t in SECTIONING for t, _o in self.stack):
            page.banners += 1
        if tag == "input" and (attributes.get("type") or "").lower() == "date":
            page.date_values.append(attributes.get("value") or "")
        if tag == "a" and attributes.get("href"):
            page.links.append(attributes["href"])
        if attributes.get("hx-get") is not None:
            page.hx_links.append((attributes["hx-get"], "hx-select" in attributes))
        opaque = (
            self._opaque
            or tag in OPAQUE_TAGS
            # The HTML way to say "this is a name or data, not wording to translate".
            or (attributes.get("translate") or "").lower() == "no"
        )
        if not opaque:
            for name in WORDING_ATTRIBUTES:
                if attributes.get(name):
                    page.texts.append(attributes[name])
            if tag == "input" and (attributes.get("type") or "").lower() in ("submit", "button"):
                page.texts.append(attributes.get("value") or "")
        if tag not in VOID_TAGS:
            self.stack.append((tag, opaque))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not self._opaque and data.strip():
            self.page.texts.append(data)


def parse(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def _normalized(text: str) -> str:
    return " ".join(text.split()).strip(PUNCTUATION)


_PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sdif]|%[sdif]|\{[a-zA-Z_]\w*\}")


@dataclass(frozen=True)
class Wording:
    """The catalogue's English wording that must not show on a Chinese page, and the reverse."""

    english: frozenset[str]
    english_patterns: re.Pattern | None
    chinese: frozenset[str]


def _worded(msgid: str) -> bool:
    """Has English words of its own (not only placeholders, symbols or one letter)."""
    return len(re.findall(r"[A-Za-z]", _PLACEHOLDER.sub("", msgid))) >= 3


@cache
def wording() -> Wording:
    """Every msgid whose Chinese differs from it. A msgid spelt the same in both languages
    ("GMV", "API", "CSV") proves nothing either way and is left out, and so are those without
    three letters of English of their own."""
    english, patterns, chinese = set(), [], set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete:
            continue
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            translated = [v for _k, v in sorted(entry.msgstr_plural.items())]
            pairs = [(entry.msgid, translated[0]), (entry.msgid_plural, translated[-1])]
        for msgid, msgstr in pairs:
            if not msgstr or msgstr == msgid or not _worded(msgid):
                continue
            text = _normalized(msgid)
            if _PLACEHOLDER.search(text):
                pieces = _PLACEHOLDER.split(text)
                patterns.append(".+?".join(re.escape(piece) for piece in pieces))
            else:
                english.add(text)
            if not _PLACEHOLDER.search(msgstr) and re.search(r"[\u4e00-\u9fff]", msgstr):
                chinese.add(_normalized(msgstr))
    combined = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    return Wording(frozenset(english), combined, frozenset(chinese))


def wrong_language(texts: list[str], language: str) -> list[str]:
    """Text of a page that is catalogue wording of the other language: an English msgid on a
    Chinese page, or a Chinese translation on an English page. Whole text runs are compared, so a
    name or a figure that merely contains a word is not taken for wording."""
    words = wording()
    found = []
    for raw in texts:
        text = _normalized(raw)
        if not text:
            continue
        if language == "zh-hans":
            if text in words.english or (
                words.english_patterns is not None and words.english_patterns.fullmatch(text)
            ):
                found.append(text)
        elif text in words.chinese:
            found.append(text)
    return found


def page_problems(page: Page, html: str, language: str) -> list[str]:
    """What is wrong with one full page."""
    problems = []
    if page.mains != 1:
        problems.append(f"{page.mains} <main> elements")
    if page.banners != 1:
        problems.append(f"{page.banners} site headers")
    if TRACEBACK.search(html):
        problems.append("traceback text")
    bad_dates = [value for value in page.date_values if value and not ISO_DATE.fullmatch(value)]
    if bad_dates:
        problems.append(f"date inputs not in ISO form: {bad_dates}")
    stray = wrong_language(page.texts, language)
    if stray:
        problems.append(f"wording in the wrong language: {sorted(set(stray))}")
    return problems


def _route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, url: str, problem: str):
        self.problems.setdefault(url, []).append(problem)


def _same_origin(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https"):
        return None
    address = parts.path + (f"?{parts.query}" if parts.query else "")
    if not address.startswith("/") or address.startswith(SKIP_PREFIXES):
        return None
    return address


def crawl(client, *, language: str, start="/", per_route=3, max_pages=120) -> CrawlResult:
    """Walk from `start`, checking every page; `client` is a signed-in Django test client."""
    result = CrawlResult()
    queue: deque[str] = deque([start])
    seen = {start}
    per_route_count: Counter[str] = Counter()
    checked_hx: set[str] = set()
    full_page_checked: set[str] = set()

    def enqueue(address: str):
        if address in seen:
            return
        seen.add(address)
        route = _route(urlsplit(address).path)
        if per_route_count[route] >= per_route:
            return
        per_route_count[route] += 1
        queue.append(address)

    per_route_count[_route(start)] += 1
    while queue and len(result.visited) < max_pages:
        address = queue.popleft()
        response = client.get(address)
        result.visited.append(address)
        full_page_checked.add(address)
        if response.status_code >= 500:
            result.add(address, f"answered {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = _same_origin(address, response.headers.get("Location", ""))
            if target:
                enqueue(target)
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = parse(html)
        for problem in page_problems(page, html, language):
            result.add(address, problem)
        for href in page.links:
            target = _same_origin(address, href)
            if target:
                enqueue(target)
        for href, selects in page.hx_links:
            target = _same_origin(address, href)
            if not target or target in checked_hx:
                continue
            checked_hx.add(target)
            for problem in _hx_problems(client, target, selects, language, full_page_checked):
                result.add(f"{target} (hx-get on {address})", problem)
    return result


def _hx_problems(client, target, selects, language, full_page_checked) -> list[str]:
    """An hx-get address answers as a full page without HTMX, and with HTMX as a fragment
    (unless the element picks its region out of a whole page with hx-select)."""
    problems = []
    if target not in full_page_checked:
        full_page_checked.add(target)
        response = client.get(target)
        if response.status_code >= 400:
            problems.append(f"as a full page answered {response.status_code}")
        elif response.status_code == 200:
            html = response.content.decode()
            problems += [f"as a full page: {p}" for p in page_problems(parse(html), html, language)]
    response = client.get(target, headers={"HX-Request": "true"})
    if response.status_code >= 500:
        problems.append(f"as a fragment answered {response.status_code}")
    elif response.status_code == 200 and not selects:
        fragment = parse(response.content.decode())
        if fragment.mains or fragment.banners:
            problems.append("as a fragment it carries a whole page (a page inside the page)")
    return problems
