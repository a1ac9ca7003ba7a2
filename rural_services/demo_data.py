"""The demo service network: Rural Taobao centres in Cao County and Suining, village points and their months.

Like the villages demo, only missing rows are created (keyed on county and name, point code, point and month),
so loading twice changes nothing. Names, partners and figures are illustrative.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from rural_services.models import CountyOperationCenter, ServiceActivity, ServiceKind, ServicePoint
from villages.demo_data import CHANGE_REASON
from villages.models import Division

ACTIVITY_MONTHS = [datetime.date(year, month, 1) for year in (2023, 2024) for month in range(1, 13)]
SUSPENDED_AFTER = datetime.date(2023, 6, 1)

CENTERS = (
    ("371721", "曹县农村淘宝县级运营中心", "山东省菏泽市曹县青菏街道青年路", datetime.date(2015, 10, 20)),
    ("320324", "睢宁县农村淘宝县级运营中心", "江苏省徐州市睢宁县睢城街道", datetime.date(2015, 8, 6)),
)

ALL_SERVICES = (
    "assisted_buying",
    "assisted_selling",
    "bill_payment",
    "parcel_pickup",
    "financial_services",
    "training",
    "travel_booking",
)


@dataclass(frozen=True)
class DemoPoint:
    village_code: str
    name: str
    status: str
    opened_on: datetime.date | None
    partner_name: str
    partner_phone: str
    latitude: str
    longitude: str
    services: tuple[str, ...]
    closed_on: datetime.date | None = None

    @property
    def code(self) -> str:
        return f"RT-{self.village_code}"


Point = ServicePoint.Status
DEMO_POINTS = (
    DemoPoint("371721121227", "丁楼村农村淘宝服务站", Point.OPEN, datetime.date(2016, 3, 18), "丁秀梅", "13705301227",
              "34.712500", "115.652400", ALL_SERVICES),
    DemoPoint("371721121211", "张庄村农村淘宝服务站", Point.OPEN, datetime.date(2016, 5, 9), "张国强", "15853001211",
              "34.706000", "115.640100", ("assisted_buying", "assisted_selling", "parcel_pickup", "bill_payment")),
    DemoPoint("371721121240", "孙庄村农村淘宝服务站", Point.OPEN, datetime.date(2017, 4, 1), "孙丽", "18653001240",
              "34.721100", "115.661500", ("assisted_buying", "parcel_pickup", "training")),
    DemoPoint("371721121250", "郑庄村农村淘宝服务站", Point.SUSPENDED, datetime.date(2017, 9, 12), "郑伟",
              "13953001250", "34.716600", "115.671000", ("assisted_buying", "parcel_pickup")),
    DemoPoint("371721121273", "李庄村农村淘宝服务站", Point.PLANNED, None, "", "", "34.693900", "115.668100",
              ("parcel_pickup",)),
    DemoPoint("320324109215", "王圩村农村淘宝服务站", Point.OPEN, datetime.date(2015, 11, 2), "王建", "13852009215",
              "34.041400", "117.769500",
              ("assisted_buying", "assisted_selling", "parcel_pickup", "financial_services")),
)


def _ensure_centers() -> dict[str, CountyOperationCenter]:
    existing = {
        center.county_id: center
        for center in CountyOperationCenter.objects.filter(
            county_id__in=[county for county, *_rest in CENTERS], name__in=[name for _county, name, *_rest in CENTERS]
        ).select_related("county")
    }
    counties = Division.objects.in_bulk([county for county, *_rest in CENTERS])
    new = []
    for county_code, name, address, opened_on in CENTERS:
        if county_code in existing:
            continue
        center = CountyOperationCenter(
            county=counties[county_code], name=name, address=address, opened_on=opened_on,
            status=CountyOperationCenter.Status.OPEN,
        )
        center.full_clean(exclude=["county"], validate_unique=False, validate_constraints=False)
        new.append(center)
    CountyOperationCenter.objects.bulk_create(new)
    return {**existing, **{center.county_id: center for center in new}}


def _ensure_points(villages, centers, admin) -> list[ServicePoint]:
    existing = set(
        ServicePoint.objects.filter(code__in=[p.code for p in DEMO_POINTS]).values_list("code", flat=True)
    )
    new_specs = [spec for spec in DEMO_POINTS if spec.code not in existing]
    new = []
    for spec in new_specs:
        point = ServicePoint(
            code=spec.code,
            name=spec.name,
            village=villages[spec.village_code],
            county_center=centers.get(spec.village_code[:6]),
            status=spec.status,
            opened_on=spec.opened_on,
            closed_on=spec.closed_on,
            latitude=Decimal(spec.latitude),
            longitude=Decimal(spec.longitude),
            partner_name=spec.partner_name,
            partner_phone=spec.partner_phone,
        )
        point.full_clean(
            exclude=["village", "county_center"], validate_unique=False, validate_constraints=False
        )
        new.append(point)
    created = bulk_create_with_history(
        new, ServicePoint, default_user=admin, default_change_reason=CHANGE_REASON
    )
    Offered = ServicePoint.services.through
    kinds = ServiceKind.objects.in_bulk(ALL_SERVICES)
    Offered.objects.bulk_create(
        [
            Offered(servicepoint_id=point.pk, servicekind_id=kinds[kind].pk)
            for point, spec in zip(created, new_specs, strict=True)
            for kind in spec.services
        ]
    )
    return list(ServicePoint.objects.filter(code__in=[p.code for p in DEMO_POINTS]).select_related("village"))


def _month_figures(point: ServicePoint, month: datetime.date) -> ServiceActivity:
    """Busier before the Spring Festival and during the Double 11 shopping festival."""
    seed = int(point.village.code[-3:])
    season = {1: 1.4, 2: 1.2, 6: 1.15, 11: 1.6, 12: 1.3}.get(month.month, 1.0)
    growth = 1.0 + 0.1 * (month.year - ACTIVITY_MONTHS[0].year)
    purchases = int((30 + seed % 25) * season * growth)
    return ServiceActivity(
        point=point,
        month=month,
        assisted_purchases=purchases,
        assisted_purchase_value=purchases * (120 + seed % 60),
        produce_sales_value=int((18_000 + 150 * seed) * season * growth),
        parcels=int((400 + 3 * seed) * season * growth),
    )


def _ensure_activity(points) -> None:
    active = [point for point in points if point.status in (Point.OPEN, Point.SUSPENDED)]
    existing = set(ServiceActivity.objects.filter(point__in=active).values_list("point_id", "month"))
    new = [
        _month_figures(point, month)
        for point in active
        for month in ACTIVITY_MONTHS
        if (point.pk, month) not in existing and (point.status == Point.OPEN or month <= SUSPENDED_AFTER)
    ]
    for activity in new:
        activity.full_clean(exclude=["point"], validate_unique=False, validate_constraints=False)
    ServiceActivity.objects.bulk_create(new)


def load_services_demo(*, villages, admin) -> None:
    """Create whatever part of the service-network demo is missing, in one transaction."""
    with transaction.atomic():
        centers = _ensure_centers()
        points = _ensure_points(villages, centers, admin)
        _ensure_activity(points)
