"""Validation and re-encoding of user uploads (business licence documents, creator avatars).

Threat model: the uploader controls every byte, the file name and the browser's content type, so
we decide by the bytes alone, and we guard against:

- resource exhaustion: huge files (we read at most ``max_bytes + 1``) and pixel floods, small
  files that declare billions of pixels (refused from the header, before decoding);
- decoder exploits: Pillow may only use its JPEG, PNG and WEBP plugins, and must verify and decode;
- polyglots: files that are also HTML, PHP, SVG, PDF or ZIP to another program or to a browser;
- privacy leaks: EXIF (GPS), ICC, XMP and text chunks. Images are re-encoded from their pixels into
  a fresh image, so we never store the uploader's bytes;
- active PDFs: scripts, launch actions, attachments, rich media, XFA forms. PDFs are stored as
  uploaded and checked for the names of such content, in the file and inside its object streams
  (Flate-compressed, unpacked within a budget). What cannot be read that way is refused rather
  than let through: encrypted PDFs, object streams with other filters or predictors, damaged or
  oversized ones. PDFs are served back as downloads (attachment, nosniff, a sandbox CSP), never
  rendered in the portal's origin.

What stays out of reach: this is a check of names, not a renderer. A PDF viewer's own bugs (a
malformed font or image that exploits a reader) are not detected, and a PDF is not re-rendered
(that needs a rasterizer such as MuPDF or Poppler, which the portal does not ship). The people who
open a licence are platform staff, in their own PDF reader, after downloading it.
"""

import contextlib
import re
import warnings
import zlib
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

PIL_FORMATS = ["JPEG", "PNG", "WEBP"]
MAGIC = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"%PDF-", "pdf"))
# Cameras and editors sometimes pad after the image; more than this is a payload, unless it is one
# of the extras phones append (see _camera_extra), which re-encoding drops anyway.
MAX_TRAILING_BYTES = 64
# Markers of a second format, matched case-insensitively as browsers and interpreters do. Each is
# at least five bytes long (a ZIP header with its version and flag bytes is six), so that the
# compressed pixels of an honest photo practically never contain one by chance.
IMAGE_MARKERS = re.compile(rb"<script|<html|<\?php|<svg[\s/>]|%pdf-|pk\x03\x04[\x0a-\x3f]\x00")
# What another program would read in a PDF's bytes (a PDF may hold any bytes in its strings and
# streams, so an uploaded one could carry a page or an archive): HTML, PHP, SVG, and ZIP headers
# (a local file header with its version and flag bytes, an end of central directory on disk 0).
PDF_MARKERS = re.compile(
    rb"<script|<html|<\?php|<svg[\s/>]|pk\x03\x04[\x0a-\x3f]\x00|pk\x05\x06\x00\x00\x00\x00"
)
ACTIVE_PDF_NAMES = set(b"JavaScript JS Launch EmbeddedFile EmbeddedFiles RichMedia XFA".split())
PDF_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
PDF_OTHER_FILTERS = set(
    b"ASCIIHexDecode ASCII85Decode LZWDecode RunLengthDecode Crypt AHx A85 LZW RL Fl".split()
)
# Object streams of one licence unpack to at most this much; more is a compression bomb.
MAX_PDF_UNPACKED = 32 * 1024 * 1024
# A PDF name runs until whitespace or a delimiter; "#xx" escapes let "/J#61vaScript" hide from a
# plain substring search, so names are decoded before they are compared.
PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

MESSAGES = {
    "empty": _("The file is empty."),
    "corrupt": _("The file is damaged or incomplete and cannot be read."),
    "polyglot": _("The file hides content of another type and cannot be accepted."),
    "active_content": _(
        "The PDF contains scripts, attachments or other active content; please upload a plain PDF."
    ),
    "unchecked": _(
        "The PDF is encrypted or packed in a way that cannot be checked; save it again as a plain "
        "PDF (for example with Print, then Save as PDF) and upload that."
    ),
    "pixel_flood": _("The image has too many pixels; the limit is %(limit)s megapixels."),
    "not_allowed_image": _("This kind of file is not accepted; upload a JPEG, PNG or WEBP image."),
    "not_allowed_document": _(
        "This kind of file is not accepted; upload a JPEG, PNG or WEBP image, or PDF."
    ),
}


@dataclass(frozen=True)
class CleanUpload:
    content: bytes  # what we store: re-encoded image bytes, or the original PDF bytes
    content_type: str  # "image/jpeg", "image/png" or "application/pdf"
    extension: str  # "jpg", "png" or "pdf"
    width: int | None  # pixels, None for PDF
    height: int | None


def clean_image(
    upload, *, max_bytes: int = 5 * 1024 * 1024, max_pixels: int = 40_000_000
) -> CleanUpload:
    data = _read_bounded(upload, max_bytes)
    kind = _sniff(data)
    if kind not in ("jpeg", "png", "webp"):
        raise _error("not_allowed", MESSAGES["not_allowed_image"])
    return _clean_image_bytes(data, kind, max_pixels)


def clean_document(
    upload, *, max_bytes: int = 10 * 1024 * 1024, max_pixels: int = 40_000_000
) -> CleanUpload:
    data = _read_bounded(upload, max_bytes)
    kind = _sniff(data)
    if kind == "pdf":
        return _clean_pdf(data)
    if kind is not None:
        return _clean_image_bytes(data, kind, max_pixels)
    # Readers accept a PDF header anywhere in the first kilobyte, so a file that starts as
    # something else and carries one is a PDF in disguise.
    if b"%PDF-" in data:
        raise _error("polyglot")
    raise _error("not_allowed", MESSAGES["not_allowed_document"])


def _error(code, message=None, **params):
    return ValidationError(message or MESSAGES[code], code=code, params=params or None)


def _human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{size:.1f}".removesuffix(".0") + " " + unit


def _read_bounded(upload, max_bytes: int) -> bytes:
    # A form field may already have read the file to validate it.
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    chunks, total = [], 0
    # Streams may return short reads; loop, but never past one byte over the limit.
    while total <= max_bytes:
        chunk = upload.read(max_bytes + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total == 0:
        raise _error("empty")
    if total > max_bytes:
        limit = _human_size(max_bytes)
        size = getattr(upload, "size", None)
        if isinstance(size, int) and size > max_bytes:
            message = _("The file is %(size)s; the limit is %(limit)s.")
            raise _error("too_large", message, size=_human_size(size), limit=limit)
        message = _("The file is larger than the limit of %(limit)s.")
        raise _error("too_large", message, limit=limit)
    return b"".join(chunks)


def _sniff(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in MAGIC if data.startswith(magic)), None)


def _clean_image_bytes(data: bytes, kind: str, max_pixels: int) -> CleanUpload:
    if IMAGE_MARKERS.search(data.lower()):
        raise _error("polyglot")
    end = {"jpeg": _jpeg_end, "png": _png_end, "webp": _webp_end}[kind](data)
    if end is None:
        raise _error("corrupt")
    if len(data) - end > MAX_TRAILING_BYTES and not _camera_extra(data[end:]):
        raise _error("polyglot")

    flood = _error("pixel_flood", limit=f"{max_pixels / 1_000_000:g}")
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit; a warning is still a bomb.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=PIL_FORMATS) as probe:
                if probe.width * probe.height > max_pixels:
                    raise flood
                probe.verify()
            # verify() leaves the image unusable, so decode from a fresh parser.
            with Image.open(BytesIO(data), formats=PIL_FORMATS) as image:
                image.load()
                as_png = image.format == "PNG"
                fresh = _fresh_pixels(image, as_png)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise flood from None
        except ValidationError:
            raise
        except Exception:
            # Decoders fed hostile input raise a zoo of types (OSError, SyntaxError, struct.error,
            # ValueError, ...); to the uploader they all mean the same thing.
            raise _error("corrupt") from None

    out = BytesIO()
    # PNG's optimize pass costs several times the encoding for a few percent; JPEG's is cheap.
    options = (
        {"format": "PNG", "compress_level": 6}
        if as_png
        else {"format": "JPEG", "quality": 88, "optimize": True}
    )
    fresh.save(out, **options)
    extension, content_type = ("png", "image/png") if as_png else ("jpg", "image/jpeg")
    return CleanUpload(out.getvalue(), content_type, extension, fresh.width, fresh.height)


def _camera_extra(trailer: bytes) -> bool:
    """What phones append after the photo: a motion-photo video (an MP4 'ftyp' box) or a second
    JPEG (a gain map or preview, as in Ultra HDR and MPF pictures)."""
    return trailer[4:8] == b"ftyp" or trailer.lstrip(b"\x00").startswith(b"\xff\xd8\xff")


def _fresh_pixels(image: Image.Image, as_png: bool) -> Image.Image:
    """Copy only the pixels into a new image: nothing from ``image.info`` (EXIF, ICC, XMP, text,
    comments) can reach the encoder, which otherwise falls back to it for some of them."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        image = image.convert("RGBA")
    image = ImageOps.exif_transpose(image)
    if as_png and image.mode == "P" and not has_alpha:
        # Keep a palette image a palette image: smaller, and the colours are exactly the same.
        fresh = Image.new("P", image.size)
        fresh.putpalette(image.getpalette())
        fresh.paste(image)
    elif as_png:
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("1", "L") else "RGB")
        fresh = Image.new(mode, image.size)
        fresh.paste(image.convert(mode))
    else:
        # JPEG has no alpha: flatten onto white rather than let hidden pixels show through.
        fresh = Image.new("RGB", image.size, "white")
        if has_alpha:
            fresh.paste(image, mask=image.getchannel("A"))
        else:
            fresh.paste(image.convert("RGB"))
    return fresh


def _jpeg_end(data: bytes) -> int | None:
    """Offset just past the EOI that ends the image. Walks the segments rather than searching for
    FF D9, which also ends the EXIF thumbnail and can be planted at the end of a payload."""
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            return None
        while pos < size and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= size:
            return None
        marker, pos = data[pos], pos + 1
        if marker == 0xD9:
            return pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length field
            continue
        if pos + 2 > size:
            return None
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            return None
        pos += length
        if marker == 0xDA:
            # Entropy-coded data: FF is escaped as FF 00, and restart markers sit inside it.
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return None
                if data[pos + 1] == 0x00 or 0xD0 <= data[pos + 1] <= 0xD7:
                    pos += 2
                else:
                    break
    return None


def _png_end(data: bytes) -> int | None:
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _webp_end(data: bytes) -> int | None:
    riff_size = int.from_bytes(data[4:8], "little")
    end = 8 + riff_size + (riff_size & 1)
    return end if end <= len(data) else None


def _clean_pdf(data: bytes) -> CleanUpload:
    if PDF_MARKERS.search(data.lower()):
        raise _error("polyglot")
    if b"%%EOF" not in data[-1024:]:
        raise _error("corrupt")
    names = _pdf_names(data)
    if names & ACTIVE_PDF_NAMES:
        raise _error("active_content")
    if b"Encrypt" in names:
        raise _error("unchecked")
    checked = 0
    budget = [MAX_PDF_UNPACKED]
    for dictionary, content in _pdf_streams(data):
        if b"ObjStm" not in _pdf_names(dictionary):
            continue
        objects = _unpack_object_stream(dictionary, content, budget)
        if _pdf_names(objects) & ACTIVE_PDF_NAMES:
            raise _error("active_content")
        checked += 1
    # Every object stream the file names must have been found and read above.
    if sum(1 for name in _pdf_name_list(data) if name == b"ObjStm") != checked:
        raise _error("unchecked")
    return CleanUpload(data, "application/pdf", "pdf", None, None)


def _pdf_name_list(data: bytes) -> list[bytes]:
    return [
        PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])
        for match in PDF_NAME.finditer(data)
    ]


def _pdf_names(data: bytes) -> set[bytes]:
    """The PDF names in `data`, "#xx" escapes decoded (so "/J#61vaScript" is JavaScript)."""
    return set(_pdf_name_list(data))


def _pdf_streams(data: bytes):
    """(dictionary, raw content) of every stream object: the dictionary is what follows the
    object's "obj" keyword, the content what lies between "stream" and "endstream"."""
    for match in PDF_STREAM.finditer(data):
        start = data.rfind(b"obj", 0, match.start())
        end = data.find(b"endstream", match.end())
        if start < 0 or end < 0:
            continue
        yield data[start + 3 : match.start() + 2], data[match.end() : end]


def _unpack_object_stream(dictionary: bytes, content: bytes, budget: list[int]) -> bytes:
    """The objects of an object stream, decompressed within what is left of `budget` (shared by
    all streams of the file). Only Flate compression without predictors is read; anything else
    cannot be checked and is refused."""
    names = _pdf_names(dictionary)
    if b"DecodeParms" in names or names & PDF_OTHER_FILTERS:
        raise _error("unchecked")
    if b"FlateDecode" not in names:
        return content
    inflater = zlib.decompressobj()
    try:
        objects = inflater.decompress(content, budget[0] + 1)
    except zlib.error:
        raise _error("unchecked") from None
    budget[0] -= len(objects)
    if budget[0] < 0:
        raise _error("unchecked")
    return objects


def stored_file_response(file, *, content_type: str, filename: str):
    """A cleaned upload served back to the people who may see it. An image (re-encoded from its
    pixels) is shown; anything else (a PDF, kept as uploaded) is always a download, opened by the
    reader's own program, never rendered in the portal's origin. `filename` has no extension:
    the stored file's is added."""
    content_type = content_type or "application/octet-stream"
    extension = file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        file.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=f"{filename}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response
