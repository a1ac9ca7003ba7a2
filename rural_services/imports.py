"""Import kinds of the service network: county operation centres and village service points."""

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from rural_services import headers as service_headers
from rural_services.models import CountyOperationCenter, ServiceKind, ServicePoint
from villages import codes, headers
from villages.imports import ImportKind, Problem, RowInvalid, register_import_kind
from villages.imports.engine import RowProblems, choice_value, clean_values, require_columns, run_model_clean
from villages.imports.kinds import raw_village_code, village_of, village_refs
from villages.imports.spreadsheets import Column
from villages.models import Division, Village
from villages.selectors.jurisdiction import may_edit_registry

CENTER_FIELDS = ("name", "address", "opened_on", "closed_on", "status")


def _center_resolve(raws, context):
    for raw in raws:
        choice_value(raw, "status", CountyOperationCenter.Status.choices)
    wanted = {raw.get("county", "") for raw in raws}
    # By primary key only, level checked here: SQLite would otherwise scan the (level, parent) index.
    return {
        division.code: division
        for division in Division.objects.filter(code__in=wanted).order_by()
        if division.level == codes.COUNTY
    }


def _center_build(raw, counties, context):
    problems = RowProblems()
    require_columns(raw, "county", "name", problems=problems.found)
    county = counties.get(raw.get("county", ""))
    if county is None and raw.get("county"):
        problems.found.append(Problem("county", _("No county with code %(code)s exists."), {"code": raw["county"]}))
    values = clean_values(CountyOperationCenter, raw, CENTER_FIELDS, problems=problems.found)
    problems.raise_any()
    run_model_clean(CountyOperationCenter(county=county, **values))
    values["county_id"] = county.code
    return (county.code, values["name"]), values, county.code


def _center_existing(keys, context):
    if not keys:
        return {}
    counties = {key[0] for key in keys}
    names = {key[1] for key in keys}
    return {
        (row["county_id"], row["name"]): (row["pk"], row, "")
        for row in CountyOperationCenter.objects.filter(county_id__in=counties, name__in=names).values(
            "pk", "county_id", *CENTER_FIELDS
        )
    }


POINT_FIELDS = ("code", "name", "status", "opened_on", "closed_on", "latitude", "longitude", "partner_name",
                "partner_phone")


def _point_resolve(raws, context):
    for raw in raws:
        choice_value(raw, "status", ServicePoint.Status.choices)
    villages = village_refs(raws, context)
    center_names = {raw.get("county_center", "") for raw in raws} - {""}
    counties = {raw.get("village", "")[:6] for raw in raws}
    centers = {
        (center.county_id, center.name): center
        for center in CountyOperationCenter.objects.filter(county_id__in=counties, name__in=center_names)
    }
    current_villages = {
        code: village_code
        for code, village_code in ServicePoint.objects.filter(
            code__in=[raw.get("code", "") for raw in raws]
        ).values_list("code", "village__code")
    }
    return {
        "villages": villages,
        "centers": centers,
        "services": set(ServiceKind.objects.values_list("code", flat=True)),
        "current_villages": current_villages,
    }


def _services_of(raw, known) -> tuple[str, ...] | None:
    if "services" not in raw:
        return None
    wanted = tuple(sorted({part.strip() for part in raw["services"].replace("，", ",").split(",") if part.strip()}))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise RowInvalid(("services", _("Unknown services: %(codes)s. Known: %(known)s."), {
            "codes": ", ".join(unknown), "known": ", ".join(sorted(known))}))
    return wanted


def _point_build(raw, resolved, context):
    problems = RowProblems()
    require_columns(raw, "code", "name", "village", problems=problems.found)
    village_pk = village_code = None
    if raw.get("village"):
        with problems:
            village_pk, village_code = village_of(raw, resolved["villages"])
    values = clean_values(ServicePoint, raw, POINT_FIELDS, problems=problems.found)
    center = None
    if raw.get("county_center") and village_code:
        center = resolved["centers"].get((village_code[:6], raw["county_center"]))
        if center is None:
            problems.found.append(Problem(
                "county_center", _("No county operation centre named %(name)s in county %(county)s."),
                {"name": raw["county_center"], "county": village_code[:6]}))
    services = None
    with problems:
        services = _services_of(raw, resolved["services"])
    current_village = resolved["current_villages"].get(values.get("code"))
    if current_village is not None and not may_edit_registry(context.user, current_village):
        problems.found.append(Problem(
            "code", _("This service point belongs to village %(code)s, outside your jurisdiction."),
            {"code": current_village}))
    problems.raise_any()
    point = ServicePoint(village=Village(pk=village_pk, code=village_code), county_center=center, **values)
    run_model_clean(point)
    values["village_id"] = village_pk
    if "county_center" in raw:
        values["county_center_id"] = center.pk if center else None
    if services is not None:
        values["services"] = services
    return (values["code"],), values, village_code


def _point_existing(keys, context):
    found = {}
    points = ServicePoint.objects.filter(code__in=[key[0] for key in keys]).values(
        "pk", "village_id", "county_center_id", *POINT_FIELDS)
    rows = {row["pk"]: row for row in points}
    for row in rows.values():
        row["services"] = ()
    through = ServicePoint.services.through
    pairs = through.objects.filter(servicepoint_id__in=list(rows)).values_list("servicepoint_id", "servicekind_id")
    grouped: dict = {}
    for point_id, kind_code in pairs:
        grouped.setdefault(point_id, []).append(kind_code)
    for point_id, kind_codes in grouped.items():
        rows[point_id]["services"] = tuple(sorted(kind_codes))
    for row in rows.values():
        found[(row["code"],)] = (row["pk"], row, "")
    return found


def _point_services_write(rows, context):
    """Replace the services of the written points that carry a services column: two statements per batch."""
    with_services = [row for row in rows if "services" in row.extra]
    if not with_services:
        return
    through = ServicePoint.services.through
    through.objects.filter(servicepoint_id__in=[row.pk for row in with_services]).delete()
    through.objects.bulk_create(
        [
            through(servicepoint_id=row.pk, servicekind_id=code)
            for row in with_services
            for code in row.extra["services"]
        ]
    )


DEGREES = _("decimal degrees")

register_import_kind(ImportKind(
    name="county_centers",
    label=gettext_lazy("county operation centres"),
    model=CountyOperationCenter,
    columns=(
        Column("county", service_headers.COUNTY_CODE, required=True, example="371721",
               note=_("The 6-digit code of a county in your jurisdiction.")),
        Column("name", headers.NAME, required=True, example="曹县农村淘宝县级运营中心",
               note=_("A county and a name together name one centre.")),
        Column("address", service_headers.ADDRESS, example="曹县青菏路 1 号"),
        Column("opened_on", service_headers.OPENED_ON, example="2019-05-01"),
        Column("closed_on", service_headers.CLOSED_ON),
        Column("status", headers.STATUS, example="open"),
    ),
    resolve=_center_resolve,
    build=_center_build,
    existing=_center_existing,
    scope_of=lambda raw, resolved: raw.get("county", ""),
))

register_import_kind(ImportKind(
    name="service_points",
    label=gettext_lazy("village service points"),
    model=ServicePoint,
    columns=(
        Column("code", service_headers.SERVICE_POINT_CODE, required=True, example="CX-DL-001"),
        Column("name", headers.NAME, required=True, example="丁楼村服务站"),
        Column("village", headers.VILLAGE_CODE, required=True, example="371721121288",
               note=_("The 12-digit code of a village already registered in your county.")),
        Column("county_center", service_headers.COUNTY_CENTER, example="曹县农村淘宝县级运营中心",
               note=_("The name of an operation centre registered in the village's county.")),
        Column("services", service_headers.SERVICES, example="assisted_buying,parcel_pickup",
               note=_("Service codes separated by commas: assisted_buying, assisted_selling, bill_payment, "
                      "parcel_pickup, financial_services, training, travel_booking.")),
        Column("status", headers.STATUS, example="open"),
        Column("opened_on", service_headers.OPENED_ON, example="2020-06-01"),
        Column("closed_on", service_headers.CLOSED_ON),
        Column("latitude", headers.LATITUDE, example="34.858000", unit=DEGREES),
        Column("longitude", headers.LONGITUDE, example="115.562000", unit=DEGREES),
        Column("partner_name", service_headers.PARTNER_NAME, example="丁建国"),
        Column("partner_phone", service_headers.PARTNER_PHONE, example="13812345678"),
    ),
    resolve=_point_resolve,
    build=_point_build,
    existing=_point_existing,
    extra_fields=("services",),
    after_write=_point_services_write,
    scope_of=raw_village_code,
))
