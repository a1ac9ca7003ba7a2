"""The role matrix: every edit and transition, for every kind of caller, does exactly what API.md's table allows."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from rural_services import services as network
from rural_services.models import CountyOperationCenter, ServiceActivity, ServiceKind, ServicePoint
from tests.conftest import make_user
from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    OnlineShopFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    ShopYearFactory,
    VillageFactory,
)
from tests.feed_clients import make_feed_user
from villages.models import (
    ADMINISTRATORS,
    REVIEWERS,
    AnnualReport,
    ImportJob,
    OnlineShop,
    ReviewEvent,
    ShopYear,
    TownshipReport,
    Village,
)
from villages.selectors.jurisdiction import may_enter_data, may_review_reports, users_responsible_for
from villages.selectors.review import review_queue
from villages.selectors.visibility import import_jobs_visible_to, reports_visible_to
from villages.services import registry, reports

Status = AnnualReport.Status

# `data_feed`: a platform's account that may only post figures to the feed, with a feed token; it has no
# rights in the registry's services at all.
ACTORS = ["anonymous", "official", "other_official", "reviewer", "other_reviewer", "administrator", "data_feed"]
EDITORS = {"official", "administrator"}
REVIEWERS_OF_THE_AREA = {"reviewer", "administrator"}
ADMINISTRATORS_ONLY = {"administrator"}


@pytest.fixture
def world(tree):
    setup_admin = make_user("setup_admin", ADMINISTRATORS)
    village = VillageFactory(township=tree.town, code="371721121227")
    approved = AnnualReportFactory(village=village, year=2021, status=Status.SUBMITTED)
    reports.report_approve(report=approved, by=setup_admin)
    center = CountyOperationCenterFactory(county=tree.county)
    point = ServicePointFactory(village=village, county_center=center)
    shop = OnlineShopFactory(village=village)
    return SimpleNamespace(
        tree=tree,
        village=village,
        spare_village=VillageFactory(township=tree.town, code="371721121240"),
        shop=shop,
        shop_year=ShopYearFactory(shop=shop, year=2023),
        draft=AnnualReportFactory(village=village, year=2023),
        township_draft=TownshipReport.objects.create(
            township=tree.town, year=2023, ecommerce_sales=40_000_000, active_shops=400
        ),
        township_submitted=TownshipReport.objects.create(
            township=tree.town, year=2022, ecommerce_sales=40_000_000, active_shops=400, status=Status.SUBMITTED
        ),
        township_approved=TownshipReport.objects.create(
            township=tree.town, year=2021, ecommerce_sales=40_000_000, active_shops=400, status=Status.APPROVED
        ),
        submitted=AnnualReportFactory(village=village, year=2022, status=Status.SUBMITTED),
        approved=AnnualReport.objects.get(pk=approved.pk),
        center=center,
        spare_center=CountyOperationCenterFactory(county=tree.county),
        point=point,
        activity=ServiceActivityFactory(point=point),
    )


OPERATIONS = {
    "village_create": (
        EDITORS,
        lambda by, w: registry.village_create(by=by, code="371721121211", name="张庄村"),
    ),
    "village_update": (
        EDITORS,
        lambda by, w: registry.village_update(village=w.village, by=by, version=1, households=901),
    ),
    "village_delete": (ADMINISTRATORS_ONLY, lambda by, w: registry.village_delete(village=w.spare_village, by=by)),
    "shop_create": (
        EDITORS,
        lambda by, w: registry.shop_create(
            by=by, village=w.village, platform="tmall", platform_shop_id="tm-9", name="天猫店"
        ),
    ),
    "shop_update": (EDITORS, lambda by, w: registry.shop_update(shop=w.shop, by=by, version=1, name="改名")),
    "shop_delete": (EDITORS, lambda by, w: registry.shop_delete(shop=w.shop, by=by)),
    "shop_year_create": (
        EDITORS,
        lambda by, w: registry.shop_year_create(
            by=by, shop=w.shop, year=2022, sales=1, orders_last_3_months=3, days_open=100
        ),
    ),
    "shop_year_update": (
        EDITORS,
        lambda by, w: registry.shop_year_update(shop_year=w.shop_year, by=by, version=1, sales=2),
    ),
    "shop_year_delete": (EDITORS, lambda by, w: registry.shop_year_delete(shop_year=w.shop_year, by=by)),
    "report_create": (
        EDITORS,
        lambda by, w: reports.report_create(
            by=by, village=w.village, year=2020, ecommerce_sales=1, active_shops=1, households=1
        ),
    ),
    "report_update": (
        EDITORS,
        lambda by, w: reports.report_update(report=w.draft, by=by, version=1, active_shops=7),
    ),
    "report_delete": (ADMINISTRATORS_ONLY, lambda by, w: reports.report_delete(report=w.draft, by=by)),
    "report_submit": (EDITORS, lambda by, w: reports.report_submit(report=w.draft, by=by)),
    "report_approve": (REVIEWERS_OF_THE_AREA, lambda by, w: reports.report_approve(report=w.submitted, by=by)),
    "report_return": (
        REVIEWERS_OF_THE_AREA,
        lambda by, w: reports.report_return(report=w.submitted, by=by, comment="请核实"),
    ),
    "report_reopen": (
        REVIEWERS_OF_THE_AREA,
        lambda by, w: reports.report_reopen(report=w.approved, by=by, comment="请核实"),
    ),
    "township_report_create": (
        EDITORS,
        lambda by, w: reports.township_report_create(
            by=by, township=w.tree.town, year=2020, ecommerce_sales=1, active_shops=1
        ),
    ),
    "township_report_update": (
        EDITORS,
        lambda by, w: reports.township_report_update(report=w.township_draft, by=by, version=1, active_shops=7),
    ),
    "township_report_submit": (
        EDITORS,
        lambda by, w: reports.township_report_submit(report=w.township_draft, by=by),
    ),
    "township_report_approve": (
        REVIEWERS_OF_THE_AREA,
        lambda by, w: reports.township_report_approve(report=w.township_submitted, by=by),
    ),
    "township_report_return": (
        REVIEWERS_OF_THE_AREA,
        lambda by, w: reports.township_report_return(report=w.township_submitted, by=by, comment="请核实"),
    ),
    "township_report_reopen": (
        REVIEWERS_OF_THE_AREA,
        lambda by, w: reports.township_report_reopen(report=w.township_approved, by=by, comment="请核实"),
    ),
    "county_center_create": (
        EDITORS,
        lambda by, w: network.county_center_create(by=by, county=w.tree.county, name="曹县运营中心二"),
    ),
    "county_center_update": (
        EDITORS,
        lambda by, w: network.county_center_update(center=w.center, by=by, version=1, address="新地址"),
    ),
    "county_center_delete": (
        ADMINISTRATORS_ONLY,
        lambda by, w: network.county_center_delete(center=w.spare_center, by=by),
    ),
    "service_point_create": (
        EDITORS,
        lambda by, w: network.service_point_create(
            by=by, code="CX-NEW", name="新服务站", village=w.village, services=["parcel_pickup"]
        ),
    ),
    "service_point_update": (
        EDITORS,
        lambda by, w: network.service_point_update(point=w.point, by=by, version=1, partner_name="李四"),
    ),
    "service_point_delete": (ADMINISTRATORS_ONLY, lambda by, w: network.service_point_delete(point=w.point, by=by)),
    "service_activity_create": (
        EDITORS,
        lambda by, w: network.service_activity_create(by=by, point=w.point, month=w.activity.month.replace(month=4)),
    ),
    "service_activity_update": (
        EDITORS,
        lambda by, w: network.service_activity_update(activity=w.activity, by=by, version=1, parcels=1),
    ),
    "service_activity_delete": (
        ADMINISTRATORS_ONLY,
        lambda by, w: network.service_activity_delete(activity=w.activity, by=by),
    ),
}


def _snapshot():
    """Everything a refused call could have touched: row counts, versions and history lengths."""
    models = (
        Village,
        OnlineShop,
        ShopYear,
        AnnualReport,
        TownshipReport,
        CountyOperationCenter,
        ServicePoint,
        ServiceActivity,
    )
    return (
        [model.objects.count() for model in models],
        [sorted(model.objects.values_list("pk", "version")) for model in models],
        [
            model.history.count()
            for model in (Village, OnlineShop, ShopYear, AnnualReport, TownshipReport, ServicePoint)
        ],
        list(AnnualReport.objects.order_by("pk").values_list("status", flat=True)),
        list(TownshipReport.objects.order_by("pk").values_list("status", flat=True)),
        ReviewEvent.objects.count(),
    )


@pytest.fixture
def data_feed(db):
    return make_feed_user()


@pytest.fixture
def actor(request):
    def resolve(name):
        return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)

    return resolve


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_role_matrix(world, actor, operation, actor_name, service_kinds):
    allowed, call = OPERATIONS[operation]
    user = actor(actor_name)

    if actor_name in allowed:
        before = _snapshot()
        call(user, world)
        assert _snapshot() != before, f"{operation} by {actor_name} should have changed something"
    else:
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            call(user, world)
        assert _snapshot() == before, f"{operation} refused to {actor_name} must leave everything as it was"


@pytest.fixture
def service_kinds(db):
    assert ServiceKind.objects.filter(pk="parcel_pickup").exists(), "seeded service kinds are expected"


def test_every_operation_is_in_the_matrix():
    public_services = {
        name
        for module in (registry, reports, network)
        for name in dir(module)
        if name.split("_")[-1] in {"create", "update", "delete", "submit", "approve", "return", "reopen"}
        and callable(getattr(module, name))
        and getattr(module, name).__module__ == module.__name__
    }
    assert public_services == set(OPERATIONS)


@pytest.mark.parametrize(
    ("actor_name", "sees_draft"),
    [
        ("anonymous", False),
        ("official", True),
        ("other_official", False),
        ("reviewer", True),
        ("other_reviewer", False),
        ("administrator", True),
        ("data_feed", False),
    ],
)
def test_drafts_are_visible_in_the_area_only_and_approved_reports_to_everyone(world, actor, actor_name, sees_draft):
    visible = reports_visible_to(actor(actor_name))

    assert visible.filter(pk=world.draft.pk).exists() is sees_draft
    assert visible.filter(pk=world.approved.pk).exists()


def test_review_queue_holds_the_submitted_reports_of_the_reviewers_area_only(world, reviewer, other_reviewer):
    assert list(review_queue(reviewer)) == [world.submitted]
    assert list(review_queue(other_reviewer)) == []


def test_reviewers_responsible_for_a_village_are_those_of_its_province_and_prefecture(world, tree, reviewer):
    prefecture_reviewer = make_user("prefecture_reviewer", REVIEWERS, [tree.prefecture])
    make_user("other_reviewer_2", REVIEWERS, [tree.other_province])
    make_user("county_official_2", "county_official", [tree.county])

    responsible = set(users_responsible_for(world.village.code, REVIEWERS))

    assert responsible == {reviewer, prefecture_reviewer}


@pytest.mark.parametrize("actor_name", ACTORS)
def test_only_officials_and_administrators_enter_data_and_only_reviewers_and_administrators_review(
    db, tree, actor, actor_name
):
    """Roles only, whatever the area: the area is `may_edit_registry` / `may_review`."""
    user = actor(actor_name)
    assert may_enter_data(user) is (actor_name in {"official", "other_official", "administrator"})
    assert may_review_reports(user) is (actor_name in {"reviewer", "other_reviewer", "administrator"})


def test_a_logged_in_user_without_a_role_neither_enters_data_nor_reviews(db):
    user = make_user("no_role")
    assert not may_enter_data(user) and not may_review_reports(user)


def test_import_jobs_are_seen_by_their_uploader_and_by_administrators_only(official, other_official, administrator):
    own = ImportJob.objects.create(uploaded_by=official, kind="villages", file_name="mine.csv")
    other = ImportJob.objects.create(uploaded_by=other_official, kind="villages", file_name="theirs.csv")
    assert list(import_jobs_visible_to(official)) == [own]
    assert set(import_jobs_visible_to(administrator)) == {own, other}
