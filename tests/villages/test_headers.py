"""The column header catalogue: every header translated, today's Chinese words kept, either language accepted."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from villages.exports.formats import csv_stream
from villages.exports.sources import EXPORT_SOURCES
from villages.imports import IMPORT_KINDS
from villages.imports.spreadsheets import match_header
from villages.imports.template_files import template_csv, template_xlsx
from villages.models import Village
from villages.services.imports import import_job_create

REQUEST_LANGUAGES = ("zh-hans", "en")
TEMPLATE_LANGUAGES = ("zh", "en")


def template_header(kind_name: str, language: str) -> list[str]:
    return template_csv(IMPORT_KINDS[kind_name], language).decode("utf-8-sig").splitlines()[0].split(",")


def export_header(list_name: str, language: str) -> list[str]:
    with translation.override(language):
        first_line = next(iter(csv_stream(Village.objects.none(), EXPORT_SOURCES[list_name].columns)))
    return first_line.lstrip("\ufeff").strip().split(",")


def test_every_import_and_export_column_has_a_chinese_header_unlike_its_english():
    columns = [(f"import {name}", column.field, column.header) for name, kind in IMPORT_KINDS.items()
               for column in kind.columns]
    columns += [(f"export {name}", column.path, column.header) for name, source in EXPORT_SOURCES.items()
                for column in source.columns]
    untranslated = [(where, field, header.english) for where, field, header in columns
                    if header.chinese == header.english]
    assert {"service_points", "county_centers", "villages"} <= set(IMPORT_KINDS)
    assert {"service_points", "villages", "certified"} <= set(EXPORT_SOURCES)
    assert untranslated == []


@pytest.mark.parametrize(("kind_name", "chinese"), [
    ("villages", ["村代码", "名称", "户数", "人口", "城乡分类代码", "纬度", "经度", "主要产品"]),
    ("shops", ["村代码", "平台", "店铺ID", "店铺名称", "类目", "开店日期", "关店日期"]),
    ("shop_years", ["平台", "店铺ID", "年份", "销售额（元）", "近3个月订单数", "开店天数"]),
    ("reports", ["村代码", "年份", "电商销售额（元）", "活跃网店数", "户数"]),
    ("county_centers", ["县代码", "名称", "地址", "开业日期", "关闭日期", "状态"]),
    ("service_points", ["服务站编码", "名称", "村代码", "县级运营中心", "服务项目", "状态", "开业日期", "关闭日期",
                        "纬度", "经度", "村淘合伙人", "合伙人手机"]),
])
@pytest.mark.parametrize("request_language", REQUEST_LANGUAGES)
def test_chinese_templates_keep_the_words_users_already_fill_in(kind_name, chinese, request_language):
    with translation.override(request_language):
        assert template_header(kind_name, "zh") == chinese
        workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(IMPORT_KINDS[kind_name], "zh")))
    assert [cell.value for cell in next(workbook.active.iter_rows())] == chinese


def test_english_template_keeps_its_english_headers_while_the_request_is_in_chinese():
    with translation.override("zh-hans"):
        header = template_header("shops", "en")
    assert header == ["Village code", "Platform", "Shop ID", "Shop name", "Category", "Opened on", "Closed on"]


@pytest.mark.parametrize(("list_name", "language", "header"), [
    ("reports", "zh-hans", ["村代码", "村名", "年份", "电商销售额（元）", "活跃网店数", "户数", "状态", "提交时间",
                            "审核时间"]),
    ("reports", "en", ["Village code", "Village", "Year", "E-commerce sales (RMB yuan)", "Active shops",
                       "Households", "Status", "Submitted at", "Reviewed at"]),
    ("assessments", "zh-hans", ["村代码", "村名", "年份", "是否达标", "得分"]),
    ("villages", "zh-hans", ["村代码", "名称", "乡镇代码", "乡镇", "村级单位类型", "户数", "人口", "城乡分类代码",
                             "纬度", "经度", "主要产品"]),
    ("service_points", "zh-hans", ["服务站编码", "名称", "村代码", "县级运营中心", "状态", "开业日期", "关闭日期",
                                   "纬度", "经度"]),
    ("service_points", "en", ["Service point code", "Name", "Village code", "County operation centre", "Status",
                              "Opened on", "Closed on", "Latitude", "Longitude"]),
])
def test_export_header_rows_are_written_in_the_request_language(list_name, language, header):
    assert export_header(list_name, language) == header


@pytest.mark.parametrize("kind_name", sorted(IMPORT_KINDS))
@pytest.mark.parametrize("template_language", TEMPLATE_LANGUAGES)
@pytest.mark.parametrize("request_language", REQUEST_LANGUAGES)
def test_a_template_in_either_language_is_matched_under_either_request_language(
    kind_name, template_language, request_language
):
    header = template_header(kind_name, template_language)
    with translation.override(request_language):
        fields = match_header(header, IMPORT_KINDS[kind_name].columns)
    assert fields == [column.field for column in IMPORT_KINDS[kind_name].columns]


@pytest.mark.django_db
@pytest.mark.parametrize(("header_line", "request_language"), [
    ("村代码,名称,户数", "zh-hans"),
    ("村代码,名称,户数", "en"),
    ("Village code,Name,Households", "zh-hans"),
    ("Village code,Name,Households", "en"),
])
def test_a_csv_with_chinese_or_english_headers_imports_under_either_language(
    official, tree, header_line, request_language
):
    text = f"{header_line}\n371721121227,丁楼村,800\n"
    upload = SimpleUploadedFile("villages.csv", text.encode("utf-8-sig"), content_type="text/csv")
    with translation.override(request_language):
        import_job_create(user=official, kind="villages", uploaded_file=upload, dry_run=False)
    assert Village.objects.filter(code="371721121227", name="丁楼村", households=800).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("request_language", "column_name"), [("zh-hans", "户数"), ("en", "Households")])
def test_row_errors_name_the_column_in_the_request_language(official, tree, request_language, column_name):
    upload = SimpleUploadedFile("villages.csv", "code,name,households\n371721121227,丁楼村,abc\n".encode())
    with translation.override(request_language):
        job = import_job_create(user=official, kind="villages", uploaded_file=upload)
    assert [(error["row"], error["column"]) for error in job.errors] == [(2, column_name)]
