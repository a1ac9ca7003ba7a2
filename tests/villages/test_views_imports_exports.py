"""Staff import pages, list downloads (CSV / Excel) through the shared FilterSets, reopening reports, deleting shops."""

import io

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    OnlineShopFactory,
    ServicePointFactory,
    ShopYearFactory,
    VillageFactory,
)
from villages.models import AnnualReport, Assessment, ImportJob, OnlineShop, ShopYear, Village

UPLOAD_URL = "/imports/"

pytestmark = pytest.mark.django_db


def csv_upload(text, name="villages.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def village_rows(count, township="371721121", start=200):
    lines = ["村代码,名称,户数,人口"]
    lines += [f"{township}{start + n:03d},测试村{n},{100 + n},{400 + n}" for n in range(count)]
    return "\n".join(lines) + "\n"


def csv_body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


# Import pages


def test_import_page_extends_the_site_layout_and_offers_templates_in_both_languages(client_for, official):
    response = client_for(official).get(reverse("villages:import_upload"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in page and 'href="/imports/"' in page
    assert 'id="field-file"' in page
    assert "/imports/templates/villages.xlsx?language=zh" in page
    assert "/imports/templates/villages.csv?language=en" in page


def test_import_link_is_in_the_navigation_for_officials_only(client, client_for, official, reviewer):
    assert 'href="/imports/"' in client_for(official).get(reverse("villages:home")).content.decode()
    assert 'href="/imports/"' not in client_for(reviewer).get(reverse("villages:home")).content.decode()
    assert 'href="/imports/"' not in client.get(reverse("villages:dashboard")).content.decode()


def test_village_and_point_lists_link_to_the_import_page_for_officials(client_for, official):
    client = client_for(official)
    assert reverse("villages:import_upload") in client.get(reverse("villages:village_list")).content.decode()
    assert reverse("villages:import_upload") in client.get(reverse("rural_services:point_list")).content.decode()


def test_reviewer_and_anonymous_cannot_open_the_import_page(client, client_for, reviewer):
    assert client_for(reviewer).get(reverse("villages:import_upload")).status_code == 403
    assert client.get(reverse("villages:import_upload")).status_code == 302


def test_dry_run_page_shows_counts_invalid_rows_and_no_confirm_button(client_for, official, tree):
    text = village_rows(2) + "371721121299,,abc,1\n"
    client = client_for(official)
    response = client.post(UPLOAD_URL, {"kind": "villages", "file": csv_upload(text), "dry_run": "on"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("villages:import_job", args=[job.pk])
    page = client.get(reverse("villages:import_job", args=[job.pk])).content.decode()
    assert 'id="import-counts"' in page and 'id="invalid-rows"' in page
    assert "<td class=\"num\">4</td>" in page
    assert reverse("villages:import_job_errors", args=[job.pk]) in page
    assert reverse("villages:import_job_confirm", args=[job.pk]) not in page
    assert not Village.objects.exists()


def test_clean_dry_run_shows_the_confirm_button_and_confirm_applies_the_file(client_for, official, tree):
    client = client_for(official)
    client.post(UPLOAD_URL, {"kind": "villages", "file": csv_upload(village_rows(3)), "dry_run": "on"})
    job = ImportJob.objects.get()
    page = client.get(reverse("villages:import_job", args=[job.pk])).content.decode()
    assert reverse("villages:import_job_confirm", args=[job.pk]) in page
    assert "http-equiv=\"refresh\"" not in page
    response = client.post(reverse("villages:import_job_confirm", args=[job.pk]), follow=True)
    assert Village.objects.count() == 3
    assert "Import confirmed" in response.content.decode()


def test_confirming_twice_shows_a_message_instead_of_failing(client_for, official, tree):
    client = client_for(official)
    client.post(UPLOAD_URL, {"kind": "villages", "file": csv_upload(village_rows(1)), "dry_run": "on"})
    job = ImportJob.objects.get()
    client.post(reverse("villages:import_job_confirm", args=[job.pk]))
    response = client.post(reverse("villages:import_job_confirm", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert "Only a dry run without invalid rows can be confirmed" in response.content.decode()


def test_running_job_page_shows_a_progress_bar_that_refreshes(client_for, official):
    job = ImportJob.objects.create(
        uploaded_by=official, kind="villages", file="imports/big.csv", file_name="big.csv",
        status=ImportJob.Status.RUNNING, progress=40, rows_processed=40000,
    )
    page = client_for(official).get(reverse("villages:import_job", args=[job.pk])).content.decode()
    assert '<progress id="import-progress-bar" max="100" value="40">' in page
    assert 'http-equiv="refresh"' in page


def test_other_users_job_is_not_found(client_for, official, other_official):
    job = ImportJob.objects.create(uploaded_by=official, kind="villages", file="imports/a.csv", file_name="a.csv")
    assert client_for(other_official).get(reverse("villages:import_job", args=[job.pk])).status_code == 404


def make_jobs(user, count):
    ImportJob.objects.bulk_create(
        ImportJob(
            uploaded_by=user, kind="villages", file=f"imports/{n}.csv", file_name=f"file-{n}.csv",
            status=ImportJob.Status.VALIDATED, invalid_count=n % 2, errors=[{"row": 2, "column": "x", "message": "m"}],
        )
        for n in range(count)
    )


def test_import_history_lists_who_when_file_counts_and_invalid_rows_link(client_for, official):
    make_jobs(official, 2)
    page = client_for(official).get(reverse("villages:import_upload")).content.decode()
    assert "file-0.csv" in page and "file-1.csv" in page and "official" in page
    with_errors = ImportJob.objects.get(file_name="file-1.csv")
    without_errors = ImportJob.objects.get(file_name="file-0.csv")
    assert reverse("villages:import_job_errors", args=[with_errors.pk]) in page
    assert reverse("villages:import_job_errors", args=[without_errors.pk]) not in page


def _count_queries(client, url):
    # As the first request after a restart of the cache: the division filter's check is counted each time.
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_import_history_runs_the_same_queries_for_one_and_fifty_jobs(client_for, official, django_assert_num_queries):
    client = client_for(official)
    make_jobs(official, 1)
    one = _count_queries(client, reverse("villages:import_upload"))
    make_jobs(official, 49)
    fifty = _count_queries(client, reverse("villages:import_upload"))
    assert one == fifty
    with django_assert_num_queries(one):
        client.get(reverse("villages:import_upload"))


def test_api_import_list_runs_the_same_queries_for_one_and_fifty_jobs(client_for, official):
    client = client_for(official)
    make_jobs(official, 1)
    one = _count_queries(client, "/api/v1/imports/")
    make_jobs(official, 49)
    assert _count_queries(client, "/api/v1/imports/") == one


# Exports


@pytest.fixture
def villages(tree):
    own = [
        VillageFactory(township=tree.town, code="371721121201", name="丁楼村", committee_type="village"),
        VillageFactory(township=tree.town, code="371721121202", name="=cmd()"),
        VillageFactory(township=tree.subdistrict, code=f"{tree.subdistrict.code}201", name="居委会"),
    ]
    foreign = VillageFactory(township=tree.other_town, code=f"{tree.other_town.code}201", name="外县村")
    return own, foreign


def test_village_list_offers_downloads_with_the_current_filters(client_for, official, villages, tree):
    page = client_for(official).get(reverse("villages:village_list"), {"township": tree.town.code}).content.decode()
    assert f'href="/villages/export.csv?township={tree.town.code}"' in page
    assert f'href="/villages/export.xlsx?township={tree.town.code}"' in page


def test_village_csv_export_holds_exactly_the_filtered_scoped_rows(client_for, official, villages, tree):
    response = client_for(official).get(reverse("villages:village_export", args=["csv"]), {"township": tree.town.code})
    body = csv_body(response)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    codes = [line.split(",")[0] for line in body.splitlines()[1:]]
    assert codes == ["371721121201", "371721121202"]
    assert "'=cmd()" in body


def test_village_export_search_uses_the_same_filter_as_the_page(client_for, official, villages):
    response = client_for(official).get(reverse("villages:village_export", args=["xlsx"]), {"search": "丁楼"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["371721121201"]


def test_village_export_never_leaves_the_officials_jurisdiction(client_for, official, villages, tree):
    body = csv_body(client_for(official).get(reverse("villages:village_export", args=["csv"])))
    assert "外县村" not in body and "丁楼村" in body


def test_anonymous_village_export_holds_only_public_certified_villages(client, villages):
    own, _foreign = villages
    AssessmentFactory(village=own[0], year=2023, qualified=True)
    body = csv_body(client.get(reverse("villages:village_export", args=["csv"])))
    assert "丁楼村" in body and "居委会" not in body and "=cmd()" not in body


def test_invalid_filter_on_a_web_export_goes_back_to_the_list_with_the_reason(client_for, official, villages):
    url = reverse("villages:village_export", args=["csv"])
    response = client_for(official).get(url, {"county": "999999"}, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("villages:village_list"))
    assert "999999 is not the code of a known" in response.content.decode()


def test_unknown_export_format_is_404(client_for, official):
    assert client_for(official).get("/villages/export.pdf").status_code == 404


def test_point_list_export_uses_the_point_filters_and_scope(client_for, official, villages, tree):
    own, foreign = villages
    ServicePointFactory(village=own[0], code="SP-OPEN", status="open")
    ServicePointFactory(village=own[1], code="SP-CLOSED", status="closed", closed_on="2020-01-01")
    ServicePointFactory(village=foreign, code="SP-FOREIGN", status="open")
    client = client_for(official)
    page = client.get(reverse("rural_services:point_list"), {"status": "open"}).content.decode()
    assert 'href="/service-points/export.csv?status=open"' in page
    body = csv_body(client.get(reverse("rural_services:point_export", args=["csv"]), {"status": "open"}))
    assert "SP-OPEN" in body and "SP-CLOSED" not in body and "SP-FOREIGN" not in body


def test_dashboard_offers_the_certified_list_of_the_latest_year(client, villages):
    own, _foreign = villages
    AssessmentFactory(village=own[0], year=2022, qualified=True)
    AssessmentFactory(village=own[1], year=2023, qualified=True)
    page = client.get(reverse("villages:dashboard")).content.decode()
    assert 'href="/dashboard/certified.xlsx?year=2023"' in page
    body = csv_body(client.get(reverse("villages:certified_export", args=["csv"]), {"year": "2023"}))
    assert "371721121202" in body and "371721121201" not in body


def test_api_export_filters_with_the_list_filterset(client_for, official, villages):
    client = client_for(official)
    body = csv_body(client.get("/api/v1/exports/villages.csv", {"search": "丁楼"}))
    assert "371721121201" in body and "371721121202" not in body
    assert client.get("/api/v1/exports/villages.csv", {"county": "999999"}).status_code == 400
    assert client.get("/api/v1/exports/reports.csv", {"year": "1800"}).status_code == 400
    assert client.get("/api/v1/exports/service_points.csv", {"status": "nonsense"}).status_code == 400


def test_api_export_of_reports_filters_by_status_and_hides_drafts(client, client_for, official, villages):
    own, _foreign = villages
    AnnualReportFactory(village=own[0], year=2023, status=AnnualReport.Status.DRAFT)
    AnnualReportFactory(village=own[1], year=2023, status=AnnualReport.Status.SUBMITTED)
    body = csv_body(client_for(official).get("/api/v1/exports/reports.csv", {"status": "submitted"}))
    assert "371721121202" in body and "371721121201" not in body
    assert "371721121201" not in csv_body(client.get("/api/v1/exports/reports.csv"))


@pytest.mark.parametrize("url", ["/villages/export.csv", "/api/v1/exports/villages.csv", "/villages/export.xlsx"])
def test_export_runs_the_same_queries_for_one_and_fifty_rows(client_for, official, tree, url):
    client = client_for(official)
    VillageFactory(township=tree.town, code="371721121100")
    one = _count_queries(client, f"{url}?county={tree.county.code}")
    for number in range(49):
        VillageFactory(township=tree.town, code=f"371721121{200 + number:03d}")
    assert _count_queries(client, f"{url}?county={tree.county.code}") == one


# Reopen and shop deletion


@pytest.fixture
def approved_report(client_for, reviewer, tree):
    report = AnnualReportFactory(
        village=VillageFactory(township=tree.town, households=800), year=2023, status=AnnualReport.Status.SUBMITTED
    )
    client_for(reviewer).post(reverse("villages:report_review", args=[report.pk]),
                              {"action": "approve", "confirm_warnings": "on"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.APPROVED
    return report


def test_reviewer_sees_the_reopen_form_on_an_approved_report(client_for, reviewer, official, approved_report):
    url = reverse("villages:report_detail", args=[approved_report.pk])
    assert 'value="reopen"' in client_for(reviewer).get(url).content.decode()
    assert 'value="reopen"' not in client_for(official).get(url).content.decode()


def test_reviewer_reopens_an_approved_report_with_a_comment(client_for, reviewer, approved_report):
    response = client_for(reviewer).post(
        reverse("villages:report_review", args=[approved_report.pk]),
        {"action": "reopen", "reopen-comment": "Sales figure was a typo.", "reopen-confirm": "on"},
    )
    approved_report.refresh_from_db()
    assert response.status_code == 302
    assert approved_report.status == AnnualReport.Status.RETURNED and approved_report.reopened
    assert not Assessment.objects.filter(report=approved_report, qualified=True).exists()


def test_reopen_without_comment_is_refused_beside_the_field(client_for, reviewer, approved_report):
    response = client_for(reviewer).post(
        reverse("villages:report_review", args=[approved_report.pk]),
        {"action": "reopen", "reopen-comment": "", "reopen-confirm": "on"},
    )
    approved_report.refresh_from_db()
    assert response.status_code == 400 and approved_report.status == AnnualReport.Status.APPROVED
    assert 'id="field-reopen-comment"' in response.content.decode()
    assert "field-error" in response.content.decode()


def test_official_cannot_reopen_and_sees_a_message_not_a_500(client_for, official, approved_report):
    response = client_for(official).post(
        reverse("villages:report_review", args=[approved_report.pk]),
        {"action": "reopen", "reopen-comment": "x", "reopen-confirm": "on"},
        follow=True,
    )
    approved_report.refresh_from_db()
    assert response.status_code == 200 and approved_report.status == AnnualReport.Status.APPROVED
    assert "message-error" in response.content.decode()


def test_reopening_a_report_that_is_not_approved_shows_the_conflict(client_for, reviewer, approved_report):
    client = client_for(reviewer)
    url = reverse("villages:report_review", args=[approved_report.pk])
    client.post(url, {"action": "reopen", "reopen-comment": "first", "reopen-confirm": "on"})
    response = client.post(url, {"action": "reopen", "reopen-comment": "second", "reopen-confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "Only an approved report can be reopened" in response.content.decode()


@pytest.fixture
def shop(tree):
    shop = OnlineShopFactory(village=VillageFactory(township=tree.town), name="曹县汉服店")
    ShopYearFactory(shop=shop, year=2022)
    ShopYearFactory(shop=shop, year=2023)
    return shop


def test_official_deletes_a_shop_after_a_confirmation_page(client_for, official, shop):
    client = client_for(official)
    detail = client.get(reverse("villages:village_detail", args=[shop.village.code])).content.decode()
    assert reverse("villages:shop_delete", args=[shop.pk]) in detail
    page = client.get(reverse("villages:shop_delete", args=[shop.pk]))
    assert page.status_code == 200 and "曹县汉服店" in page.content.decode()
    assert OnlineShop.objects.filter(pk=shop.pk).exists()
    response = client.post(reverse("villages:shop_delete", args=[shop.pk]))
    assert response.status_code == 302
    assert not OnlineShop.objects.filter(pk=shop.pk).exists() and not ShopYear.objects.exists()


def test_a_shop_out_of_scope_is_404_and_a_reviewer_who_sees_it_gets_403_on_delete(
    client_for, other_official, reviewer, shop
):
    assert client_for(other_official).post(reverse("villages:shop_delete", args=[shop.pk])).status_code == 404
    assert client_for(reviewer).post(reverse("villages:shop_delete", args=[shop.pk])).status_code == 403
    assert OnlineShop.objects.filter(pk=shop.pk).exists()


def test_import_page_and_job_page_are_in_chinese_for_chinese_users(official, tree):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(official)
    page = client.get(reverse("villages:import_upload")).content.decode()
    assert "导入记录" in page and "中文列标题" in page
    client.post(UPLOAD_URL, {"kind": "villages", "file": csv_upload(village_rows(1)), "dry_run": "on"})
    job_page = client.get(reverse("villages:import_job", args=[ImportJob.objects.get().pk])).content.decode()
    assert "新增" in job_page and "确认" in job_page
