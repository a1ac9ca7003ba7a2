"""Which kinds of evidence file a report accepts, told by the bytes of the file and never by its name.

A name or a client's Content-Type costs nothing to fake: a renamed program or web page must not be stored as a
"PDF" and later served to a reviewer. PDF, PNG and JPEG open with fixed signatures; an XLSX workbook is a ZIP
archive whose directory lists `[Content_Types].xml` and `xl/workbook.xml`. Only the archive's central
directory is read (nothing is extracted or decompressed), so a hostile archive costs no more than its size.
"""

import zipfile
from typing import BinaryIO

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The content types a report accepts, with the extension a stored file gets (whatever its uploaded name said).
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", XLSX: "xlsx"}
# Short names for people (messages, the admin).
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", XLSX: "XLSX"}

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
_ZIP_SIGNATURE = b"PK\x03\x04"
_XLSX_ENTRIES = frozenset({"[Content_Types].xml", "xl/workbook.xml"})
_HEADER_BYTES = 8


def _is_xlsx(stream: BinaryIO) -> bool:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, UnicodeDecodeError):
        return False
    return names >= _XLSX_ENTRIES


def sniff_content_type(stream: BinaryIO) -> str | None:
    """The accepted content type the bytes of a seekable binary `stream` prove, or None for anything else.

    The stream is left at its start.
    """
    stream.seek(0)
    header = stream.read(_HEADER_BYTES)
    stream.seek(0)
    found = next((content_type for signature, content_type in _SIGNATURES if header.startswith(signature)), None)
    if found is None and header.startswith(_ZIP_SIGNATURE) and _is_xlsx(stream):
        found = XLSX
    stream.seek(0)
    return found


def accepted_labels() -> str:
    """The accepted kinds for a message: "PDF, PNG, JPEG, XLSX"."""
    return ", ".join(LABELS[content_type] for content_type in EXTENSIONS)
