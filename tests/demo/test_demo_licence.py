"""The demo business licence: a PNG of the right size, the same bytes for the same arguments, and
drawn only with characters that the bundled font subset has, each text inside its box."""

import datetime
import io
import itertools

import pytest
from PIL import Image, ImageDraw

from demo import licence as demo_licence
from demo import plan as demo
from demo.licence import covered_characters, font, licence_text, render_licence

ARGUMENTS = {
    "legal_name": "杭州星河文化传媒有限公司",
    "credit_code": "91330106MA2H3K7Q5X",
    "legal_representative": "王芳婷",
    "city": "杭州",
    "registered_on": datetime.date(2019, 5, 8),
    "registered_capital_wan": 500,
    "seed": 7,
}
TWENTY_CHARACTERS = "杭州星河万象众星微光极光文化传媒有限公司"
CODES = ["beauty", "pets", "fashion", "digital-3c", "personal-care"]


def demo_characters() -> set[str]:
    """Every character the demo plan can put on a licence: its word lists for names and cities,
    and the licence's own fixed texts."""
    texts = [
        demo.SURNAMES,
        demo.GIVEN,
        *(city for city, _division in demo.CITIES),
        *demo.BRAND_WORDS,
        *demo.COMPANY_KINDS,
        *demo_licence.FIXED_TEXTS,
    ]
    return set("".join(texts))


def bounding_box(item: demo_licence.TextItem) -> tuple[float, float, float, float]:
    left, top, right, bottom = font(item.size, bold=item.bold).getbbox(
        item.text, anchor=item.anchor
    )
    x, y = item.xy
    return (x + left, y + top, x + right, y + bottom)


def glyph(fnt, char: str) -> bytes:
    image = Image.new("L", (2 * fnt.size, 2 * fnt.size))
    ImageDraw.Draw(image).text((fnt.size, fnt.size), char, font=fnt, fill=255, anchor="mm")
    return image.tobytes()


def test_the_licence_is_a_png_of_the_expected_size():
    png = render_licence(**ARGUMENTS)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.size == demo_licence.SIZE == (1240, 880)
    assert len(png) < 300_000


def test_the_same_arguments_give_the_same_bytes_and_another_seed_others():
    first = render_licence(**ARGUMENTS)
    assert render_licence(**ARGUMENTS) == first
    assert render_licence(**{**ARGUMENTS, "seed": 8}) != first


def test_every_character_the_demo_data_can_put_on_a_licence_is_in_the_bundled_font():
    missing = sorted(demo_characters() - covered_characters())
    assert not missing, (
        f"The licence font subset lacks {''.join(missing)!r}: make the subset again with them "
        "(demo/assets/README.md says how)."
    )


def test_the_licences_of_a_demo_plan_use_covered_characters_only():
    plan = demo.demo_plan(seed=1, category_codes=CODES, creators=0)
    covered = covered_characters()
    for n, org in enumerate(plan.organizations):
        items = licence_text(
            legal_name=org.legal_name,
            credit_code=org.credit_code,
            legal_representative=org.legal_representative,
            city=org.city,
            registered_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=37 * n),
            registered_capital_wan=100 * (n + 1),
            seed=n,
        )
        drawn = set("".join(item.text for item in items))
        assert drawn <= covered, sorted(drawn - covered)


def test_the_charset_file_matches_the_fonts_glyphs():
    # Pillow cannot read a cmap, but a character the font lacks draws as its .notdef glyph.
    regular, bold = font(40), font(40, bold=True)
    assert glyph(regular, "龘") == glyph(regular, "\ue000")  # neither is in the subset
    notdef = glyph(regular, "\ue000")
    for char in covered_characters():
        if not char.isspace():
            assert glyph(regular, char) != notdef, char
    bold_notdef = glyph(bold, "\ue000")
    for char in demo_licence.TITLE:
        assert glyph(bold, char) != bold_notdef, char


def test_a_twenty_character_name_wraps_inside_its_box_and_overlaps_nothing():
    assert len(TWENTY_CHARACTERS) == 20
    arguments = {**ARGUMENTS, "legal_name": TWENTY_CHARACTERS}
    items = licence_text(**arguments)

    name_lines = [item for item in items if item.field == "legal_name"]
    assert "".join(item.text for item in name_lines) == TWENTY_CHARACTERS
    for item in name_lines:
        assert item.box == demo_licence.NAME_BOX_WIDTH
        assert font(item.size).getlength(item.text) <= item.box
        assert bounding_box(item)[2] <= demo_licence.LEFT_VALUE_END

    # No two pieces of text touch, and all stay inside the inner frame.
    boxes = [(item.text, bounding_box(item)) for item in items]
    for (text_a, a), (text_b, b) in itertools.combinations(boxes, 2):
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, f"{text_a!r} overlaps {text_b!r}"
    width, height = demo_licence.SIZE
    margin = 70  # the inner frame's lines end at 63 pixels from the edge
    for text, (left, top, right, bottom) in boxes:
        assert min(left, top) >= margin, text
        assert right <= width - margin and bottom <= height - margin, text

    Image.open(io.BytesIO(render_licence(**arguments))).verify()


@pytest.mark.parametrize("city", [city for city, _division in demo.CITIES])
def test_every_text_with_a_box_fits_it(city):
    items = licence_text(**{**ARGUMENTS, "city": city, "legal_name": TWENTY_CHARACTERS})
    for item in items:
        if item.box is not None:
            assert font(item.size, bold=item.bold).getlength(item.text) <= item.box, item.text
    assert city in demo_licence.DISTRICTS  # the address names the district of the credit code
