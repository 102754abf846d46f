"""Uploads are judged by their bytes, images are re-encoded without metadata, hostile files fail."""

import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, PngImagePlugin

from portal.core.uploads import CleanUpload, clean_document, clean_image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def encode(image: Image.Image, format: str, **options) -> bytes:
    out = BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def jpeg(size=(40, 20), **options) -> bytes:
    return encode(Image.new("RGB", size, "red"), "JPEG", **options)


def png(size=(40, 20), mode="RGB", **options) -> bytes:
    return encode(Image.new(mode, size), "PNG", **options)


def upload(content: bytes, name="file.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(catalog_extra=b"", tail=b"%%EOF\n", prefix=b"") -> bytes:
    """A minimal one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(prefix + b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    return bytes(out + tail)


def rejection(clean, file, **limits) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean(file, **limits)
    return caught.value


def message(error: ValidationError) -> str:
    with translation.override("en"):
        return error.messages[0]


@pytest.fixture(scope="module")
def pixel_flood() -> bytes:
    # 900 million pixels in about 100 KB: a 1-bit image of one colour compresses to almost nothing.
    return png(size=(30_000, 30_000), mode="1")


# Images


def test_a_jpeg_with_exif_and_gps_comes_back_as_a_jpeg_without_any_exif():
    exif = Image.Exif()
    exif[0x010F] = "Acme Camera"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 30.0, 15.0)}
    original = jpeg(size=(40, 20), exif=exif)
    assert Image.open(BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS

    clean = clean_image(upload(original))

    assert isinstance(clean, CleanUpload)
    assert (clean.content_type, clean.extension) == ("image/jpeg", "jpg")
    assert (clean.width, clean.height) == (40, 20)
    stored = Image.open(BytesIO(clean.content))
    assert stored.format == "JPEG"
    assert stored.size == (40, 20)
    assert "exif" not in stored.info
    assert len(stored.getexif()) == 0
    assert b"Exif" not in clean.content
    assert b"Acme Camera" not in clean.content


def test_comments_colour_profiles_and_xmp_do_not_survive_re_encoding():
    original = jpeg(comment=b"home address", icc_profile=b"fake-icc-profile", xmp=b"<x:xmpmeta/>")
    assert {"comment", "icc_profile", "xmp"} <= Image.open(BytesIO(original)).info.keys()

    stored = Image.open(BytesIO(clean_image(upload(original)).content))

    assert not {"comment", "icc_profile", "xmp"} & stored.info.keys()


def test_the_exif_orientation_is_applied_before_the_metadata_is_dropped():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise to display
    clean = clean_image(upload(jpeg(size=(40, 20), exif=exif)))

    assert (clean.width, clean.height) == (20, 40)
    assert Image.open(BytesIO(clean.content)).size == (20, 40)


def test_a_png_loses_its_colour_profile():
    original = png(icc_profile=b"fake-icc-profile")
    assert "icc_profile" in Image.open(BytesIO(original)).info

    stored = Image.open(BytesIO(clean_image(upload(original)).content))

    assert "icc_profile" not in stored.info


def test_a_transparent_png_stays_a_png_with_alpha_and_loses_its_text_chunks():
    image = Image.new("RGBA", (30, 10), (0, 128, 255, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at 52.5N 13.4E")
    original = encode(image, "PNG", pnginfo=text)

    clean = clean_image(upload(original, name="avatar.png", content_type="image/png"))

    stored = Image.open(BytesIO(clean.content))
    assert (clean.content_type, clean.extension) == ("image/png", "png")
    assert (stored.format, stored.mode, stored.size) == ("PNG", "RGBA", (30, 10))
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((1, 0)) == (0, 128, 255, 255)
    assert stored.text == {}
    assert b"52.5N" not in clean.content


def test_a_palette_png_with_a_transparent_colour_becomes_rgba():
    image = Image.new("P", (8, 8), 1)
    image.putpixel((0, 0), 0)
    stored = Image.open(BytesIO(clean_image(upload(encode(image, "PNG", transparency=0))).content))

    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((1, 1))[3] == 255


def test_a_webp_becomes_a_jpeg():
    original = encode(Image.new("RGB", (24, 12), "green"), "WEBP")

    clean = clean_image(upload(original, name="avatar.webp", content_type="image/webp"))

    assert (clean.content_type, clean.extension, clean.width, clean.height) == (
        "image/jpeg",
        "jpg",
        24,
        12,
    )
    assert Image.open(BytesIO(clean.content)).format == "JPEG"


def test_a_transparent_webp_is_flattened_onto_white_not_black():
    original = encode(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), "WEBP", lossless=True)

    stored = Image.open(BytesIO(clean_image(upload(original)).content))

    assert stored.mode == "RGB"
    assert min(stored.getpixel((4, 4))) > 240


def test_a_document_may_be_an_image_and_is_cleaned_like_one():
    clean = clean_document(upload(jpeg(size=(16, 8)), name="licence.pdf"))

    assert (clean.content_type, clean.width, clean.height) == ("image/jpeg", 16, 8)


def test_the_file_is_read_from_the_start_even_if_a_form_already_read_it():
    file = upload(png())
    file.read()

    assert clean_image(file).extension == "png"


def test_a_pixel_flood_image_is_rejected(pixel_flood):
    assert len(pixel_flood) < 200_000
    for clean in (clean_image, clean_document):
        error = rejection(clean, upload(pixel_flood, name="avatar.png"))
        assert error.code == "pixel_flood"
        assert message(error) == "The image has too many pixels; the limit is 40 megapixels."


def test_the_pixel_limit_is_checked_from_the_header_and_its_boundary_is_allowed(monkeypatch):
    original = png(size=(100, 100))
    assert clean_image(upload(original), max_pixels=10_000).width == 100

    def refuse_to_decode(self):
        raise AssertionError("decoded a flood")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse_to_decode)
    assert rejection(clean_image, upload(original), max_pixels=9_999).code == "pixel_flood"


@pytest.mark.parametrize("pillow_limit", [5_000, 2_000], ids=["bomb warning", "bomb error"])
def test_pillows_own_decompression_bomb_checks_also_count_as_a_pixel_flood(
    monkeypatch, pillow_limit
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)

    assert rejection(clean_image, upload(png(size=(100, 60)))).code == "pixel_flood"


def test_importing_the_module_leaves_pillows_global_limit_alone():
    pillows_default = 1024 * 1024 * 1024 // 4 // 3
    assert pillows_default == Image.MAX_IMAGE_PIXELS


# Files that are not what they claim


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"MZ\x90\x00" + b"\x00\x41" * 200, "licence.png", "image/png"),
        (b"Just some text, honestly a photo.\n", "photo.jpg", "image/jpeg"),
    ],
    ids=["executable", "text"],
)
def test_a_renamed_non_image_is_not_allowed(content, name, content_type):
    image_error = rejection(clean_image, upload(content, name, content_type))
    document_error = rejection(clean_document, upload(content, name, content_type))

    assert image_error.code == document_error.code == "not_allowed"
    assert message(image_error) == (
        "This kind of file is not accepted; upload a JPEG, PNG or WEBP image."
    )
    assert message(document_error) == (
        "This kind of file is not accepted; upload a JPEG, PNG or WEBP image, or PDF."
    )


def test_a_gif_is_not_one_of_the_accepted_images():
    gif = encode(Image.new("P", (4, 4)), "GIF")

    assert rejection(clean_image, upload(gif, name="avatar.jpg")).code == "not_allowed"


def test_an_empty_file_is_rejected():
    error = rejection(clean_document, upload(b""))

    assert error.code == "empty"
    assert message(error) == "The file is empty."


def test_an_oversized_file_is_rejected_with_its_size_and_the_limit():
    error = rejection(
        clean_image, upload(b"\xff\xd8\xff" + b"\x00" * (3 * 1024 - 3)), max_bytes=2048
    )

    assert error.code == "too_large"
    assert message(error) == "The file is 3 KB; the limit is 2 KB."


def test_an_endless_stream_is_read_only_one_byte_past_the_limit():
    class EndlessStream:
        consumed = 0

        def read(self, size=-1):
            assert size >= 0, "unbounded read"
            self.consumed += size
            return b"\xff" * size

    stream = EndlessStream()
    error = rejection(clean_document, stream, max_bytes=4 * 1024 * 1024)

    assert error.code == "too_large"
    assert message(error) == "The file is larger than the limit of 4 MB."
    assert stream.consumed == 4 * 1024 * 1024 + 1


def test_a_truncated_jpeg_is_corrupt():
    original = jpeg(size=(64, 64))

    error = rejection(clean_image, upload(original[: len(original) // 2]))

    assert error.code == "corrupt"
    assert message(error) == "The file is damaged or incomplete and cannot be read."


def test_a_png_whose_checksum_does_not_match_is_corrupt():
    original = bytearray(png(size=(32, 32)))
    idat = original.index(b"IDAT")
    crc = idat + 4 + int.from_bytes(original[idat - 4 : idat], "big")
    original[crc] ^= 0xFF  # Pillow decodes this happily; only verify() notices

    assert rejection(clean_image, upload(bytes(original))).code == "corrupt"


# Polyglots


def zip_archive() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<p>hello</p>")
    return out.getvalue()


@pytest.mark.parametrize(
    "original",
    [
        pytest.param(png() + b"<ScRiPt>alert(1)</script>", id="png with script"),
        pytest.param(jpeg() + zip_archive(), id="jpeg with zip"),
        pytest.param(jpeg(comment=b"<?php system($_GET[1]); ?>"), id="php in a comment"),
        pytest.param(jpeg() + b"%PDF-1.4 trailer", id="jpeg with pdf"),
        pytest.param(jpeg(comment=zip_archive()), id="zip in a comment"),
        pytest.param(png() + b"<svg/>", id="png with svg"),
    ],
)
def test_an_image_carrying_a_second_format_is_a_polyglot(original):
    error = rejection(clean_document, upload(original))

    assert error.code == "polyglot"
    assert message(error) == "The file hides content of another type and cannot be accepted."


def test_a_payload_after_the_end_of_a_jpeg_is_a_polyglot_even_if_it_ends_like_a_jpeg():
    payload = b"\x00" * 200 + b"\xff\xd9"

    assert rejection(clean_image, upload(jpeg() + payload)).code == "polyglot"


def test_a_payload_after_the_end_of_a_png_is_a_polyglot():
    assert rejection(clean_image, upload(png() + b"\x01" * 65)).code == "polyglot"


def test_a_little_padding_after_the_image_is_tolerated():
    assert clean_image(upload(jpeg() + b"\x00" * 64)).extension == "jpg"


def test_an_exif_thumbnail_does_not_end_the_jpeg_early():
    # An APP1 segment holding a whole JPEG, with its own FF D9, before the real image data.
    segment = b"Exif\x00\x00" + jpeg(size=(160, 120))
    original = jpeg(size=(40, 20))
    original = (
        original[:2] + b"\xff\xe1" + (len(segment) + 2).to_bytes(2, "big") + segment + original[2:]
    )

    assert clean_image(upload(original)).width == 40


# PDFs


def test_a_minimal_pdf_is_stored_as_uploaded_as_a_document():
    original = pdf()

    clean = clean_document(upload(original, name="licence.pdf", content_type="application/pdf"))

    assert clean == CleanUpload(original, "application/pdf", "pdf", None, None)


def test_a_pdf_is_not_an_image():
    error = rejection(clean_image, upload(pdf(), name="avatar.png", content_type="image/png"))

    assert error.code == "not_allowed"


@pytest.mark.parametrize(
    "catalog_extra",
    [
        pytest.param(b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", id="javascript"),
        pytest.param(b" /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>", id="escaped"),
        pytest.param(b" /OpenAction << /S /Launch /F (calc.exe) >>", id="launch"),
        pytest.param(b" /Names << /EmbeddedFiles 9 0 R >>", id="attachment"),
        pytest.param(b" /AcroForm << /XFA 9 0 R >>", id="xfa"),
    ],
)
def test_a_pdf_with_active_content_is_rejected(catalog_extra):
    error = rejection(clean_document, upload(pdf(catalog_extra=catalog_extra), name="a.pdf"))

    assert error.code == "active_content"
    assert message(error) == (
        "The PDF contains scripts, attachments or other active content; please upload a plain PDF."
    )


def test_names_that_merely_start_like_active_ones_are_fine():
    assert clean_document(upload(pdf(catalog_extra=b" /JSON /Launcher"))).extension == "pdf"


def test_a_pdf_without_an_end_of_file_marker_is_corrupt():
    error = rejection(clean_document, upload(pdf(tail=b"")))

    assert error.code == "corrupt"


def test_a_pdf_with_html_inside_is_a_polyglot():
    original = pdf(catalog_extra=b" /Title (<HTML><body>hi</body>)")

    assert rejection(clean_document, upload(original)).code == "polyglot"


def test_a_pdf_that_does_not_start_at_byte_zero_is_a_polyglot():
    original = pdf(prefix=b"GIF89a" + b"\x00" * 20)

    assert rejection(clean_document, upload(original)).code == "polyglot"


def test_a_motion_photo_video_after_the_jpeg_is_accepted_and_dropped():
    video = (
        (24).to_bytes(4, "big")
        + b"ftypmp42"
        + b"\x00" * 12
        + b"\x00\x00\x10\x00mdat"
        + b"\x07" * 4096
    )
    cleaned = clean_image(upload(jpeg() + video))

    assert cleaned.extension == "jpg"
    assert b"ftyp" not in cleaned.content


def test_a_gain_map_jpeg_after_the_photo_is_accepted():
    assert clean_image(upload(jpeg(size=(64, 48)) + jpeg(size=(16, 12)))).extension == "jpg"


def test_short_marker_lookalikes_that_compressed_data_may_contain_are_not_a_polyglot():
    # The first four bytes of a ZIP header without its version and flag bytes, and "<svg" as the
    # start of another word: byte runs that turn up by chance in the pixels of large photos.
    lookalikes = jpeg(comment=b"PK\x03\x04\xff\xff <svgs")

    assert clean_image(upload(lookalikes)).extension == "jpg"


def test_a_palette_png_stays_a_palette_png():
    original = Image.new("P", (40, 30))
    original.putpalette([value for i in range(256) for value in (i, 255 - i, 128)])
    out = BytesIO()
    original.save(out, format="PNG")

    cleaned = clean_image(upload(out.getvalue()))

    assert Image.open(BytesIO(cleaned.content)).mode == "P"
