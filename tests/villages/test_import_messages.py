"""Import results a clerk can act on: every problem of a row with its value, messages in the reader's language,
a dry-run preview, templates with an example row and notes, the status said once (issue 19, items 2 and 5)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.factories import VillageFactory
from villages.imports import IMPORT_KINDS, shown_errors, shown_preview
from villages.imports.engine import PREVIEW_SIZE
from villages.imports.template_files import template_csv, template_xlsx
from villages.models import ImportJob, Village
from villages.services.imports import import_job_create


def csv_upload(text, name="data.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def problems_of(job, row):
    return {(error["field"], error["value"]): error["message"] for error in job.errors if error["row"] == row}


@pytest.mark.django_db
def test_a_row_with_several_problems_reports_all_of_them_with_their_values_and_its_jurisdiction(official, tree):
    text = "code,name,households,latitude,longitude\n320324109200,外县村,-5,95,200\n"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    problems = problems_of(job, 2)
    assert ("households", "-5") in problems
    assert ("latitude", "95") in problems
    assert ("longitude", "200") in problems
    # The row's code is another county's: said even though the values above stopped the row first.
    assert problems[("", "320324109200")] == "320324109200 is outside your jurisdiction; you may not change it."
    assert job.invalid_count == 1


@pytest.mark.django_db
def test_a_report_row_names_its_missing_cells_bad_values_and_foreign_village_together(official, tree):
    VillageFactory(township=tree.other_town, code="320324109201")
    text = "village,year,ecommerce_sales,active_shops,households\n320324109201,abc,-1,,5\n"
    job = import_job_create(user=official, kind="reports", uploaded_file=csv_upload(text))
    fields = {error["field"] for error in job.errors}
    assert {"year", "ecommerce_sales", "active_shops", ""} <= fields
    assert any("outside your jurisdiction" in error["message"] for error in job.errors)
    assert {error["value"] for error in job.errors if error["field"] == "year"} == {"abc"}


@pytest.mark.django_db
def test_row_errors_are_shown_in_the_readers_language_not_the_uploaders(official, tree):
    text = "村代码,名称,户数\n371721121200,甲村,abc\n320324109200,外县村,1\n"
    with translation.override("zh-hans"):
        job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    with translation.override("en"):
        english = shown_errors(job)
        english_message = job.shown_message
    with translation.override("zh-hans"):
        chinese = shown_errors(job)
        chinese_message = job.shown_message
    assert [(error["row"], error["column"], error["value"]) for error in english] == [
        (2, "Households", "abc"), (3, "", "320324109200")]
    assert english[1]["message"] == "320324109200 is outside your jurisdiction; you may not change it."
    assert chinese[0]["column"] == "户数"
    assert "320324109200" in chinese[1]["message"] and "jurisdiction" not in chinese[1]["message"]
    assert english_message == "2 invalid rows: nothing was changed."
    assert "2" in chinese_message and "invalid" not in chinese_message


@pytest.mark.django_db
def test_a_file_level_refusal_is_shown_in_the_readers_language(official, tree):
    with translation.override("zh-hans"):
        job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload("foo,name\n1,x\n"))
    assert job.status == ImportJob.Status.FAILED
    with translation.override("en"):
        assert job.shown_message.startswith("Unknown columns: foo.")
    with translation.override("zh-hans"):
        assert "Unknown columns" not in job.shown_message and "foo" in job.shown_message


@pytest.mark.django_db
def test_jobs_recorded_before_messages_were_codes_keep_their_text(official):
    job = ImportJob.objects.create(
        uploaded_by=official, kind="villages", file_name="old.csv", status=ImportJob.Status.VALIDATED,
        message="旧的消息", errors=[{"row": 2, "column": "户数", "message": "旧的错误"}])
    with translation.override("en"):
        assert job.shown_message == "旧的消息"
        assert shown_errors(job) == [{"row": 2, "column": "户数", "value": "", "message": "旧的错误"}]


@pytest.mark.django_db
def test_the_job_page_and_api_speak_the_readers_language(client_for, official, tree):
    with translation.override("zh-hans"):
        job = import_job_create(user=official, kind="villages",
                                uploaded_file=csv_upload("code,name,households\n371721121200,甲村,abc\n"))
    client = client_for(official)
    page = client.get(reverse("villages:import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 invalid rows: nothing was changed." in page
    assert "<code>abc</code>" in page and "Households" in page
    answer = client.get(f"/api/v1/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert answer["message"] == "1 invalid rows: nothing was changed."
    assert answer["errors"][0]["column"] == "Households" and answer["errors"][0]["value"] == "abc"
    errors_csv = client.get(reverse("villages:import_job_errors", args=[job.pk]),
                            HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "Households,abc," in errors_csv


@pytest.mark.django_db
def test_the_validated_status_is_said_once(client_for, official, tree):
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload("code,name\n371721121200,甲村\n"))
    client = client_for(official)
    for language, dry_run in (("zh-hans", "试运行"), ("en", "dry run")):
        page = client.get(reverse("villages:import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=language)
        status = page.content.decode().split('id="import-status">', 1)[1].split("</p>", 1)[0]
        assert status.count(dry_run) == 1, status
        history = client.get(reverse("villages:import_upload"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        row = history.split(f'/imports/{job.pk}/"', 1)[1].split("</tr>", 1)[0]
        assert row.count(dry_run) == 1, row


@pytest.mark.django_db
def test_a_dry_run_previews_new_rows_and_what_changes_in_updated_ones(official, tree):
    VillageFactory(township=tree.town, code="371721121200", name="旧名", households=10)
    text = "code,name,households\n371721121200,新名,10\n371721121201,新村,30\n"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    with translation.override("en"):
        preview = shown_preview(job)
    updated, created = preview
    assert (updated["row"], updated["outcome"], updated["key"]) == (2, "updated", "371721121200 · 新名")
    assert updated["cells"] == [{"field": "name", "old": "旧名", "new": "新名", "column": "Name"}]
    assert created["outcome"] == "created"
    assert {(cell["column"], cell["new"]) for cell in created["cells"]} == {
        ("Village code", "371721121201"), ("Name", "新村"), ("Households", "30")}
    assert Village.objects.get(code="371721121200").name == "旧名"


@pytest.mark.django_db
def test_the_preview_holds_the_first_fifty_rows_and_an_apply_keeps_none(official, tree):
    lines = ["code,name"] + [f"371721121{n:03d},村{n}" for n in range(200, 280)]
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload("\n".join(lines) + "\n"))
    assert len(job.preview) == PREVIEW_SIZE == 50
    assert [row["row"] for row in job.preview] == list(range(2, 52))
    applied = import_job_create(user=official, kind="villages", uploaded_file=csv_upload("\n".join(lines) + "\n"),
                                dry_run=False)
    assert applied.status == ImportJob.Status.APPLIED and applied.preview == []


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind_name", sorted(IMPORT_KINDS))
def test_xlsx_templates_have_a_named_sheet_an_example_row_and_notes_for_every_column(kind_name, language):
    kind = IMPORT_KINDS[kind_name]
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(kind, language)))
    data, notes = workbook.worksheets
    assert data.title not in ("Sheet", "Sheet1")
    rows = list(data.iter_rows(values_only=True))
    assert len(rows) == 2 and any(rows[1])
    assert rows[1][0] == kind.columns[0].example
    note_rows = [row for row in notes.iter_rows(values_only=True) if any(row)]
    described = {row[0]: row for row in note_rows[1:len(kind.columns) + 1]}
    assert list(described) == [column.header.in_language(language) for column in kind.columns]
    # Every column says what it holds (its type and limits, or a note where the model cannot say it).
    assert all(row[2] or row[5] for row in described.values())


def test_template_notes_give_types_units_and_allowed_values_in_the_templates_language():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(IMPORT_KINDS["shop_years"], "en")))
    notes = {row[0]: row for row in workbook.worksheets[1].iter_rows(values_only=True) if row and row[0]}
    assert notes["Days open"][2] == "whole number, no separators; from 0 to 366"
    assert notes["Sales (RMB yuan)"][3] == "RMB yuan, a whole number"
    chinese = openpyxl.load_workbook(io.BytesIO(template_xlsx(IMPORT_KINDS["shops"], "zh")))
    assert chinese.worksheets[0].title == "网店" and chinese.worksheets[1].title == "说明"
    platform = next(row for row in chinese.worksheets[1].iter_rows(values_only=True) if row and row[0] == "平台")
    assert "taobao = 淘宝" in platform[2] and "one of" not in platform[2]


def test_csv_templates_carry_the_example_row():
    lines = template_csv(IMPORT_KINDS["reports"], "en").decode("utf-8-sig").splitlines()
    assert lines == ["Village code,Year,E-commerce sales (RMB yuan),Active shops,Households",
                     "371721121288,2024,12000000,120,860"]


@pytest.mark.django_db
def test_a_template_with_its_example_row_replaced_imports(official, tree):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(IMPORT_KINDS["villages"], "zh")))
    sheet = workbook.worksheets[0]
    sheet["A2"], sheet["B2"] = "371721121230", "新填村"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("filled.xlsx", buffer.getvalue())
    job = import_job_create(user=official, kind="villages", uploaded_file=upload, dry_run=False)
    assert job.status == ImportJob.Status.APPLIED, job.errors
    assert Village.objects.get(code="371721121230").households == 860


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "dry_run", "english"), [
    (ImportJob.Status.RUNNING, False, "Nothing was changed: a file is applied as a whole or not at all."),
    (ImportJob.Status.RUNNING, True, "while this file was being checked; nothing was changed"),
    (ImportJob.Status.PENDING, False, "The worker stopped before this import started"),
])
def test_an_interrupted_job_says_so_in_the_readers_language(official, status, dry_run, english):
    from datetime import timedelta

    from django.utils import timezone

    from villages.services.imports import import_jobs_interrupt_stale

    job = ImportJob.objects.create(uploaded_by=official, kind="villages", file_name="v.csv", status=status,
                                   dry_run=dry_run, heartbeat_at=timezone.now() - timedelta(hours=1))
    with translation.override("zh-hans"):
        import_jobs_interrupt_stale(older_than=timedelta(minutes=5))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INTERRUPTED
    with translation.override("en"):
        assert english in job.shown_message
    with translation.override("zh-hans"):
        assert job.shown_message == job.message and "nothing" not in job.shown_message


# Plural messages (Django's length and digit validators are ngettext_lazy with the count in a parameter)


def test_a_plural_validator_message_is_stored_as_codes_and_rendered_in_the_readers_language():
    from django.core.validators import MaxLengthValidator
    from django.utils import translation

    from villages.stored_messages import freeze, render

    validator = MaxLengthValidator(5)
    with translation.override("en"):
        stored = freeze(validator.message, {"limit_value": 5, "show_value": 9, "value": "abcdefghi"})
    assert "text" not in stored and stored["number_param"] == "limit_value"
    with translation.override("en"):
        english = render(stored)
    with translation.override("zh-hans"):
        chinese = render(stored)
    assert english == "Ensure this value has at most 5 characters (it has 9)."
    assert chinese != english and "5" in chinese and "9" in chinese


def test_a_plural_message_with_its_count_given_keeps_its_form():
    from django.utils import translation
    from django.utils.translation import ngettext_lazy

    from villages.stored_messages import freeze, render

    stored = freeze(ngettext_lazy("%(count)s row", "%(count)s rows", 1), {"count": 1})
    with translation.override("en"):
        assert render(stored) == "1 row"
