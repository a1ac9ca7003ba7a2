"""Spreadsheet imports: dry run then confirm, all or nothing, jurisdiction, locked reports, idempotency."""


import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from rural_services.models import ServiceKind, ServicePoint
from tests.factories import AnnualReportFactory, CountyOperationCenterFactory, OnlineShopFactory, VillageFactory
from villages.models import AnnualReport, ImportJob, OnlineShop, ShopYear, Village
from villages.services.errors import ConflictError
from villages.services.imports import import_job_confirm, import_job_create


def csv_upload(text, name="data.csv", encoding="utf-8-sig"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def village_rows(count, township="371721121", start=200):
    lines = ["村代码,名称,户数,人口"]
    lines += [f"{township}{start + n:03d},测试村{n},{100 + n},{400 + n}" for n in range(count)]
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_dry_run_counts_new_rows_and_changes_nothing(official):
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(village_rows(3)))
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.created_count, job.updated_count, job.unchanged_count, job.invalid_count) == (3, 0, 0, 0)
    assert Village.objects.count() == 0


@pytest.mark.django_db
def test_confirm_applies_the_checked_file_and_records_history(official):
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(village_rows(3)))
    job = import_job_confirm(job=job, by=official)
    assert job.status == ImportJob.Status.APPLIED
    village = Village.objects.get(code="371721121201")
    assert (village.name, village.households, village.committee_type, village.version) == (
        "测试村1", 101, Village.CommitteeType.VILLAGE_COMMITTEE, 1)
    assert village.history.count() == 1
    assert village.history.first().history_user == official


@pytest.mark.django_db
def test_same_file_twice_changes_nothing_the_second_time(official):
    import_job_create(user=official, kind="villages", uploaded_file=csv_upload(village_rows(5)), dry_run=False)
    before = list(Village.objects.values_list("code", "version", "updated_at"))
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(village_rows(5)), dry_run=False)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 5)
    assert list(Village.objects.values_list("code", "version", "updated_at")) == before


@pytest.mark.django_db
def test_changed_row_updates_and_raises_version(official, tree):
    VillageFactory(township=tree.town, code="371721121200", name="旧名", households=10)
    job = import_job_create(
        user=official, kind="villages", uploaded_file=csv_upload("code,name,households\n371721121200,新名,20\n"),
        dry_run=False,
    )
    assert job.updated_count == 1
    village = Village.objects.get(code="371721121200")
    assert (village.name, village.households, village.version) == ("新名", 20, 2)


@pytest.mark.django_db
def test_one_bad_row_in_a_thousand_changes_nothing(official, tree):
    lines = village_rows(1000, start=0).splitlines()
    lines[500] = lines[500].replace(",", ",", 1).rsplit(",", 2)[0] + ",-5,100"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload("\n".join(lines)),
                            dry_run=False)
    assert job.status == ImportJob.Status.REJECTED
    assert job.invalid_count == 1
    assert job.errors[0]["row"] == 501
    assert job.errors[0]["column"] in ("Households", "户数")
    assert Village.objects.count() == 0


@pytest.mark.django_db
def test_rows_of_another_county_are_refused(official, tree):
    text = "code,name\n371721121200,本县村\n320324109200,外县村\n"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    assert job.invalid_count == 1
    assert job.errors[0]["row"] == 3
    assert "outside your jurisdiction" in job.errors[0]["message"]


@pytest.mark.django_db
def test_reviewer_may_not_import(reviewer):
    with pytest.raises(PermissionDenied):
        import_job_create(user=reviewer, kind="villages", uploaded_file=csv_upload(village_rows(1)))


@pytest.mark.django_db
def test_invalid_values_are_reported_with_row_column_and_message(official, tree):
    text = "code,name,households,latitude\n371721121200,甲村,abc,\n371721121201,,5,\n999999999200,丙村,1,\n"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    problems = {(error["row"], error["column"]) for error in job.errors}
    assert (2, "Households") in problems or (2, "户数") in problems
    assert any(row == 3 for row, _column in problems)
    assert any(row == 4 for row, _column in problems)
    assert job.invalid_count == 3


@pytest.mark.django_db
def test_duplicate_key_in_the_file_is_invalid(official, tree):
    text = "code,name\n371721121200,甲村\n371721121200,乙村\n"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    assert job.invalid_count == 1
    assert "row 2" in job.errors[0]["message"]


@pytest.mark.django_db
def test_approved_report_is_never_changed(official, tree):
    village = VillageFactory(township=tree.town, code="371721121200")
    approved = AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.APPROVED,
                                   ecommerce_sales=12_000_000)
    text = "village,year,ecommerce_sales,active_shops,households\n371721121200,2023,99000000,120,800\n"
    job = import_job_create(user=official, kind="reports", uploaded_file=csv_upload(text), dry_run=False)
    assert job.status == ImportJob.Status.REJECTED
    assert "cannot be changed" in job.errors[0]["message"]
    approved.refresh_from_db()
    assert approved.ecommerce_sales == 12_000_000


@pytest.mark.django_db
def test_reports_import_creates_drafts_by_the_uploader(official, tree):
    VillageFactory(township=tree.town, code="371721121200")
    text = "村代码,年份,电商销售额（元）,活跃网店数,户数\n371721121200,2023,15000000,130,900\n"
    import_job_create(user=official, kind="reports", uploaded_file=csv_upload(text), dry_run=False)
    report = AnnualReport.objects.get()
    assert (report.status, report.created_by, report.ecommerce_sales) == ("draft", official, 15_000_000)


@pytest.mark.django_db
def test_shops_and_shop_years_import(official, tree):
    VillageFactory(township=tree.town, code="371721121200")
    shops = "village,platform,platform_shop_id,name,opened_on\n371721121200,Taobao,T-1,服装店,2019-05-01\n"
    job = import_job_create(user=official, kind="shops", uploaded_file=csv_upload(shops), dry_run=False)
    assert job.status == ImportJob.Status.APPLIED, job.errors
    shop = OnlineShop.objects.get()
    assert (shop.platform, str(shop.opened_on)) == ("taobao", "2019-05-01")
    years = "platform,platform_shop_id,year,sales,orders_last_3_months,days_open\ntaobao,T-1,2023,500000,40,365\n"
    job = import_job_create(user=official, kind="shop_years", uploaded_file=csv_upload(years), dry_run=False)
    assert job.status == ImportJob.Status.APPLIED, job.errors
    assert ShopYear.objects.get().sales == 500_000


@pytest.mark.django_db
def test_shop_registered_in_another_county_cannot_be_moved(official, tree):
    OnlineShopFactory(village=VillageFactory(township=tree.other_town, code="320324109200"),
                      platform="taobao", platform_shop_id="X-1")
    VillageFactory(township=tree.town, code="371721121200")
    shops = "village,platform,platform_shop_id,name\n371721121200,taobao,X-1,抢来的店\n"
    job = import_job_create(user=official, kind="shops", uploaded_file=csv_upload(shops))
    assert job.invalid_count == 1
    assert "outside your jurisdiction" in job.errors[0]["message"]


@pytest.mark.django_db
def test_county_centres_and_service_points_import(official, tree):
    VillageFactory(township=tree.town, code="371721121200")
    centres = "county,name,status\n371721,曹县运营中心,open\n"
    job = import_job_create(user=official, kind="county_centers", uploaded_file=csv_upload(centres), dry_run=False)
    assert job.status == ImportJob.Status.APPLIED, job.errors
    points = ("code,name,village,county_center,services,partner_phone\n"
              "SP-1,丁楼服务站,371721121200,曹县运营中心,,13812345678\n")
    job = import_job_create(user=official, kind="service_points", uploaded_file=csv_upload(points), dry_run=False)
    assert job.status == ImportJob.Status.APPLIED, job.errors
    point = ServicePoint.objects.get()
    assert point.county_center.name == "曹县运营中心"
    again = import_job_create(user=official, kind="service_points", uploaded_file=csv_upload(points), dry_run=False)
    assert again.unchanged_count == 1


@pytest.mark.django_db
def test_service_point_with_centre_of_another_county_is_invalid(official, tree):
    VillageFactory(township=tree.town, code="371721121200")
    CountyOperationCenterFactory(county=tree.second_county, name="单县中心")
    points = "code,name,village,county_center\nSP-2,站,371721121200,单县中心\n"
    job = import_job_create(user=official, kind="service_points", uploaded_file=csv_upload(points))
    assert job.invalid_count == 1


@pytest.mark.django_db
def test_confirm_refuses_a_dry_run_with_invalid_rows(official, tree):
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload("code,name\n1,x\n"))
    with pytest.raises(ConflictError):
        import_job_confirm(job=job, by=official)


@pytest.mark.django_db
def test_large_file_runs_as_a_task_after_commit_and_stores_progress(
    official, tree, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(village_rows(50)))
        assert job.status == ImportJob.Status.PENDING
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.progress, job.rows_processed, job.created_count) == (100, 50, 50)




@pytest.mark.django_db
def test_the_same_invalid_cell_is_reported_on_every_row_it_appears_in(official, tree):
    text = "code,name,households\n" + "".join(
        f"37172112120{n},村{n},{households}\n" for n, households in enumerate(["7", "0", "7", "0", "0"])
    )
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    assert job.invalid_count == 3
    assert [error["row"] for error in job.errors] == [3, 5, 6]


@pytest.mark.django_db
def test_a_cell_valid_in_one_column_is_still_checked_in_another(official, tree):
    # "0" passes for population (no minimum) and must still fail for households (at least 1), row after row.
    text = "code,name,population,households\n371721121200,甲村,0,3\n371721121201,乙村,0,0\n"
    job = import_job_create(user=official, kind="villages", uploaded_file=csv_upload(text))
    assert job.invalid_count == 1
    assert job.errors[0]["row"] == 3
    assert job.errors[0]["column"] in ("Households", "户数")


@pytest.mark.django_db
def test_new_instance_holds_what_the_constructor_would(tree):
    from villages.imports.engine import new_instance

    cases = [
        (Village, {"code": "371721121200", "name": "甲村", "township_id": tree.town.code, "households": 3}),
        (OnlineShop, {"platform": "taobao", "platform_shop_id": "s1", "name": "店", "village_id": 1}),
        (ShopYear, {"year": 2024, "sales": 5, "shop_id": 1}),
        (AnnualReport, {"year": 2024, "ecommerce_sales": 1, "active_shops": 2, "households": 3, "village_id": 1}),
    ]
    for model, values in cases:
        built, constructed = new_instance(model, values), model(**values)
        assert type(built) is model
        assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
            k: v for k, v in constructed.__dict__.items() if k != "_state"}
        assert built._state.adding and built._state.db is None


@pytest.mark.django_db
def test_history_rows_are_written_for_every_village_of_every_batch(official, tree):
    from villages.imports.engine import run_import
    from villages.imports.kinds import VILLAGES
    from villages.imports.spreadsheets import open_sheet

    sheet = open_sheet(csv_upload(village_rows(7)), name="v.csv", columns=VILLAGES.columns)
    counts = run_import(sheet, kind=VILLAGES, user=official, apply=True, batch_size=3)
    assert counts.created == 7
    history = Village.history.model.objects.all()
    assert history.count() == 7
    assert {row.history_user_id for row in history} == {official.pk}
    assert sorted(history.values_list("id", flat=True)) == sorted(Village.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_its_rows(official, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from villages.imports.engine import run_import
    from villages.imports.kinds import VILLAGES
    from villages.imports.spreadsheets import open_sheet

    def queries_for(rows, start):
        sheet = open_sheet(csv_upload(village_rows(rows, start=start)), name="v.csv", columns=VILLAGES.columns)
        with CaptureQueriesContext(connection) as captured:
            run_import(sheet, kind=VILLAGES, user=official, apply=True)
        return len(captured)

    queries_for(1, start=50)  # the first import caches the uploader's role and jurisdiction on the user
    assert queries_for(5, start=100) == queries_for(400, start=500)


@pytest.mark.django_db
def test_a_service_point_import_keeps_its_services_in_the_history(official, tree):
    VillageFactory(township=tree.town, code="371721121200")
    kinds = sorted(ServiceKind.objects.values_list("code", flat=True))[:3]

    def import_services(*codes):
        points = f'code,name,village,services\nSP-1,丁楼服务站,371721121200,"{",".join(codes)}"\n'
        job = import_job_create(user=official, kind="service_points", uploaded_file=csv_upload(points), dry_run=False)
        assert job.status == ImportJob.Status.APPLIED, job.errors

    def services_of(record):
        return sorted(record.services.values_list("servicekind_id", flat=True))

    import_services(kinds[0], kinds[1])
    import_services(kinds[2])

    point = ServicePoint.objects.get()
    created, changed = point.history.order_by("history_id")
    assert (created.history_type, services_of(created)) == ("+", kinds[:2])
    assert (changed.history_type, services_of(changed)) == ("~", kinds[2:])
    assert sorted(point.services.values_list("code", flat=True)) == kinds[2:]
