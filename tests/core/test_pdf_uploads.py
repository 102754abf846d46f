"""Licence PDFs (issue 13, finding 10): a PDF that is also a ZIP (or HTML, SVG, PHP) is a polyglot;
scripts and other active content are found inside compressed object streams too; what cannot be
checked (encryption, unusual filters, a compression bomb) is refused; PDFs are served back as
downloads, never shown in the portal's own origin."""

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from portal.core.uploads import clean_document
from tests.core.test_uploads import pdf


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("licence.pdf", content, content_type="application/pdf")


def refusal(content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean_document(upload(content))
    return caught.value


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "<p>hello</p>")
    return out.getvalue()


def with_object_stream(body: bytes, *, filters=b"/Filter /FlateDecode", encode=zlib.compress):
    """A PDF whose catalog opens object 5, kept in a compressed object stream (object 4)."""
    header = b"5 0 "
    content = encode(header + body)
    stream = (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First %d %s /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (len(header), filters, len(content), content)
    )
    base = pdf(catalog_extra=b" /OpenAction 5 0 R")
    at = base.index(b"xref")
    return base[:at] + stream + base[at:]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf(catalog_extra=b" /Title (" + a_zip() + b")"), id="zip inside"),
        pytest.param(pdf(tail=b"%%EOF\n" + a_zip() + b"%%EOF\n"), id="zip appended"),
        pytest.param(pdf(catalog_extra=b" /Title (<svg onload=alert(1)>)"), id="svg"),
    ],
)
def test_a_pdf_that_is_also_a_zip_or_a_page_is_a_polyglot(content):
    assert refusal(content).code == "polyglot"


def test_javascript_inside_a_compressed_object_stream_is_found():
    content = with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert b"JavaScript" not in content  # invisible to a look at the bytes
    error = refusal(content)
    assert error.code == "active_content"


def test_escaped_names_inside_an_object_stream_are_found():
    assert refusal(with_object_stream(b"<< /S /L#61unch /F (calc.exe) >>")).code == (
        "active_content"
    )


def test_a_plain_object_stream_is_fine():
    content = with_object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    assert clean_document(upload(content)).extension == "pdf"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            with_object_stream(
                b"<< /S /JavaScript >>",
                filters=b"/Filter /ASCIIHexDecode",
                encode=lambda data: data.hex().encode() + b">",
            ),
            id="hex-encoded",
        ),
        pytest.param(
            with_object_stream(
                b"<< /S /JavaScript >>",
                filters=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>",
            ),
            id="predictor",
        ),
        pytest.param(with_object_stream(b"x", encode=lambda data: b"not zlib"), id="damaged"),
        pytest.param(
            with_object_stream(b" " * (80 << 20)),  # 80 MB of spaces in a few KB
            id="compression bomb",
        ),
        pytest.param(pdf().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 9 0 R"), id="encrypted"),
    ],
)
def test_what_cannot_be_checked_is_refused_with_a_way_out(content):
    error = refusal(content)
    assert error.code == "unchecked"
    with translation.override("en"):
        assert "save it again" in error.messages[0]


def test_a_licence_pdf_is_served_as_a_download(client, owner, organization):
    from django.core.files.base import ContentFile

    organization.licence.save("licence.pdf", ContentFile(pdf()), save=False)
    organization.licence_content_type = "application/pdf"
    organization.save()
    client.force_login(owner)
    response = client.get(f"/organizations/{organization.pk}/licence/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_licence_image_is_still_shown_inline(client, owner, organization):
    client.force_login(owner)
    response = client.get(f"/organizations/{organization.pk}/licence/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
