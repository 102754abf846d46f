"""One row of an import file: its columns, its parsing and its errors.

Parsing checks the row's shape and every value against the column that will hold it (see
`portal.core.ranges`): a number that is not finite, not whole, negative, too large for its column
or with more decimals than the column keeps, and a date outside EARLIEST_DAY .. today, are row
errors. Nothing a file holds may raise anything but `RowError` here.

Row errors are stored as codes, `name|value` or `name:field|value`, and rendered in the reader's
language (`row_error_message`).
"""

import datetime
import functools
import re
import time
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from creators.limits import MODELS, amount_limits, is_amount, whole_limits
from creators.models import BindingSource
from portal.core.ranges import EARLIEST_DAY, FULL_WIDTH, RangeProblem, parse_decimal, parse_whole
from portal.core.tabular import Column

ROSTER_COLUMNS = [
    Column("platform_account_id", ("平台账号ID", "账号ID", "platform account id", "account id")),
    Column("display_name", ("昵称", "达人昵称", "display name", "name")),
    Column("primary_category", ("主类目", "主创作领域", "primary category", "category")),
    Column("secondary_categories", ("其他类目", "secondary categories"), required=False),
    Column("follower_count", ("粉丝数", "followers", "follower count"), required=False),
    Column("real_name_verified", ("实名认证", "real-name verified", "verified"), required=False),
    Column("started_on", ("绑定日期", "start date", "bound on"), required=False),
    Column("source", ("来源", "source"), required=False),
]
METRIC_COLUMNS = [
    Column("platform_account_id", ("平台账号ID", "账号ID", "platform account id", "account id")),
    Column("date", ("日期", "date")),
    Column("plays", ("播放量", "plays")),
    Column("valid_plays", ("有效播放量", "valid plays")),
    Column("new_followers", ("新增粉丝", "new followers"), required=False),
    Column("videos_published", ("发布视频数", "videos published"), required=False),
    Column("original_videos", ("原创视频数", "original videos"), required=False),
    Column("gmv", ("成交额", "GMV"), required=False),
    Column("orders", ("订单数", "orders"), required=False),
    Column("commission", ("佣金", "commission"), required=False),
    Column("interactions", ("互动数", "interactions"), required=False),
]
ACCOUNT_ID = re.compile(r"[A-Za-z0-9_.\-]{4,64}", re.ASCII)
LOOSE_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
TRUE = {"1", "true", "yes", "y", "是", "已认证", "已实名", "√"}
FALSE = {"", "0", "false", "no", "n", "否", "未认证", "未实名"}
SOURCES = {
    "": BindingSource.RECRUITED,
    "recruited": BindingSource.RECRUITED,
    "new": BindingSource.RECRUITED,
    "新招募": BindingSource.RECRUITED,
    "招募": BindingSource.RECRUITED,
    "transferred": BindingSource.TRANSFERRED,
    "transfer": BindingSource.TRANSFERRED,
    "转入": BindingSource.TRANSFERRED,
}
SHOWN_VALUE_CHARS = 60


class RowError(Exception):
    def __init__(self, code: str, param: str = "", *, field: str = ""):
        super().__init__(code)
        name = f"{code}:{field}" if field else code
        if len(param) > SHOWN_VALUE_CHARS:
            param = param[:SHOWN_VALUE_CHARS] + "…"
        self.code = f"{name}|{param}" if param else name


def _column_label(field: str) -> str:
    column = next((c for c in ROSTER_COLUMNS + METRIC_COLUMNS if c.field == field), None)
    if column is None:
        return field
    english = (get_language() or "").startswith("en")
    return next((h for h in column.headers if h.isascii() == english), column.headers[0])


def _bounds(field: str) -> tuple:
    if is_amount(field):
        return 0, amount_limits(field)[2]
    return whole_limits(field)


def _range_message(field: str, value: str) -> str:
    low, high = _bounds(field)
    return _("“%(value)s” is outside what %(column)s can hold (%(low)s to %(high)s).") % {
        "value": value,
        "column": _column_label(field),
        "low": number_format(low, force_grouping=True),
        "high": number_format(high, force_grouping=True),
    }


def row_error_message(code: str) -> str:
    """The reader's-language sentence for a stored row error code."""
    name, _sep, param = code.partition("|")
    name, _sep, field = name.partition(":")
    messages = {
        "account": _("The platform account id must be 4 to 64 letters, digits, “_”, “-” or “.”."),
        "name": _("Enter the creator's display name (at most 100 characters)."),
        "category": _(
            "Unknown category “%(value)s”; use a name from the template's category list."
        ),
        "number": _("“%(value)s” is not a whole number of at least 0."),
        "money": _("“%(value)s” is not an amount in CNY with at most two decimals."),
        "bool": _("“%(value)s” is not yes or no."),
        "date": _("“%(value)s” is not a date such as 2026-11-03."),
        "future": _("The date %(value)s is in the future."),
        "early": _("The date %(value)s is before %(earliest)s."),
        "source": _("Unknown source “%(value)s”; use recruited or transferred."),
        "duplicate": _("The same account appears earlier in the file, on row %(value)s."),
        "bound_elsewhere": _(
            "This creator is bound to another organization. Request a transfer or open a "
            "dispute from Claim a creator."
        ),
        "previous_binding": _(
            "This creator's previous binding ended on %(value)s; the start date cannot be earlier."
        ),
        "unknown_creator": _("No creator has this platform account id."),
        "originals": _("Original videos cannot exceed videos published."),
        "valid_plays": _("Valid plays cannot exceed plays."),
        "duplicate_day": _(
            "The same account and date appear earlier in the file, on row %(value)s."
        ),
    }
    if name == "range" and field in MODELS:
        return _range_message(field, param)
    message = messages.get(name, name)
    if field:
        message = f"{_column_label(field)}: {message}"
    return message % {"value": param, "earliest": EARLIEST_DAY.isoformat()}


# --- values -------------------------------------------------------------------------------------


def _whole(text: str, field: str) -> int:
    if text == "":
        return 0
    low, high = whole_limits(field)
    if len(text) <= 18 and text.isascii() and text.isdigit():  # a million times per file
        value = int(text)
        if low <= value <= high:
            return value
    try:
        return parse_whole(text, low, high)
    except RangeProblem as problem:
        if problem.code in ("too_large", "too_small"):
            raise RowError("range", text, field=field) from None
        raise RowError("number", text) from None


def _money(text: str, field: str) -> Decimal:
    cleaned = text.replace("¥", "").replace("￥", "").strip()
    if cleaned == "":
        return Decimal(0)
    _digits, places, high = amount_limits(field)
    try:
        return parse_decimal(cleaned, places=places, high=high)
    except RangeProblem as problem:
        if problem.code == "too_large":
            raise RowError("range", text, field=field) from None
        raise RowError("money", text) from None


def _date(text: str, *, default: datetime.date | None = None) -> datetime.date:
    if text == "":
        if default is None:
            raise RowError("date", text)
        return default
    try:
        value = datetime.date.fromisoformat(text)  # the common case
    except ValueError:
        value = _loose_date(text)
    if value > _today():
        raise RowError("future", value.isoformat())
    if value < EARLIEST_DAY:
        raise RowError("early", value.isoformat())
    return value


def _today() -> datetime.date:
    # Asked once per row of files with a million rows: remember the answer for a minute.
    return _today_in_minute(int(time.time() // 60))


@functools.lru_cache(maxsize=1)
def _today_in_minute(_minute: int) -> datetime.date:
    return timezone.localdate()


def _loose_date(text: str) -> datetime.date:
    """2026/11/3, 2026.11.03, 2026年11月3日, with or without a time after it; digits ASCII or
    full-width."""
    cleaned = text.translate(FULL_WIDTH).replace("/", "-").replace(".", "-")
    cleaned = cleaned.replace("年", "-").replace("月", "-").replace("日", "")
    match = LOOSE_DATE.fullmatch(cleaned.split(" ")[0].split("T")[0])
    try:
        if match is None:
            raise ValueError
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise RowError("date", text) from None


# --- rows ---------------------------------------------------------------------------------------


def parse_roster_row(values: dict[str, str], categories: dict[str, int]) -> dict:
    account = values["platform_account_id"]
    if not ACCOUNT_ID.fullmatch(account):
        raise RowError("account")
    name = values["display_name"]
    if not name or len(name) > 100:
        raise RowError("name")
    category = categories.get(values["primary_category"].lower())
    if category is None:
        raise RowError("category", values["primary_category"])
    secondary = []
    for item in re.split(r"[;；,，、/|]", values.get("secondary_categories", "")):
        if item.strip():
            found = categories.get(item.strip().lower())
            if found is None:
                raise RowError("category", item.strip())
            if found != category:
                secondary.append(found)
    verified = values.get("real_name_verified", "").lower()
    if verified not in TRUE | FALSE:
        raise RowError("bool", values["real_name_verified"])
    source = SOURCES.get(values.get("source", "").lower())
    if source is None:
        raise RowError("source", values["source"])
    return {
        "platform_account_id": account,
        "display_name": name,
        "category_id": category,
        "secondary_category_ids": ",".join(str(pk) for pk in sorted(set(secondary))),
        "follower_count": _whole(values.get("follower_count", ""), "follower_count"),
        "real_name_verified": verified in TRUE,
        "started_on": _date(values.get("started_on", ""), default=_today()),
        "source": source,
    }


def parse_metric_row(values: dict[str, str]) -> dict:
    account = values["platform_account_id"]
    if not ACCOUNT_ID.fullmatch(account):
        raise RowError("account")
    row = {"platform_account_id": account, "date": _date(values["date"])}
    for field in ("plays", "valid_plays"):
        row[field] = _whole(values[field], field)
    for field in ("new_followers", "videos_published", "original_videos", "orders"):
        row[field] = _whole(values.get(field, ""), field)
    row["interactions"] = _whole(values.get("interactions", ""), "interactions")
    for field in ("gmv", "commission"):
        row[field] = _money(values.get(field, ""), field)
    if row["original_videos"] > row["videos_published"]:
        raise RowError("originals")
    if row["valid_plays"] > row["plays"]:
        raise RowError("valid_plays")
    return row
