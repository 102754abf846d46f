"""XLSX files are looked at before they are parsed (issue 13, finding 8): a workbook whose XML
holds what no spreadsheet program writes (a document type, an oversized comment or tag) or that
unpacks far beyond its size is refused with a clear message, instead of holding a worker for
minutes (expat parses a huge token in time that grows with the square of its size)."""

import base64
import io
import os
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core import xlsx_guard
from portal.core.tabular import Column, TableError, read_table

COLUMNS = [Column("account", ("account",)), Column("plays", ("plays",))]


def workbook(*, before_sheet_data=b"", prolog=b"", sheet_prefix=b"") -> bytes:
    """A real workbook whose first sheet's XML is changed: `prolog` after the XML declaration,
    `before_sheet_data` just before <sheetData>."""
    book = openpyxl.Workbook()
    book.active.append(["account", "plays"])
    book.active.append(["u1001", 5])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                declaration = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
                at = data.index(b"<sheetData")
                data = (
                    data[:declaration]
                    + prolog
                    + data[declaration:at]
                    + before_sheet_data
                    + data[at:]
                )
                data = sheet_prefix + data
            target.writestr(info, data)
    return out.getvalue()


def rows(data):
    return list(read_table(io.BytesIO(data), COLUMNS, max_rows=10, max_bytes=len(data) + 1))


def refusal(data) -> TableError:
    with pytest.raises(TableError) as error:
        rows(data)
    return error.value


def test_a_plain_workbook_is_read():
    assert rows(workbook()) == [(2, {"account": "u1001", "plays": "5"})]


def test_small_comments_instructions_and_cdata_are_fine():
    data = workbook(
        prolog=b"<!-- written by a generator -->", before_sheet_data=b"<?hint x?><![CDATA[ok]]>"
    )
    assert rows(data) == [(2, {"account": "u1001", "plays": "5"})]


def noise(size: int) -> bytes:
    """Text that does not compress (so the file is refused for its XML, not its unpacked size)."""
    return base64.b64encode(os.urandom(size * 3 // 4 + 3))[:size]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"prolog": b"<!--" + noise(70_000) + b"-->"}, id="long comment"),
        pytest.param({"prolog": b"<!--" + b"<>" * 40_000 + b"-->"}, id="comment of tags"),
        pytest.param({"prolog": b"<?pi " + noise(70_000) + b"?>"}, id="long instruction"),
        pytest.param({"before_sheet_data": b'<x a="' + noise(200_000) + b'"/>'}, id="attribute"),
        pytest.param(
            {"before_sheet_data": b"".join(b"<!--" + noise(60_000) + b"-->" for _ in range(20))},
            id="many comments",
        ),
        pytest.param({"sheet_prefix": b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'}, id="document type"),
        pytest.param({"prolog": b"<!-- never closed"}, id="unclosed comment"),
    ],
)
def test_xml_no_spreadsheet_writes_is_refused_with_a_clear_message(change):
    error = refusal(workbook(**change))
    assert error.code == "markup"
    assert "save it again, or save it as CSV" in error.messages[0]


def test_the_probes_sixteen_megabyte_comment_is_refused():
    """20 KB on disk, 16 MB of comment before the rows: it took 29 seconds to parse."""
    data = workbook(prolog=b"<!--" + b"a" * (16 << 20) + b"-->")
    assert len(data) < 40_000
    assert refusal(data).code in ("too_large", "markup")


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused():
    error = refusal(workbook(before_sheet_data=b"<x/>" * (8 << 20)))
    assert error.code == "too_large" and "unpacked" in error.messages[0]


def test_tokens_split_across_chunks_are_still_seen(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "CHUNK", 512)
    monkeypatch.setattr(xlsx_guard, "GAP_WINDOW", 256)
    monkeypatch.setattr(xlsx_guard, "MAX_MARKUP", 100)
    padding = b"<?p?>" * 90  # 450 bytes: what follows crosses the first chunk's end
    assert rows(workbook(prolog=padding + b"<!--" + b"<>" * 40 + b"-->"))  # 87 bytes
    assert refusal(workbook(prolog=padding + b"<!--" + b"<>" * 60 + b"-->")).code == "markup"
    assert refusal(workbook(prolog=padding + b"  <!DOCTYPE x>")).code == "markup"
    assert refusal(workbook(before_sheet_data=b'<x a="' + b"a" * 600 + b'"/>')).code == "markup"


def test_reading_stops_when_it_takes_too_long():
    data = workbook()
    with pytest.raises(TableError) as error:
        list(read_table(io.BytesIO(data), COLUMNS, max_rows=10, max_bytes=10**6, max_seconds=0))
    assert error.value.code == "too_slow"


def test_an_import_of_such_a_file_fails_with_the_message(
    operator, django_capture_on_commit_callbacks
):
    from creators.models import ImportKind, ImportStatus
    from creators.services import import_create

    operator.language = "en"
    operator.save(update_fields=["language"])
    data = workbook(prolog=b"<!--" + noise(70_000) + b"-->")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_create(
            actor=operator, kind=ImportKind.METRICS, upload=SimpleUploadedFile("m.xlsx", data)
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "spreadsheet programs do not write" in job.failure
