"""The file reader refuses NUL bytes and BOM-less UTF-16 itself, so a dry run and the real run give one answer."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from villages.imports.kinds import VILLAGES
from villages.imports.spreadsheets import SpreadsheetError, open_sheet
from villages.models import ImportJob, Village
from villages.services.imports import import_job_create

TEXT = "村代码,名称,户数\n371721121227,丁楼村,800\n371721121211,张庄村,600\n"
ROWS = [
    (2, {"code": "371721121227", "name": "丁楼村", "households": "800"}),
    (3, {"code": "371721121211", "name": "张庄村", "households": "600"}),
]
NUL_TEXT = "村代码,名称,户数\n371721121227,丁楼村,800\n371721121211,张\x00庄村,600\n"


def read(data: bytes, name="villages.csv"):
    sheet = open_sheet(SimpleUploadedFile(name, data), name=name, columns=VILLAGES.columns)
    return sheet, list(sheet.rows)


def refusal(data: bytes) -> str:
    with pytest.raises(SpreadsheetError) as raised:
        read(data)
    return " ".join(raised.value.messages)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_nul_byte_is_refused_naming_its_line(encoding):
    message = refusal(NUL_TEXT.encode(encoding))
    assert "NUL bytes" in message and "line 3" in message


def test_a_nul_byte_beyond_the_first_chunk_is_refused():
    rows = "".join(f"3717211212{n % 100:02d},村{n},{n}\n" for n in range(40_000))
    data = ("村代码,名称,户数\n" + rows + "371721121200,村\x00,1\n").encode()
    assert len(data) > 1 << 20
    assert "line 40002" in refusal(data)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_refused_as_such(codec):
    message = refusal(TEXT.encode(codec))
    assert message == "The file looks like UTF-16 without a byte-order mark; save it as UTF-8 CSV or XLSX."


def test_utf16_without_a_byte_order_mark_is_refused_even_when_only_a_header():
    assert "UTF-16" in refusal("村代码,名称\n".encode("utf-16-le"))


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_a_byte_order_mark_is_read(bom, codec):
    sheet, rows = read(bom + TEXT.encode(codec))
    assert sheet.encoding == "utf-16"
    assert rows == ROWS


def test_excels_unicode_text_is_tab_separated_utf16_and_is_read():
    sheet, rows = read(TEXT.replace(",", "\t").encode("utf-16"))
    assert rows == ROWS


def test_utf16_with_a_byte_order_mark_and_a_nul_is_refused():
    assert "NUL bytes" in refusal(NUL_TEXT.encode("utf-16"))


def test_a_damaged_utf16_file_is_refused():
    data = TEXT.encode("utf-16")[:-1]
    assert "damaged" in refusal(data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [(NUL_TEXT, "utf-8", "NUL bytes"), (TEXT, "utf-16-le", "UTF-16 without a byte-order mark")],
    ids=["nul-byte", "utf16-without-bom"],
)
def test_dry_run_and_real_run_refuse_the_same_file_with_the_same_message(official, text, codec, expected):
    def upload(dry_run):
        data = SimpleUploadedFile("villages.csv", text.encode(codec), content_type="text/csv")
        return import_job_create(user=official, kind="villages", uploaded_file=data, dry_run=dry_run)

    checked, applied = upload(dry_run=True), upload(dry_run=False)
    assert (checked.status, applied.status) == (ImportJob.Status.FAILED, ImportJob.Status.FAILED)
    assert expected in checked.message
    assert checked.message == applied.message
    assert Village.objects.count() == 0
