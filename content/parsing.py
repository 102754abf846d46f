"""Reading the cells of videos files: every number is checked against the column it goes to
(NaN, Infinity, overflow and negative counts are row errors, never a 500)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from content.fingerprint import FingerprintError, parse_hex
from content.services.ingest import MAX_BIG, MAX_FRAMES, MAX_GMV, ProductRow

VIDEO_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
TRUE = {"", "1", "true", "yes", "y", "是", "原创", "√"}
FALSE = {"0", "false", "no", "n", "否", "非原创"}
SPLIT = re.compile(r"[;；,，\s]+")


class RowError(Exception):
    def __init__(self, code: str, param: str = ""):
        super().__init__(code)
        self.code = f"{code}|{param[:100]}" if param else code


def row_error_message(code: str) -> str:
    name, _sep, param = code.partition("|")
    messages = {
        "video_id": _("The video id is 1 to 64 letters, digits, “_”, “-”, “.” or “:”."),
        "account": _("The platform account id is missing or malformed."),
        "category": _("Unknown creative field “%(value)s”."),
        "type": _("Unknown content type “%(value)s”."),
        "title": _("Enter the title (at most 200 characters)."),
        "number": _("“%(value)s” is not a whole number from 0 to 9,223,372,036,854,775,807."),
        "duration": _("“%(value)s” is not a duration from 0 to 86,400 seconds."),
        "share": _("“%(value)s” is not a completion rate between 0 and 1 (or 0% to 100%)."),
        "money": _("“%(value)s” is not an amount in CNY from 0 to 99,999,999,999,999.99."),
        "time": _("“%(value)s” is not a time such as 2026-11-03 20:15."),
        "date": _("“%(value)s” is not a date such as 2026-11-03."),
        "future": _("%(value)s is in the future."),
        "bool": _("“%(value)s” is not yes or no."),
        "fingerprint": _("“%(value)s” is not a 64-bit hash in 16 hexadecimal digits."),
        "frames": _("At most 16 key-frame hashes per video."),
        "sku": _("“%(value)s” is not a product (SKU id, optionally |name|category)."),
        "valid_plays": _("Valid plays cannot exceed plays."),
        "unknown_creator": _("No creator has this platform account id."),
        "unknown_video": _("No video has this id; send the video first."),
        "other_creator": _("This video belongs to another creator."),
        "before_publication": _("The date is before the video was published."),
        "duplicate": _("The same video appears earlier in the file, on row %(value)s."),
        "duplicate_day": _("The same video and date appear earlier in the file, on row %(value)s."),
    }
    return messages.get(name, name) % {"value": param}


def whole(text: str, *, code: str = "number", maximum: int = MAX_BIG) -> int:
    cleaned = text.replace(",", "").replace(" ", "")
    if cleaned == "":
        return 0
    if not cleaned.isdigit():
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise RowError(code, text) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise RowError(code, text)
        cleaned = str(int(number))
    if cleaned.startswith("-") or len(cleaned) > 19 or int(cleaned) > maximum:
        raise RowError(code, text)
    return int(cleaned)


def money(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    if cleaned == "":
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError("money", text) from None
    if (
        not value.is_finite()
        or value < 0
        or value > MAX_GMV
        or value != value.quantize(Decimal("0.01"))
    ):
        raise RowError("money", text)
    return value


def share(text: str) -> Decimal:
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        value = Decimal(cleaned.rstrip("%") or "0")
    except InvalidOperation:
        raise RowError("share", text) from None
    if not value.is_finite():
        raise RowError("share", text)
    if percent:
        value /= 100
    if not 0 <= value <= 1:
        raise RowError("share", text)
    return value.quantize(Decimal("0.0001"))


def moment(text: str) -> datetime.datetime:
    cleaned = text.strip().replace("/", "-").replace("T", " ")
    try:
        value = datetime.datetime.fromisoformat(cleaned)
    except ValueError:
        raise RowError("time", text) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + datetime.timedelta(minutes=5):
        raise RowError("future", text)
    return value


def day(text: str) -> datetime.date:
    try:
        value = datetime.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise RowError("date", text) from None
    if value > timezone.localdate():
        raise RowError("future", text)
    return value


def flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise RowError("bool", text)


def frames(text: str) -> tuple[int, ...]:
    values = []
    for item in SPLIT.split(text.strip()):
        if not item:
            continue
        try:
            values.append(parse_hex(item))
        except FingerprintError:
            raise RowError("fingerprint", item) from None
    if len(values) > MAX_FRAMES:
        raise RowError("frames")
    return tuple(values)


def products(text: str) -> tuple[ProductRow, ...]:
    found = []
    for item in re.split(r"[;；\n]+", text.strip()):
        if not item.strip():
            continue
        sku, _sep, rest = item.strip().partition("|")
        name, _sep, category = rest.partition("|")
        if not VIDEO_ID.match(sku.strip()) or len(name) > 200 or len(category) > 100:
            raise RowError("sku", item)
        found.append(ProductRow(sku.strip(), name.strip() or sku.strip(), category.strip()))
    return tuple(found)
