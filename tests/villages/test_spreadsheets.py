"""Reading uploads: each encoding, XLSX, and each kind of bad file, generated here as real files."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from villages.imports.kinds import VILLAGES
from villages.imports.spreadsheets import SpreadsheetError, open_sheet
from villages.imports.template_files import template_csv, template_xlsx

COLUMNS = VILLAGES.columns


def read(data: bytes, name="villages.csv"):
    sheet = open_sheet(SimpleUploadedFile(name, data), name=name, columns=COLUMNS)
    return sheet, list(sheet.rows)


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEXT = "村代码,名称\n371721121227,丁楼村\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected_without_asking(encoding):
    sheet, rows = read(TEXT.encode(encoding))
    assert rows == [(2, {"code": "371721121227", "name": "丁楼村"})]
    assert sheet.encoding == ("utf-8-sig" if encoding.startswith("utf") else "gb18030")


def test_english_headers_in_any_case_are_accepted():
    _sheet, rows = read(b"Village Code,NAME,households\n371721121227,x,5\n")
    assert rows[0][1] == {"code": "371721121227", "name": "x", "households": "5"}


def test_unknown_and_missing_columns_are_refused_by_name():
    with pytest.raises(SpreadsheetError) as raised:
        read("名称,颜色\n丁楼村,红\n".encode())
    message = " ".join(raised.value.messages)
    assert "颜色" in message and "村代码" in message


def test_xlsx_rows_are_read_with_numbers_as_text():
    _sheet, rows = read(xlsx([["Village code", "Name", "Households"], [371721121227, "丁楼村", 800]]), "v.xlsx")
    assert rows == [(2, {"code": "371721121227", "name": "丁楼村", "households": "800"})]


def test_formula_cells_are_refused():
    data = xlsx([["Village code", "Name", "Households"], ["371721121227", "丁楼村", "=SUM(1,2)"]])
    with pytest.raises(SpreadsheetError) as raised:
        read(data, "v.xlsx")
    assert raised.value.code == "formula"


def test_broken_zip_is_refused_as_malformed():
    with pytest.raises(SpreadsheetError) as raised:
        read(b"PK\x03\x04" + b"garbage" * 100, "v.xlsx")
    assert raised.value.code == "malformed"


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    with pytest.raises(SpreadsheetError) as raised:
        read(buffer.getvalue(), "bomb.xlsx")
    assert raised.value.code == "zip_bomb"


def test_password_protected_ole_container_is_refused():
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(SpreadsheetError) as raised:
        read(encrypted, "secret.xlsx")
    assert raised.value.code == "encrypted"


def test_file_size_limit_is_a_setting(settings):
    settings.IMPORT_MAX_FILE_BYTES = 10
    with pytest.raises(SpreadsheetError) as raised:
        read(TEXT.encode())
    assert raised.value.code == "too_large"


def test_row_limit_is_a_setting(settings):
    settings.IMPORT_MAX_ROWS = 2
    _sheet, rows = read(b"code,name\n1,a\n2,b\n")
    assert len(rows) == 2
    with pytest.raises(SpreadsheetError) as raised:
        read(b"code,name\n1,a\n2,b\n3,c\n")
    assert raised.value.code == "too_many_rows"


def test_text_that_is_neither_utf8_nor_gb18030_is_refused():
    with pytest.raises(SpreadsheetError) as raised:
        read(b"code,name\n1,\x81\x20\n")
    assert raised.value.code == "encoding"


def test_other_file_types_are_refused():
    with pytest.raises(SpreadsheetError):
        read(b"%PDF-1.4", "report.pdf")


@pytest.mark.parametrize("language,header", [("zh", "村代码"), ("en", "Village code")])
def test_templates_in_both_languages_read_back(language, header):
    assert template_csv(VILLAGES, language).decode("utf-8-sig").startswith(header)
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(VILLAGES, language)))
    assert workbook.active["A1"].value == header
    sheet, rows = read(template_xlsx(VILLAGES, language), "t.xlsx")
    assert [row["code"] for _number, row in rows] == ["371721121288"] and sheet.fields[0] == "code"
