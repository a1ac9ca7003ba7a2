"""The villages app's import kinds: villages, online shops, shop yearly figures and annual reports."""

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from villages import codes, headers
from villages.imports import FILE_COLUMN, ImportKind, Problem, RowInvalid, register_import_kind
from villages.imports.engine import (
    RowProblems,
    choice_value,
    clean_values,
    new_instance,
    require_columns,
    run_model_clean,
)
from villages.imports.spreadsheets import Column
from villages.models import AnnualReport, Division, OnlineShop, ShopYear, Village
from villages.selectors.jurisdiction import may_edit_registry


def village_refs(raws, context):
    wanted = {raw.get("village", "") for raw in raws}
    return {
        code: (pk, code)
        for pk, code in Village.objects.filter(code__in=[code for code in wanted if code]).values_list("pk", "code")
    }


NO_VILLAGE = _("No village with code %(code)s is registered.")


def village_of(raw, resolved) -> tuple:
    code = raw.get("village", "")
    found = resolved.get(code)
    if found is None:
        raise RowInvalid(("village", NO_VILLAGE, {"code": code or "—"}))
    return found


def raw_village_code(raw, resolved) -> str:
    """The village a row names, as typed: whose jurisdiction it falls in even when the row is invalid."""
    return raw.get("village", "")


VILLAGE_FIELDS = ("code", "name", "households", "population", "urban_rural_code", "latitude", "longitude",
                  "main_products")


def _village_resolve(raws, context):
    """The township codes among the batch's code prefixes.

    Looked up by primary key only, the level checked here: with `level = 'township'` in the WHERE clause,
    SQLite's planner picks the (level, parent) index and scans every township in the country per batch.
    """
    townships = {raw.get("code", "")[:9] for raw in raws}
    return {
        code
        for code, level in Division.objects.filter(code__in=townships).order_by().values_list("code", "level")
        if level == codes.TOWNSHIP
    }


def _village_build(raw, townships, context):
    problems = RowProblems()
    require_columns(raw, "code", "name", problems=problems.found)
    values = clean_values(Village, raw, VILLAGE_FIELDS, context.memo, problems=problems.found)
    code = values.get("code")
    if code and code[:9] not in townships:
        problems.found.append(Problem("code", _("No township %(township)s exists for village code %(code)s."), {
            "township": code[:9], "code": code}))
    problems.raise_any()
    instance = new_instance(Village, {"township_id": code[:9], **values})
    run_model_clean(instance)
    values["township_id"] = code[:9]
    values["committee_type"] = instance.committee_type
    return (code,), values, code


def _village_existing(keys, context):
    fields = [*VILLAGE_FIELDS, "township_id", "committee_type"]
    return {
        (row["code"],): (row["pk"], row, "")
        for row in Village.objects.filter(code__in=[key[0] for key in keys]).order_by().values("pk", *fields)
    }


SHOP_FIELDS = ("platform", "platform_shop_id", "name", "category", "opened_on", "closed_on")


def _shop_existing_by_keys(keys):
    platforms = {key[0] for key in keys}
    shop_ids = {key[1] for key in keys}
    return {
        (row["platform"], row["platform_shop_id"]): row
        for row in OnlineShop.objects.filter(platform__in=platforms, platform_shop_id__in=shop_ids).values(
            "pk", "village_id", "village__code", *SHOP_FIELDS
        )
    }


def _shop_resolve(raws, context):
    for raw in raws:
        choice_value(raw, "platform", OnlineShop.Platform.choices)
    return {
        "villages": village_refs(raws, context),
        "shops": _shop_existing_by_keys([(raw.get("platform", ""), raw.get("platform_shop_id", "")) for raw in raws]),
    }


def _shop_build(raw, resolved, context):
    problems = RowProblems()
    require_columns(raw, "village", "platform", "platform_shop_id", "name", problems=problems.found)
    village_pk = village_code = None
    if raw.get("village"):
        with problems:
            village_pk, village_code = village_of(raw, resolved["villages"])
    values = clean_values(OnlineShop, raw, SHOP_FIELDS, context.memo, problems=problems.found)
    current = resolved["shops"].get((values.get("platform"), values.get("platform_shop_id")))
    if current is not None and not may_edit_registry(context.user, current["village__code"]):
        problems.found.append(Problem("platform_shop_id", _(
            "This shop is registered to village %(code)s, outside your jurisdiction."), {
            "code": current["village__code"]}))
    problems.raise_any()
    run_model_clean(new_instance(OnlineShop, {"village_id": village_pk, **values}))
    key = (values["platform"], values["platform_shop_id"])
    values["village_id"] = village_pk
    return key, values, village_code


def _shop_existing(keys, context):
    return {key: (row["pk"], row, "") for key, row in _shop_existing_by_keys(keys).items()}


SHOP_YEAR_FIELDS = ("year", "sales", "orders_last_3_months", "days_open")


def _shop_year_resolve(raws, context):
    for raw in raws:
        choice_value(raw, "platform", OnlineShop.Platform.choices)
    return _shop_existing_by_keys([(raw.get("platform", ""), raw.get("platform_shop_id", "")) for raw in raws])


def _shop_year_build(raw, shops, context):
    problems = RowProblems()
    require_columns(raw, "platform", "platform_shop_id", "year", problems=problems.found)
    shop = shops.get((raw.get("platform", ""), raw.get("platform_shop_id", "")))
    if shop is None and raw.get("platform") and raw.get("platform_shop_id"):
        problems.found.append(Problem(
            "platform_shop_id", _("No shop %(id)s is registered on platform %(platform)s."),
            {"id": raw["platform_shop_id"], "platform": raw["platform"]}))
    values = clean_values(ShopYear, raw, SHOP_YEAR_FIELDS, context.memo, problems=problems.found)
    problems.raise_any()
    run_model_clean(new_instance(ShopYear, {"shop_id": shop["pk"], **values}))
    values["shop_id"] = shop["pk"]
    return (shop["pk"], values["year"]), values, shop["village__code"]


def _shop_year_existing(keys, context):
    shop_ids = {key[0] for key in keys}
    years = {key[1] for key in keys}
    return {
        (row["shop_id"], row["year"]): (row["pk"], row, "")
        for row in ShopYear.objects.filter(shop_id__in=shop_ids, year__in=years).values(
            "pk", "shop_id", *SHOP_YEAR_FIELDS)
    }


REPORT_FIELDS = ("year", "ecommerce_sales", "active_shops", "households")


def _shop_year_scope(raw, shops) -> str:
    shop = shops.get((raw.get("platform", ""), raw.get("platform_shop_id", "")))
    return shop["village__code"] if shop else ""


def _report_build(raw, villages, context):
    problems = RowProblems()
    require_columns(raw, "village", "year", "ecommerce_sales", "active_shops", "households",
                    problems=problems.found)
    village_pk = village_code = None
    if raw.get("village"):
        with problems:
            village_pk, village_code = village_of(raw, villages)
    values = clean_values(AnnualReport, raw, REPORT_FIELDS, context.memo, problems=problems.found)
    problems.raise_any()
    run_model_clean(new_instance(AnnualReport, {"village_id": village_pk, **values}))
    values["village_id"] = village_pk
    values["created_by_id"] = getattr(context.user, "pk", None)
    return (village_pk, values["year"]), values, village_code


def _report_existing(keys, context):
    village_ids = {key[0] for key in keys}
    years = {key[1] for key in keys}
    found = {}
    for row in AnnualReport.objects.filter(village_id__in=village_ids, year__in=years).values(
        "pk", "village_id", "status", *REPORT_FIELDS
    ):
        locked = ""
        if row["status"] not in AnnualReport.EDITABLE_STATUSES:
            locked = Problem(FILE_COLUMN, _(
                "The %(year)s report of this village is %(status)s and cannot be changed by an import."), {
                "year": row["year"], "status": AnnualReport.Status(row["status"]).label})
        found[(row["village_id"], row["year"])] = (row["pk"], row, locked)
    return found


YUAN = _("RMB yuan, a whole number")
DEGREES = _("decimal degrees")
DAYS = _("days")
REGISTERED_VILLAGE = _("The 12-digit code of a village already registered in your county.")
PLATFORM_NOTE = _("The platform and its shop ID together name one shop.")

VILLAGES = register_import_kind(ImportKind(
    name="villages",
    label=gettext_lazy("villages"),
    model=Village,
    columns=(
        Column("code", headers.VILLAGE_CODE, required=True, example="371721121288",
               note=_("A new code registers a village; an existing one updates it.")),
        Column("name", headers.NAME, required=True, example="丁楼村"),
        Column("households", headers.HOUSEHOLDS, example="860"),
        Column("population", headers.POPULATION, example="3200"),
        Column("urban_rural_code", headers.URBAN_RURAL_CODE, example="220"),
        Column("latitude", headers.LATITUDE, example="34.858000", unit=DEGREES),
        Column("longitude", headers.LONGITUDE, example="115.562000", unit=DEGREES),
        Column("main_products", headers.MAIN_PRODUCTS, example="演出服"),
    ),
    resolve=_village_resolve,
    build=_village_build,
    existing=_village_existing,
    key_field="code",
    insert_only=("township_id", "committee_type"),
    scope_of=lambda raw, resolved: raw.get("code", ""),
))

SHOPS = register_import_kind(ImportKind(
    name="shops",
    label=gettext_lazy("online shops"),
    model=OnlineShop,
    columns=(
        Column("village", headers.VILLAGE_CODE, required=True, example="371721121288", note=REGISTERED_VILLAGE),
        Column("platform", headers.PLATFORM, required=True, example="taobao", note=PLATFORM_NOTE),
        Column("platform_shop_id", headers.SHOP_ID, required=True, example="58012345"),
        Column("name", headers.SHOP_NAME, required=True, example="丁楼演出服饰店"),
        Column("category", headers.CATEGORY, example="服装"),
        Column("opened_on", headers.SHOP_OPENED_ON, example="2021-03-01"),
        Column("closed_on", headers.SHOP_CLOSED_ON, note=_("Leave empty while the shop is open.")),
    ),
    resolve=_shop_resolve,
    build=_shop_build,
    existing=_shop_existing,
    scope_of=raw_village_code,
))

SHOP_YEARS = register_import_kind(ImportKind(
    name="shop_years",
    label=gettext_lazy("shop yearly figures"),
    model=ShopYear,
    columns=(
        Column("platform", headers.PLATFORM, required=True, example="taobao", note=PLATFORM_NOTE),
        Column("platform_shop_id", headers.SHOP_ID, required=True, example="58012345",
               note=_("A shop already registered (import the shops first).")),
        Column("year", headers.YEAR, required=True, example="2024"),
        Column("sales", headers.SALES, example="1200000", unit=YUAN),
        Column("orders_last_3_months", headers.ORDERS_LAST_3_MONTHS, example="310"),
        Column("days_open", headers.DAYS_OPEN, example="300", unit=DAYS),
    ),
    resolve=_shop_year_resolve,
    build=_shop_year_build,
    existing=_shop_year_existing,
    scope_of=_shop_year_scope,
))

REPORTS = register_import_kind(ImportKind(
    name="reports",
    label=gettext_lazy("annual reports"),
    model=AnnualReport,
    columns=(
        Column("village", headers.VILLAGE_CODE, required=True, example="371721121288", note=REGISTERED_VILLAGE),
        Column("year", headers.YEAR, required=True, example="2024",
               note=_("One report per village and year; a submitted or approved report is not changed.")),
        Column("ecommerce_sales", headers.ECOMMERCE_SALES, required=True, example="12000000", unit=YUAN),
        Column("active_shops", headers.ACTIVE_SHOPS, required=True, example="120"),
        Column("households", headers.HOUSEHOLDS, required=True, example="860"),
    ),
    resolve=village_refs,
    build=_report_build,
    existing=_report_existing,
    insert_only=("created_by_id",),
    scope_of=raw_village_code,
))
