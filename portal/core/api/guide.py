"""The API guide (`docs/api-guide.md`) as a portal page, `/api/guide/`.

The Markdown is turned into HTML by a deliberately small converter: headings, paragraphs, fenced
code blocks, lists, pipe tables, and inline code, bold and links. Every piece of text is escaped
first and links keep only relative, `#`, http and https targets, so the page can never carry
markup of its own. Anything else stays as (escaped) text.
"""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_safe

GUIDE = Path(settings.BASE_DIR) / "docs" / "api-guide.md"

HEADING = re.compile(r"(#{1,4})\s+(.+)")
BULLET = re.compile(r"[-*]\s+(.*)")
NUMBERED = re.compile(r"\d+\.\s+(.*)")
TABLE_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
SAFE_TARGET = re.compile(r"(https?://|/|#)[^\"'<>\s]*")


def _inline(text: str) -> str:
    """Escaped text with `code`, **bold** and [links](target)."""
    parts = text.split("`")
    html = []
    for index, part in enumerate(parts):
        if index % 2 and index < len(parts) - 1:
            html.append(f"<code>{escape(part)}</code>")
            continue
        if index % 2:  # an unpaired backtick
            part = "`" + part
        part = escape(part)
        part = BOLD.sub(r"<strong>\1</strong>", part)
        part = LINK.sub(_link, part)
        html.append(part)
    return "".join(html)


def _link(match: re.Match) -> str:
    label, target = match.group(1), match.group(2)
    if not SAFE_TARGET.fullmatch(target):
        return match.group(0)
    return f'<a href="{target}">{label}</a>'  # both already escaped


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_to_html(text: str) -> SafeString:
    lines = text.splitlines()
    html: list[str] = []
    paragraph: list[str] = []
    index = 0

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            html.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
        elif not stripped:
            flush()
        elif heading := HEADING.fullmatch(stripped):
            flush()
            level, title = len(heading.group(1)), heading.group(2)
            html.append(f'<h{level} id="{slugify(title)}">{_inline(title)}</h{level}>')
        elif (
            stripped.startswith("|")
            and index + 1 < len(lines)
            and TABLE_RULE.fullmatch(lines[index + 1].strip())
        ):
            flush()
            head = "".join(f"<th>{_inline(cell)}</th>" for cell in _cells(stripped))
            rows = []
            index += 2
            while index < len(lines) and lines[index].strip().startswith("|"):
                cells = "".join(f"<td>{_inline(cell)}</td>" for cell in _cells(lines[index]))
                rows.append(f"<tr>{cells}</tr>")
                index += 1
            html.append(
                f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            )
            continue
        elif BULLET.fullmatch(stripped) or NUMBERED.fullmatch(stripped):
            flush()
            ordered = bool(NUMBERED.fullmatch(stripped))
            pattern = NUMBERED if ordered else BULLET
            items: list[str] = []
            while index < len(lines) and lines[index].strip():
                current = lines[index].strip()
                item = pattern.fullmatch(current)
                if item:
                    items.append(item.group(1))
                elif items and lines[index].startswith((" ", "\t")):
                    items[-1] += " " + current  # a continued item
                else:
                    break
                index += 1
            tag = "ol" if ordered else "ul"
            html.append(f"<{tag}>{''.join(f'<li>{_inline(i)}</li>' for i in items)}</{tag}>")
            continue
        else:
            paragraph.append(stripped)
        index += 1
    flush()
    return mark_safe("\n".join(html))  # noqa: S308 (every text piece escaped above)


@cache
def _rendered(mtime: float) -> SafeString:
    return markdown_to_html(GUIDE.read_text(encoding="utf-8"))


@require_safe
def api_guide(request):
    """Public, like the API documentation: partners read it without a portal account."""
    return render(request, "core/api_guide.html", {"guide": _rendered(GUIDE.stat().st_mtime)})
