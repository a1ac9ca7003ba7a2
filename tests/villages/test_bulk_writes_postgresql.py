"""On PostgreSQL the bulk writes go through COPY and end exactly where the executemany path (SQLite's) ends."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction

from rural_services.models import ServiceKind, ServicePoint
from tests.factories import VillageFactory
from villages.imports import bulk_writes
from villages.models import OnlineShop, ShopYear, Village
from villages.services.imports import import_job_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

NATIONAL_LIST = (
    "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    "371721121200,改名村,371721121,37,3717,371721\n"
    "371721121201,新村,371721121,37,3717,371721\n"
    "371721121202,全新村,371721121,37,3717,371721\n"
)


def upload(text):
    return SimpleUploadedFile("data.csv", text.encode("utf-8"), content_type="text/csv")


def import_everything(official, tree):
    """Staff imports that create and change villages, shops, shop years and points; then the national list."""
    VillageFactory(township=tree.town, code="371721121200", name="旧名", households=10)
    ServiceKind.objects.get_or_create(code="parcels", defaults={"name": "快递收发"})
    files = [
        ("villages", "code,name,households\n371721121200,新名,20\n371721121201,新村,30\n"),
        ("shops", "village,platform,platform_shop_id,name\n371721121200,taobao,T-1,服装店\n"),
        ("shop_years", "platform,platform_shop_id,year,sales,orders_last_3_months,days_open\n"
                       "taobao,T-1,2023,500000,40,365\n"),
        ("shops", "village,platform,platform_shop_id,name\n371721121200,taobao,T-1,改名店\n"),
        ("county_centers", "county,name,status\n371721,曹县运营中心,open\n"),
        ("service_points", "code,name,village,county_center,services\nSP-1,丁楼服务站,371721121200,曹县运营中心,\n"),
        ("service_points", "code,name,village,county_center,services\n"
                           "SP-1,丁楼服务站,371721121200,曹县运营中心,parcels\n"),
    ]
    for kind, text in files:
        job = import_job_create(user=official, kind=kind, uploaded_file=upload(text), dry_run=False)
        assert job.invalid_count == 0, job.errors


def without_job_number(reason):
    return re.sub(r"[0-9]+", "N", reason or "")


def services_of(historical_point):
    return sorted(kind.servicekind_id for kind in historical_point.services.all())


def end_state():
    """Every written row and history row, without the keys, timestamps and job numbers that differ between runs."""
    village_history = Village.history.values_list(
        "code", "name", "households", "version", "history_type", "history_user_id", "history_change_reason")
    return {
        "villages": sorted(Village.objects.values_list("code", "name", "households", "committee_type", "version")),
        "village history": sorted((*row[:-1], without_job_number(row[-1])) for row in village_history),
        "shops": sorted(OnlineShop.objects.values_list("platform_shop_id", "name", "village__code", "version")),
        "shop history": sorted(OnlineShop.history.values_list("platform_shop_id", "name", "history_type", "version")),
        "shop years": sorted(ShopYear.objects.values_list("shop__platform_shop_id", "year", "sales", "version")),
        "points": sorted(ServicePoint.objects.values_list("code", "name", "county_center__name", "version")),
        "point history": sorted(
            (point.code, point.history_type, point.version, services_of(point))
            for point in ServicePoint.history.all()
        ),
    }


def run_and_roll_back(official, tree, national_list) -> dict:
    with transaction.atomic():
        import_everything(official, tree)
        call_command("import_villages", national_list, stdout=io.StringIO(), stderr=io.StringIO())
        state = end_state()
        transaction.set_rollback(True)
    return state


@pytest.fixture
def national_list(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text(NATIONAL_LIST, encoding="utf-8")
    return str(path)


def test_writes_go_through_copy_and_end_like_the_executemany_path(official, tree, national_list, monkeypatch):
    copied = []

    def spy(cursor, table, columns, rows):
        rows = list(rows)
        copied.append((table, len(rows)))
        return copy_rows(cursor, table, columns, rows)

    copy_rows = bulk_writes.copy_rows
    monkeypatch.setattr(bulk_writes, "copy_rows", spy)
    by_copy = run_and_roll_back(official, tree, national_list)
    tables = {table for table, _rows in copied}
    monkeypatch.setattr(bulk_writes, "_uses_copy", lambda: False)
    copied.clear()
    by_executemany = run_and_roll_back(official, tree, national_list)

    assert {"villages_village", "staging_villages_village", "villages_onlineshop", "villages_shopyear"} <= tables
    assert copied == []
    assert by_copy == by_executemany
    assert ("371721121200", "改名村", 20, "village_committee", 3) in by_copy["villages"]
    assert ("371721121202", "全新村", None, "village_committee", 1) in by_copy["villages"]
    assert ("371721121202", "全新村", None, 1, "+", None, "import_villages") in by_copy["village history"]
    assert ("SP-1", "~", 2, ["parcels"]) in by_copy["point history"]
