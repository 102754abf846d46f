"""A look at an XLSX file's parts before openpyxl parses them.

Python's XML parser (expat before 2.6) parses a token again from its start every time more bytes
of it arrive, so one huge token (a comment, a processing instruction, a tag with a huge
attribute) costs time that grows with the square of its size: a 20 KB upload whose sheet starts
with a 16 MB comment took 29 seconds, a 300 KB one 13 minutes. Spreadsheet programs never write
such tokens. Each XML part is therefore streamed once (linear time, a megabyte at a time) and the
file refused when a part:

- unpacks to more than its share (`max_part_bytes`; the whole archive is bounded by the caller);
- declares a document type or entities (never in OOXML; entity expansion is the classic bomb);
- holds a comment or processing instruction longer than MAX_MARKUP, or more than MAX_MARKUP_TOTAL
  of them in all;
- runs for 128 KB without a "<" (twice GAP_WINDOW): no tag is that long, and no cell text of
  the files the portal reads either (it keeps 500 characters of a cell).

The cost left grows with the XML's size, which the caller bounds by the upload's own size (a
small file cannot unpack to gigabytes of XML): at most a second or two for the worst file.

Everything a real workbook contains passes; what is refused would have held a worker for minutes.
"""

import zipfile

CHUNK = 1 << 20
GAP_WINDOW = 64 * 1024  # a run without "<" of twice this is always refused, of this never
MAX_MARKUP = 64 * 1024
MAX_MARKUP_TOTAL = 1 << 20
LOOKAHEAD = 9  # len("<![CDATA[")


class PartRefused(Exception):
    """`reason` is "size" (unpacks too large) or "markup" (a token no spreadsheet writes)."""

    def __init__(self, reason: str, part: str):
        super().__init__(f"{part}: {reason}")
        self.reason = reason
        self.part = part


def check_archive(archive: zipfile.ZipFile, *, max_part_bytes: int, max_xml_bytes: int) -> None:
    """Raise PartRefused unless every part of `archive` is a plausible spreadsheet part and its
    XML parts together unpack to at most `max_xml_bytes`."""
    xml_bytes = 0
    for info in archive.infolist():
        if info.file_size > max_part_bytes:
            raise PartRefused("size", info.filename)
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            xml_bytes += _check_xml(archive, info, min(max_part_bytes, max_xml_bytes - xml_bytes))


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_part_bytes: int) -> int:
    scanner = _Scanner(info.filename)
    read = 0
    with archive.open(info) as part:
        # read(CHUNK) returns CHUNK bytes until the end, so chunks sit at multiples of CHUNK.
        while chunk := part.read(CHUNK):
            read += len(chunk)
            if read > max_part_bytes:  # the directory may understate the size
                raise PartRefused("size", info.filename)
            if any(
                b"<" not in chunk[start : start + GAP_WINDOW]
                for start in range(0, len(chunk) - GAP_WINDOW + 1, GAP_WINDOW)
            ):
                # A window with no "<" at all: some text or tag runs longer than GAP_WINDOW.
                raise PartRefused("markup", info.filename)
            scanner.feed(chunk)
    scanner.close()
    return read


class _Scanner:
    """Finds comments, processing instructions and declarations across chunks and measures the
    comments and instructions (the rest of the markup is left to the window check above)."""

    def __init__(self, part: str):
        self.part = part
        self.buffer = b""
        self.base = 0  # offset of buffer[0] in the part
        self.closing = b""  # the terminator of the comment or instruction being read
        self.markup_start = 0
        self.markup_total = 0

    def refuse(self):
        raise PartRefused("markup", self.part)

    def feed(self, chunk: bytes, final: bool = False) -> None:
        buffer = self.buffer + chunk
        # The last bytes may start a token whose kind the next chunk decides.
        limit = len(buffer) if final else max(0, len(buffer) - LOOKAHEAD)
        i = 0
        while i < limit:
            if self.closing:
                j = buffer.find(self.closing, i)
                if j < 0:
                    if self.base + len(buffer) - self.markup_start > MAX_MARKUP:
                        self.refuse()
                    i = max(i, len(buffer) - len(self.closing) + 1)
                    break
                end = self.base + j + len(self.closing)
                self.markup_total += end - self.markup_start
                if end - self.markup_start > MAX_MARKUP or self.markup_total > MAX_MARKUP_TOTAL:
                    self.refuse()
                self.closing, i = b"", j + len(self.closing)
                continue
            found = [
                j for j in (buffer.find(b"<!", i, limit), buffer.find(b"<?", i, limit)) if j >= 0
            ]
            if not found:
                i = limit
                break
            j = min(found)
            head = buffer[j : j + LOOKAHEAD]
            if head.startswith(b"<!--"):
                self.closing, self.markup_start, i = b"-->", self.base + j, j + 4
            elif head.startswith(b"<?"):
                self.closing, self.markup_start, i = b"?>", self.base + j, j + 2
            elif head.startswith(b"<![CDATA["):
                i = j + LOOKAHEAD  # text, read by the parser a piece at a time
            else:
                self.refuse()  # <!DOCTYPE, <!ENTITY and the like
        self.buffer = buffer[i:]
        self.base += i

    def close(self) -> None:
        self.feed(b"", final=True)
        if self.closing:
            self.refuse()
