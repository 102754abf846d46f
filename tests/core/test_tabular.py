"""Spreadsheets are read by their bytes with Excel's row numbers, and written safely for Excel."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from portal.core.tabular import Column, TableError, read_table, write_csv, write_xlsx

COLUMNS = [
    Column("platform_account_id", ("平台账号ID", "platform account id", "account id")),
    Column("nickname", ("昵称", "nickname")),
    Column("followers", ("粉丝数", "followers")),
    Column("note", ("备注", "note"), required=False),
]
HEADER_ZH = "平台账号ID,昵称,粉丝数,备注\n"


def upload(content: bytes, name="roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def read(content: bytes, name="roster.csv", columns=COLUMNS, max_rows=1000, max_bytes=10**6):
    return list(read_table(upload(content, name), columns, max_rows=max_rows, max_bytes=max_bytes))


def rejection(content: bytes, **options) -> TableError:
    with pytest.raises(TableError) as caught:
        read(content, **options)
    return caught.value


def row(account="", nickname="", followers="", note=""):
    return {
        "platform_account_id": account,
        "nickname": nickname,
        "followers": followers,
        "note": note,
    }


def xlsx(rows_by_number: dict[int, list]) -> bytes:
    """A workbook whose rows sit at the given Excel row numbers; rows not given are absent."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for number, values in rows_by_number.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_utf8_csv_with_a_bom_and_chinese_headers_is_read_with_excel_row_numbers():
    content = ("\ufeff" + HEADER_ZH + "dy_001,小红,12000,新人\ndy_002,小明,800,\n").encode()

    assert read(content) == [
        (2, row("dy_001", "小红", "12000", "新人")),
        (3, row("dy_002", "小明", "800")),
    ]


def test_a_gb18030_csv_saved_by_excel_on_chinese_windows_is_read():
    content = (HEADER_ZH + "dy_001,小红,12000,新人\n").encode("gb18030")

    assert read(content) == [(2, row("dy_001", "小红", "12000", "新人"))]


def test_a_file_that_is_neither_utf8_nor_gb18030_is_refused_for_its_encoding():
    content = HEADER_ZH.encode() + b"dy_001,\xff\xfe,1\n"

    assert rejection(content).code == "encoding"


def test_tab_and_semicolon_delimiters_are_recognised_from_the_header_line():
    tabbed = "平台账号ID\t昵称\t粉丝数\ndy_001\t小红, 二号\t12000\n".encode()
    semicolons = "平台账号ID;昵称;粉丝数\ndy_001;小红;12000\n".encode()

    assert read(tabbed) == [(2, row("dy_001", "小红, 二号", "12000"))]
    assert read(semicolons) == [(2, row("dy_001", "小红", "12000"))]


def test_a_csv_with_carriage_returns_only_as_line_endings_is_read():
    content = "平台账号ID,昵称,粉丝数\rdy_001,小红,1\rdy_002,小明,2\r".encode()

    assert read(content) == [(2, row("dy_001", "小红", "1")), (3, row("dy_002", "小明", "2"))]


def test_quoted_fields_keep_their_commas_and_newlines_and_count_as_one_excel_row():
    content = (HEADER_ZH + 'dy_001,"Red, the first","1,200","line one\r\nline two"\n').encode()
    content += b"dy_002,Ming,800,\n"

    assert read(content) == [
        (2, row("dy_001", "Red, the first", "1,200", "line one\r\nline two")),
        (3, row("dy_002", "Ming", "800")),
    ]


def test_an_unclosed_quote_that_swallows_the_file_is_reported_with_its_row():
    content = (HEADER_ZH + 'dy_001,"小红,1\n' + "x" * 200_000 + "\n").encode()

    error = rejection(content)

    assert error.code == "malformed"
    assert error.params == {"row": 2}


def test_english_headers_match_in_any_case_with_a_unit_suffix_a_star_or_a_colon():
    content = b"ACCOUNT ID*,Followers (people),NickName:\ndy_001,12000,Red\n"
    chinese = "平台账号ID：,粉丝数（人）*,昵称\ndy_001,12000,小红\n".encode()

    assert read(content) == [(2, row("dy_001", "Red", "12000"))]
    assert read(chinese) == [(2, row("dy_001", "小红", "12000"))]


def test_full_width_spaces_are_stripped_from_headers_and_values():
    content = "\u3000平台账号 ID\u3000,昵称,粉丝数\n\u3000dy_001\u3000, 小红\u200b ,\u300012000\n"

    assert read(content.encode()) == [(2, row("dy_001", "小红", "12000"))]


def test_values_longer_than_500_characters_are_truncated():
    content = (HEADER_ZH + "dy_001," + "长" * 600 + ",1\n").encode()

    [(_, values)] = read(content)

    assert values["nickname"] == "长" * 500


def test_blank_lines_before_the_header_still_count_as_rows():
    content = ("\n,,\n" + HEADER_ZH + "dy_001,小红,1\n").encode()

    assert read(content) == [(4, row("dy_001", "小红", "1"))]


def test_an_xlsx_gives_text_values_and_keeps_excel_row_numbers_across_an_empty_row():
    content = xlsx(
        {
            1: ["平台账号ID", "昵称", "粉丝数", "备注", "签约日期", "最近登录", "已认证", "比例"],
            2: [1234567, "小红", 1.0, None, datetime.date(2024, 5, 1), None, True, 0.125],
            # row 3 is absent from the file, as when a person clears a row in Excel
            4: [
                "dy_002",
                "小明",
                800,
                "  ",
                datetime.datetime(2024, 5, 2, 0, 0),
                None,
                False,
                1e-7,
            ],
            5: ["dy_003", "小刚", 3, None, None, datetime.datetime(2024, 5, 3, 9, 30), None, None],
        }
    )
    columns = [
        *COLUMNS,
        Column("signed_on", ("签约日期",), required=False),
        Column("last_login", ("最近登录",), required=False),
        Column("verified", ("已认证",), required=False),
        Column("ratio", ("比例",), required=False),
    ]

    rows = read(content, name="roster.xlsx", columns=columns)

    assert [number for number, _ in rows] == [2, 4, 5]
    assert rows[0][1] == row("1234567", "小红", "1") | {
        "signed_on": "2024-05-01",
        "last_login": "",
        "verified": "true",
        "ratio": "0.125",
    }
    assert rows[1][1]["signed_on"] == "2024-05-02"
    assert rows[1][1]["verified"] == "false"
    assert rows[1][1]["ratio"] == "0.0000001"
    assert rows[2][1]["last_login"] == "2024-05-03 09:30:00"


def test_an_xlsx_whose_stored_dimension_claims_one_cell_is_read_in_full():
    original = xlsx({1: ["平台账号ID", "昵称", "粉丝数"], 2: ["a", "甲", 1], 3: ["b", "乙", 2]})
    content = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(content, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:C3" />' in data
                data = data.replace(b'<dimension ref="A1:C3" />', b'<dimension ref="A1" />')
            target.writestr(info, data)

    rows = read(content.getvalue(), name="roster.xlsx")

    assert [number for number, _ in rows] == [2, 3]


def test_an_xlsx_renamed_to_csv_is_read_as_xlsx():
    content = xlsx({1: ["平台账号ID", "昵称", "粉丝数"], 2: ["dy_001", "小红", 12000]})

    assert read(content, name="roster.csv") == [(2, row("dy_001", "小红", "12000"))]


def test_a_zip_that_is_not_a_workbook_is_not_a_table():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "hello")

    assert rejection(archive.getvalue(), name="roster.xlsx").code == "not_table"


def test_an_xlsx_that_unpacks_to_far_more_than_the_byte_limit_is_refused():
    content = io.BytesIO(xlsx({1: ["平台账号ID", "昵称", "粉丝数"], 2: ["dy_001", "小红", 1]}))
    with zipfile.ZipFile(content, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", bytes(3_000_000))
    limit = len(content.getvalue())

    error = rejection(content.getvalue(), name="roster.xlsx", max_bytes=limit)

    assert error.code == "too_large"
    assert len(read(content.getvalue(), name="roster.xlsx", max_bytes=limit * 10)) == 1


def test_a_missing_required_column_is_reported_with_its_expected_headers():
    content = "昵称,备注\n小红,新人\n".encode()

    error = rejection(content)

    assert error.code == "missing_columns"
    with translation.override("en"):
        assert error.messages == [
            "The file is missing required columns: "
            "平台账号ID / platform account id; 粉丝数 / followers."
        ]


def test_the_same_field_under_two_headers_is_a_duplicate_column():
    content = "平台账号ID,昵称,粉丝数,Account ID\ndy_001,小红,1,dy_002\n".encode()

    error = rejection(content)

    assert error.code == "duplicate_column"
    with translation.override("en"):
        assert "平台账号ID / platform account id" in error.messages[0]


def test_unknown_extra_columns_are_ignored():
    content = "城市,平台账号ID,昵称,粉丝数,,\n杭州,dy_001,小红,12000,x,y\n".encode()

    assert read(content) == [(2, row("dy_001", "小红", "12000"))]


def test_rows_past_the_limit_are_refused_after_the_rows_within_it():
    content = (HEADER_ZH + "a,1,1\nb,2,2\n\nc,3,3\n").encode()
    rows = read_table(upload(content), COLUMNS, max_rows=2, max_bytes=10**6)

    assert [number for number, _ in [next(rows), next(rows)]] == [2, 3]
    with pytest.raises(TableError) as caught:
        next(rows)
    assert caught.value.code == "too_many_rows"
    assert len(read(content, max_rows=3)) == 3


class CountingFile(io.BytesIO):
    def __init__(self, content):
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_a_file_over_the_byte_limit_is_refused_after_reading_one_byte_past_it():
    content = (HEADER_ZH + "dy_001,小红,1\n" * 1000).encode()
    stream = CountingFile(content)

    with pytest.raises(TableError) as caught:
        read_table(stream, COLUMNS, max_rows=10**6, max_bytes=100)

    assert caught.value.code == "too_large"
    assert stream.bytes_read == 101
    assert len(read(content, max_bytes=len(content))) == 1000


def test_an_empty_file_is_refused():
    assert rejection(b"").code == "empty"
    assert rejection("\ufeff\n \n".encode()).code == "empty"


def test_a_header_without_data_rows_is_refused():
    assert rejection((HEADER_ZH + ",,,\n\n").encode()).code == "no_rows"


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx_or_csv():
    error = rejection(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, name="roster.xls")

    assert error.code == "xls"
    with translation.override("en"):
        assert error.messages == ["Save the file as .xlsx or .csv and upload it again."]


def test_a_binary_file_is_not_a_table():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)

    assert rejection(png, name="roster.csv").code == "not_table"


def test_a_100000_row_csv_is_read_lazily_to_the_end():
    lines = (f"dy_{n:06d},达人{n},{n}\n" for n in range(100_000))
    content = (HEADER_ZH + "".join(lines)).encode()

    rows = read_table(upload(content), COLUMNS, max_rows=100_000, max_bytes=len(content))
    first = next(rows)
    rest = sum(1 for _ in rows)

    assert first == (2, row("dy_000000", "达人0", "0"))
    assert rest == 99_999


def test_write_csv_round_trips_through_read_table_and_neutralises_formulas():
    rows = [
        ["dy_001", "小红, 二号", 12000, "第一行\n第二行"],
        ["dy_002", "=SUM(A1)", -5, None],
        ["dy_003", "@cmd", Decimal("12.50"), datetime.date(2024, 5, 1)],
    ]

    chunks = list(write_csv(["平台账号ID", "昵称", "粉丝数", "备注"], rows))

    assert chunks[0] == "\ufeff平台账号ID,昵称,粉丝数,备注\r\n".encode()
    assert read(b"".join(chunks)) == [
        (2, row("dy_001", "小红, 二号", "12000", "第一行\n第二行")),
        (3, row("dy_002", "'=SUM(A1)", "-5")),
        (4, row("dy_003", "'@cmd", "12.50", "2024-05-01")),
    ]


def test_write_csv_streams_rows_in_chunks():
    chunks = list(write_csv(["平台账号ID"], ([f"dy_{n}"] for n in range(1200))))

    assert len(chunks) == 4  # the header, then 500 + 500 + 200 rows
    assert chunks[-1].decode().count("\r\n") == 200


def test_write_xlsx_round_trips_through_read_table_and_stores_formulas_as_text():
    rows = [
        ["dy_001", "小红", 12000, "=1+1"],
        [12345678901234567, "小明", Decimal("2.5"), datetime.date(2024, 5, 1)],
    ]

    content = write_xlsx(["平台账号ID", "昵称", "粉丝数", "备注"], rows, sheet_title="达人/名单")

    assert read(content, name="export.xlsx") == [
        (2, row("dy_001", "小红", "12000", "=1+1")),
        (3, row("12345678901234567", "小明", "2.5", "2024-05-01")),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["D2"].value == "=1+1"
    assert sheet["D2"].data_type == "s"
    assert sheet["C2"].data_type == "n"
    assert sheet["A3"].data_type == "s"  # a 17-digit ID would be rounded as a number
    assert sheet["A1"].font.bold
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "达人 名单"
    assert sheet.column_dimensions["A"].width == 12  # 平台账号ID: 4 wide (8) + 2 narrow + 2
    assert sheet.column_dimensions["B"].width == 10


def test_excel_unicode_text_in_utf16_is_read():
    text = "平台账号ID\t昵称\nu1\t小鱼\n"
    upload = SimpleUploadedFile(
        "roster.txt", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    )
    columns = [Column("account", ("平台账号ID",)), Column("name", ("昵称",))]
    assert list(read_table(upload, columns, max_rows=10, max_bytes=10_000)) == [
        (2, {"account": "u1", "name": "小鱼"})
    ]
