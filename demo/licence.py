"""Demo business licences (营业执照 副本): a picture of one for each demo organization.

Drawn with Pillow from a subset of Noto Sans CJK SC bundled in `assets/` (SIL Open Font
License 1.1), so no system font is needed. The subset holds only the characters the demo data can
put on a licence: `covered_characters()` lists them, and the tests hold the demo word lists and the
fixed texts below to it. Every picture carries a diagonal 样本 DEMO mark across its face.

Everything that varies between two licences of the same organization (the QR-like square, the border
pattern, the street address) comes from `seed`, so the same arguments always give the same bytes.
"""

import datetime
import functools
import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ASSETS = Path(__file__).resolve().parent / "assets"
REGULAR_FONT = ASSETS / "NotoSansSC-licence-subset.otf"
BOLD_FONT = ASSETS / "NotoSansSC-Bold-licence-subset.otf"  # the title's characters only
CHARSET = ASSETS / "charset.txt"  # the regular subset's cmap, written when the subset was made

SIZE = (1240, 880)

TITLE = "营业执照"  # drawn in the bold subset, spaced out
COPY_MARK = "（副　本）"
CREDIT_CODE_LABEL = "统一社会信用代码"
LABEL_NAME = "名　　称"
LABEL_TYPE = "类　　型"
LABEL_REPRESENTATIVE = "法定代表人"
LABEL_SCOPE = "经营范围"
LABEL_CAPITAL = "注册资本"
LABEL_FOUNDED = "成立日期"
LABEL_TERM = "营业期限"
LABEL_ADDRESS = "住　　所"
LABEL_AUTHORITY = "登记机关"
COMPANY_TYPE = "有限责任公司（自然人投资或控股）"
BUSINESS_SCOPE = (
    "一般项目：组织文化艺术交流活动；广告设计、代理；广告制作；广告发布；数字内容制作服务"
    "（不含出版发行）；互联网销售（除销售需要许可的商品）；信息技术咨询服务；会议及展览服务；"
    "市场营销策划。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
)
CAPITAL_SUFFIX = "万元人民币"
TERM_OPEN_ENDED = "至 长期"
DATE_UNITS = "年月日"
AUTHORITY_SUFFIX = "市市场监督管理局"  # after the city: 杭州市市场监督管理局
QR_CAPTION = (
    "扫描二维码登录“国家",
    "企业信用信息公示系统”",
    "了解更多登记、备案、",
    "许可、监管信息。",
)
WEBSITE_LINE = "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn"
SUPERVISED_BY = "国家市场监督管理总局监制"
WATERMARK = "样本 DEMO"

# The district of each demo city that its credit codes' division code names, so that the address
# agrees with the code; a city not listed gets FALLBACK_DISTRICT.
DISTRICTS = {
    "杭州": "西湖区",
    "上海": "浦东新区",
    "北京": "朝阳区",
    "广州": "天河区",
    "深圳": "南山区",
    "成都": "武侯区",
    "武汉": "武昌区",
    "长沙": "岳麓区",
    "南京": "建邺区",
    "厦门": "思明区",
    "西安": "雁塔区",
    "重庆": "江北区",
    "苏州": "虎丘区",
    "青岛": "崂山区",
    "郑州": "金水区",
}
FALLBACK_DISTRICT = "高新区"
ROADS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "文化路",
    "科技路",
    "创新路",
    "新华路",
    "长江路",
    "和平路",
    "学院路",
    "世纪大道",
]
ADDRESS_UNITS = "号幢层室"

# Every fixed text the licence can show; with the organization's own name, representative and city
# these are all the characters it draws, so each must be in the bundled font (the tests check it).
FIXED_TEXTS: tuple[str, ...] = (
    TITLE,
    COPY_MARK,
    CREDIT_CODE_LABEL,
    LABEL_NAME,
    LABEL_TYPE,
    LABEL_REPRESENTATIVE,
    LABEL_SCOPE,
    LABEL_CAPITAL,
    LABEL_FOUNDED,
    LABEL_TERM,
    LABEL_ADDRESS,
    LABEL_AUTHORITY,
    COMPANY_TYPE,
    BUSINESS_SCOPE,
    CAPITAL_SUFFIX,
    TERM_OPEN_ENDED,
    DATE_UNITS,
    AUTHORITY_SUFFIX,
    *QR_CAPTION,
    WEBSITE_LINE,
    SUPERVISED_BY,
    WATERMARK,
    *DISTRICTS.values(),
    FALLBACK_DISTRICT,
    *ROADS,
    ADDRESS_UNITS,
    "0123456789ABCDEFGHJKLMNPQRTUWXY",  # credit codes (GB 32100 leaves out I, O, S, V, Z)
)

PAPER = (250, 246, 233)
INK = (28, 26, 24)
FRAME = (139, 58, 38)
PATTERN = (214, 170, 140)
ROSETTE = (238, 226, 204)
SEAL_RED = (214, 32, 28, 205)
WATERMARK_FILL = (200, 40, 30, 50)

LABEL_SIZE = 22
VALUE_SIZE = 22
SCOPE_SIZE = 19
LINE_GAP = 10  # between wrapped lines of one value
ROW_GAP = 22  # between two rows
LABEL_WIDTH = 5 * LABEL_SIZE  # labels are spread over five characters' width, as printed
LEFT_LABEL_X, LEFT_VALUE_X, LEFT_VALUE_END = 96, 226, 616
RIGHT_LABEL_X, RIGHT_VALUE_X, RIGHT_VALUE_END = 676, 806, 1146
BODY_TOP = 362  # baseline of the first row
NAME_BOX_WIDTH = LEFT_VALUE_END - LEFT_VALUE_X

# A line may not start with these, nor end with the openers.
NO_LINE_START = set("，。、；：）”》！？")
NO_LINE_END = set("（“《")


@dataclass(frozen=True)
class TextItem:
    """One piece of text on the licence. `box` is the width it must fit in, when it has one;
    `field` names the value a line shows (legal_name, scope, ...), blank for fixed texts."""

    text: str
    xy: tuple[float, float]
    size: int
    box: int | None = None
    anchor: str = "ls"
    fill: tuple[int, ...] = INK
    bold: bool = False
    field: str = ""


@functools.cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    # Basic layout, not Raqm, so that the picture is the same whether or not Raqm is installed.
    return ImageFont.truetype(
        str(BOLD_FONT if bold else REGULAR_FONT), size, layout_engine=ImageFont.Layout.BASIC
    )


@functools.cache
def covered_characters() -> frozenset[str]:
    """The characters the bundled regular font has glyphs for (its cmap, kept in charset.txt)."""
    chars = set()
    for line in CHARSET.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            chars.add(chr(int(line.split("\t", 1)[0], 16)))
    return frozenset(chars)


def format_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def demo_address(city: str, seed: int) -> str:
    """A plausible street address in `city`, the same for the same seed."""
    rng = random.Random(f"address:{seed}")  # noqa: S311 - demo data, not security
    district = DISTRICTS.get(city, FALLBACK_DISTRICT)
    road = rng.choice(ROADS)
    number = rng.randint(1, 999)
    if rng.random() < 0.5:
        unit = f"{rng.randint(1, 12)}幢{rng.randint(2, 23)}{rng.randint(1, 20):02d}室"
    else:
        unit = f"{rng.randint(2, 28)}层{rng.randint(1, 30):02d}室"
    return f"{city}市{district}{road}{number}号{unit}"


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break `text` into lines no wider than `width`, character by character (no spaces needed in
    Chinese), keeping closing punctuation off the start of a line and openers off its end."""
    lines: list[str] = []
    line = ""
    for char in text:
        if not line or fnt.getlength(line + char) <= width:
            line += char
            continue
        carry = ""
        # Take characters back to the next line until neither line breaks a punctuation rule.
        while len(line) > 1 and (char in NO_LINE_START or line[-1] in NO_LINE_END):
            carry = line[-1] + carry
            line = line[:-1]
            if carry[0] not in NO_LINE_START and line[-1] not in NO_LINE_END:
                break
        lines.append(line)
        line = carry + char
    if line:
        lines.append(line)
    return lines


def balanced_wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Like `wrap`, on as few lines, but narrowed until the lines are about even: a wrapped name
    breaks in its middle rather than leaving one character on the second line."""
    lines = wrap(text, fnt, width)
    while len(lines) > 1:
        narrower = wrap(text, fnt, width - 4)
        if len(narrower) > len(lines):
            break
        lines, width = narrower, width - 4
    return lines


def _rows(
    rows: list[tuple[str, str, str, int]], label_x: int, value_x: int, value_end: int
) -> list[TextItem]:
    """(field, label, value, size) rows down one column; long values wrap inside the column."""
    items: list[TextItem] = []
    y = BODY_TOP
    for field, label, value, size in rows:
        items.extend(_spread_label(label, label_x, y))
        lines = balanced_wrap(value, font(size), value_end - value_x)
        for n, line in enumerate(lines):
            items.append(
                TextItem(
                    line,
                    (value_x, y + n * (size + LINE_GAP)),
                    size,
                    box=value_end - value_x,
                    field=field,
                )
            )
        y += (len(lines) - 1) * (size + LINE_GAP) + VALUE_SIZE + ROW_GAP
    return items


def _spread_label(label: str, x: int, y: int) -> list[TextItem]:
    """A label's characters spread evenly over LABEL_WIDTH, like 名　　称 over 法定代表人."""
    chars = label.replace("\u3000", "")
    step = (LABEL_WIDTH - LABEL_SIZE) / max(len(chars) - 1, 1)
    return [TextItem(c, (x + i * step, y), LABEL_SIZE) for i, c in enumerate(chars)]


def licence_text(
    *,
    legal_name: str,
    credit_code: str,
    legal_representative: str,
    city: str,
    registered_on: datetime.date,
    registered_capital_wan: int,
    seed: int,
) -> list[TextItem]:
    """Every piece of text on the licence, placed (the seal's ring of text and the watermark
    aside, which are drawn on their own)."""
    width, height = SIZE
    founded = format_date(registered_on)
    items = [
        *_title(),
        TextItem(CREDIT_CODE_LABEL, (LEFT_LABEL_X, 262), 20),
        TextItem(
            credit_code,
            (LEFT_LABEL_X, 298),
            25,
            box=LEFT_VALUE_END - LEFT_LABEL_X,
            field="credit_code",
        ),
        TextItem(COPY_MARK, (width / 2, 228), 26, anchor="ms"),
    ]
    for n, line in enumerate(QR_CAPTION):
        items.append(TextItem(line, (LEFT_LABEL_X + 138, 102 + n * 19), 13, box=150))
    items += _rows(
        [
            ("legal_name", LABEL_NAME, legal_name, VALUE_SIZE),
            ("type", LABEL_TYPE, COMPANY_TYPE, VALUE_SIZE),
            ("legal_representative", LABEL_REPRESENTATIVE, legal_representative, VALUE_SIZE),
            ("scope", LABEL_SCOPE, BUSINESS_SCOPE, SCOPE_SIZE),
        ],
        LEFT_LABEL_X,
        LEFT_VALUE_X,
        LEFT_VALUE_END,
    )
    items += _rows(
        [
            ("capital", LABEL_CAPITAL, f"{registered_capital_wan}{CAPITAL_SUFFIX}", VALUE_SIZE),
            ("founded", LABEL_FOUNDED, founded, VALUE_SIZE),
            ("term", LABEL_TERM, f"{founded} {TERM_OPEN_ENDED}", VALUE_SIZE),
            ("address", LABEL_ADDRESS, demo_address(city, seed), VALUE_SIZE),
        ],
        RIGHT_LABEL_X,
        RIGHT_VALUE_X,
        RIGHT_VALUE_END,
    )
    items += [
        *_spread_label(LABEL_AUTHORITY, 850, 684),
        TextItem(founded, (1066, 740), VALUE_SIZE, anchor="ms", field="issued"),
        TextItem(WEBSITE_LINE, (LEFT_LABEL_X, height - 90), 15),
        TextItem(SUPERVISED_BY, (RIGHT_VALUE_END, height - 90), 15, anchor="rs"),
    ]
    return items


def render_licence(
    *,
    legal_name: str,
    credit_code: str,
    legal_representative: str,
    city: str,
    registered_on: datetime.date,
    registered_capital_wan: int,
    seed: int,
) -> bytes:
    """PNG bytes of a demo business licence."""
    rng = random.Random(f"licence:{seed}")  # noqa: S311 - demo data, not security
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    _rosette(draw, rng)
    _border(draw, rng)
    _qr_like(draw, rng, (LEFT_LABEL_X, 84), modules=25, module=5)
    items = licence_text(
        legal_name=legal_name,
        credit_code=credit_code,
        legal_representative=legal_representative,
        city=city,
        registered_on=registered_on,
        registered_capital_wan=registered_capital_wan,
        seed=seed,
    )
    for item in items:
        draw.text(
            item.xy,
            item.text,
            font=font(item.size, bold=item.bold),
            fill=item.fill,
            anchor=item.anchor,
        )
    image = Image.alpha_composite(image.convert("RGBA"), _seal(f"{city}{AUTHORITY_SUFFIX}"))
    image = Image.alpha_composite(image, _watermark())
    # A palette of a few dozen colours keeps the file small; the paper has few enough.
    paletted = image.convert("RGB").quantize(
        colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    paletted.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _title() -> list[TextItem]:
    """营 业 执 照, centred, in bold with wide spacing."""
    size, spacing = 74, 34
    fnt = font(size, bold=True)
    total = sum(fnt.getlength(c) for c in TITLE) + spacing * (len(TITLE) - 1)
    x = (SIZE[0] - total) / 2
    items = []
    for char in TITLE:
        items.append(TextItem(char, (x, 172), size, bold=True))
        x += fnt.getlength(char) + spacing
    return items


def _border(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A double frame with a band of interlaced waves between its lines."""
    width, height = SIZE
    outer, inner = 30, 56  # the band lies between these insets
    for inset, line in ((20, 4), (outer, 1), (inner, 1), (inner + 5, 2)):
        draw.rectangle(
            (inset, inset, width - 1 - inset, height - 1 - inset), outline=FRAME, width=line
        )
    mid = (outer + inner) / 2
    amplitude = (inner - outer) / 2 - 3
    period = rng.choice((18.0, 20.0, 22.0))
    phase = rng.uniform(0, 2 * math.pi)
    path = _perimeter(mid, mid, width - 1 - mid, height - 1 - mid, step=1.5)
    for strand in range(3):
        shift = phase + strand * 2 * math.pi / 3
        points = [
            (
                x + nx * amplitude * math.sin(s / period * 2 * math.pi + shift),
                y + ny * amplitude * math.sin(s / period * 2 * math.pi + shift),
            )
            for s, x, y, nx, ny in path
        ]
        draw.line(points, fill=PATTERN, width=1)
    # Corner blocks hide where the waves turn the corner.
    for cx, cy in (
        (mid, mid),
        (width - 1 - mid, mid),
        (mid, height - 1 - mid),
        (width - 1 - mid, height - 1 - mid),
    ):
        half = (inner - outer) / 2
        draw.rectangle((cx - half, cy - half, cx + half, cy + half), fill=PAPER, outline=FRAME)
        d = half - 4
        draw.polygon([(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)], fill=FRAME)


def _perimeter(left: float, top: float, right: float, bottom: float, *, step: float):
    """Points around a rectangle, clockwise, as (distance, x, y, normal x, normal y)."""
    sides = [
        ((left, top), (right, top), (0, -1)),
        ((right, top), (right, bottom), (1, 0)),
        ((right, bottom), (left, bottom), (0, 1)),
        ((left, bottom), (left, top), (-1, 0)),
    ]
    points = []
    travelled = 0.0
    for (x0, y0), (x1, y1), (nx, ny) in sides:
        length = math.hypot(x1 - x0, y1 - y0)
        count = int(length / step)
        for i in range(count):
            t = i / count
            points.append((travelled + t * length, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, nx, ny))
        travelled += length
    return points


def _rosette(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A faint guilloche rosette behind the text, as on security paper: an epitrochoid whose
    rolling circle is coprime with the fixed one, so it winds round many times before it closes."""
    cx, cy = SIZE[0] / 2, SIZE[1] / 2 + 40
    fixed, rolling = 230, rng.choice((27, 29, 31, 33))
    reach = rng.uniform(60.0, 90.0)
    turns = rolling // math.gcd(fixed, rolling)
    ratio = (fixed + rolling) / rolling
    steps = int(turns * ratio * 48)  # about 48 points to each loop keeps the curve smooth
    points = []
    for i in range(steps + 1):
        t = i / steps * 2 * math.pi * turns
        points.append(
            (
                cx + (fixed + rolling) * math.cos(t) - reach * math.cos(ratio * t),
                cy + (fixed + rolling) * math.sin(t) - reach * math.sin(ratio * t),
            )
        )
    draw.line(points, fill=ROSETTE, width=1)


def _qr_like(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    origin: tuple[int, int],
    *,
    modules: int,
    module: int,
) -> None:
    """A square of black modules with a QR code's three finder patterns. Not a readable code."""
    x0, y0 = origin
    quiet = module
    side = modules * module
    draw.rectangle(
        (x0 - quiet, y0 - quiet, x0 + side + quiet - 1, y0 + side + quiet - 1), fill=(255, 255, 255)
    )

    def cell(col: int, row: int) -> None:
        x, y = x0 + col * module, y0 + row * module
        draw.rectangle((x, y, x + module - 1, y + module - 1), fill=(0, 0, 0))

    finders = [(0, 0), (modules - 7, 0), (0, modules - 7)]

    def in_finder(col: int, row: int) -> bool:
        return any(fx - 1 <= col <= fx + 7 and fy - 1 <= row <= fy + 7 for fx, fy in finders)

    for row in range(modules):
        for col in range(modules):
            if in_finder(col, row):
                continue
            if row == 6 or col == 6:
                if (row + col) % 2 == 0:
                    cell(col, row)
            elif rng.random() < 0.5:
                cell(col, row)
    for fx, fy in finders:
        for row in range(7):
            for col in range(7):
                ring = max(abs(col - 3), abs(row - 3))
                if ring != 2:
                    cell(fx + col, fy + row)


def _seal(text: str) -> Image.Image:
    """The registration authority's round red seal: ring, star, and its name around the top."""
    layer = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx, cy, radius = 1000, 690, 84
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=SEAL_RED, width=5)
    star = []
    for i in range(10):
        r = 27 if i % 2 == 0 else 11
        angle = -math.pi / 2 + i * math.pi / 5
        star.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(star, fill=SEAL_RED)
    size = 22
    fnt = font(size)
    span = min(len(text) * 24.0, 250.0)
    text_radius = radius - 11 - size / 2
    for i, char in enumerate(text):
        angle = -90 - span / 2 + span * (i + 0.5) / len(text)  # degrees, 0 = right, clockwise
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (size, size),
            char,
            font=fnt,
            fill=SEAL_RED,
            anchor="mm",
            stroke_width=0.4,
            stroke_fill=SEAL_RED,
        )
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC)
        x = cx + text_radius * math.cos(math.radians(angle)) - size
        y = cy + text_radius * math.sin(math.radians(angle)) - size
        layer.alpha_composite(glyph, (round(x), round(y)))
    return layer


def _watermark() -> Image.Image:
    """样本 DEMO across the page, faint, so nobody takes the picture for a real licence."""
    text_layer = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(text_layer)
    draw.text(
        (SIZE[0] / 2, SIZE[1] / 2),
        WATERMARK,
        font=font(170),
        fill=WATERMARK_FILL,
        anchor="mm",
        stroke_width=2,
        stroke_fill=WATERMARK_FILL,
    )
    return text_layer.rotate(
        24, resample=Image.Resampling.BICUBIC, center=(SIZE[0] / 2, SIZE[1] / 2)
    )
