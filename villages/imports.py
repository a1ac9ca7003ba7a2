"""Set-based spreadsheet imports: validate every row like a form would, then write whole batches at once.

An import kind says which model a sheet fills, its columns, its natural key and how to look up what rows
refer to. The engine streams the sheet in batches; per batch it loads the existing records and referenced
objects in one query each, validates each row with the model's own field validators and `clean()` (no query
per row), checks the uploader's jurisdiction through `villages.selectors.jurisdiction`, and sorts the rows
into new, updated, unchanged and invalid. A dry run stops there. Applying writes each batch with
`villages.bulk_writes` inside one transaction that is rolled back if any row anywhere in the file is invalid.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import codes
from villages.bulk_writes import HISTORY_CHANGED, HISTORY_CREATED, insert_rows, record_history, update_rows
from villages.models import AnnualReport, Division, OnlineShop, ShopYear, Village
from villages.selectors.jurisdiction import may_edit_registry
from villages.spreadsheets import Column, Sheet

BATCH_SIZE = 2000
FILE_COLUMN = ""
MEMO_LIMIT = 10_000
_NOT_SEEN = object()
_NO_MEMO: dict = {}

NEW, UPDATED, UNCHANGED, INVALID = "created", "updated", "unchanged", "invalid"


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowInvalid(Exception):
    """A row that cannot be imported; carries one or more (column, message) pairs."""

    def __init__(self, *problems: tuple[str, str]):
        self.problems = problems
        super().__init__(problems)


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class PreparedRow:
    """A valid row: the model values it sets, the existing record's pk if any, and its outcome."""

    row_number: int
    key: tuple
    values: dict
    pk: object = None
    outcome: str = NEW
    extra: dict = field(default_factory=dict)


@dataclass
class ImportKind:
    """What one kind of sheet fills and how its rows are matched, resolved and scoped.

    `resolve(rows, context)` loads, in a few queries, whatever a batch of raw rows refers to;
    `build(raw, resolved, context)` turns one raw row into model values (raising RowInvalid) and returns
    (natural key, values, code used for the jurisdiction check); `existing(keys, context)` loads the
    current records of a batch as {key: (pk, values, locked message or "")}. `key_field`, when the natural
    key is one unique column, lets the history rows of inserted records be copied by that column, without
    reading their new primary keys back first.
    """

    name: str
    label: object
    model: type
    columns: tuple[Column, ...]
    resolve: Callable
    build: Callable
    existing: Callable
    insert_only: tuple[str, ...] = ()
    extra_fields: tuple[str, ...] = ()
    after_write: Callable | None = None
    key_field: str = ""

    def column_label(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return column.chinese if translation.get_language() and translation.get_language().startswith(
                    "zh"
                ) else column.english
        return field_name


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.name] = kind
    return kind


def import_kind(name: str) -> ImportKind:
    try:
        return IMPORT_KINDS[name]
    except KeyError:
        raise ValidationError(
            {"kind": _("Unknown import kind %(kind)s; choose one of %(kinds)s.") % {
                "kind": name, "kinds": ", ".join(sorted(IMPORT_KINDS))}}
        ) from None


# Field-level cleaning with the model's own validators -------------------------------------------------------


def _message_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def clean_value(model, field_name: str, raw: str, memo: dict | None = None):
    """The Python value of one cell, checked by the model field's to_python, choices, blank rule and validators.

    `memo` (one per import, {model: {field: {cell text: value}}}) remembers the values of cells that passed,
    so that the 100,000th "服装" in a column is not checked again: a field's cleaning depends on the cell text
    only (no instance is passed, so no validator can look at other columns or the database). Failures are
    never remembered, so every invalid cell is checked, and reported in the language of the request.
    """
    model_field = model._meta.get_field(field_name)
    if raw == "":
        if not model_field.blank:
            raise RowInvalid((field_name, _("This column is required.")))
        return None if model_field.null else ""
    passed = None
    if memo is not None:
        passed = memo.setdefault(model, {}).setdefault(field_name, {})
        if raw in passed:
            return passed[raw]
    try:
        value = model_field.clean(raw, None)
    except ValidationError as error:
        raise RowInvalid((field_name, _message_of(error))) from None
    if passed is not None:
        if len(passed) >= MEMO_LIMIT:
            passed.clear()
        passed[raw] = value
    return value


def clean_values(model, raw: dict, field_names: Iterable[str], memo: dict | None = None) -> dict:
    """Clean every given cell of the row, collecting all problems rather than stopping at the first."""
    values, problems = {}, []
    passed_of = memo.get(model, _NO_MEMO) if memo is not None else _NO_MEMO
    for field_name in field_names:
        cell = raw.get(field_name)
        if cell is None:
            continue
        # The common case of a long file, inlined: this text already passed this field's checks.
        value = passed_of.get(field_name, _NO_MEMO).get(cell, _NOT_SEEN)
        if value is not _NOT_SEEN:
            values[field_name] = value
            continue
        try:
            values[field_name] = clean_value(model, field_name, cell, memo)
        except RowInvalid as invalid:
            problems.extend(invalid.problems)
    if problems:
        raise RowInvalid(*problems)
    return values


_TEMPLATES: dict[type, tuple[dict, tuple, frozenset]] = {}


def _template_of(model) -> tuple[dict, tuple, frozenset]:
    """What `model()` puts in a new instance's __dict__, its fields with callable defaults, and its attnames."""
    template = _TEMPLATES.get(model)
    if template is None:
        blank = model()
        state = {name: value for name, value in blank.__dict__.items() if name != "_state"}
        fresh = tuple(field for field in model._meta.concrete_fields if field.has_default() and callable(field.default))
        attnames = frozenset(field.attname for field in model._meta.concrete_fields)
        template = _TEMPLATES[model] = (state, fresh, attnames)
    return template


def new_instance(model, values: dict):
    """The unsaved instance `model(**values)` builds, for running `clean()` on, without Model.__init__'s cost.

    Model.__init__ matches every keyword against every field, which dominates a 100,000-row import. When all
    the keys are plain column attributes and no receiver listens to the model's init signals, the same state
    is set directly: the defaults of a blank instance (callable defaults called again), then the values.
    Anything else goes through the constructor.
    """
    state, fresh, attnames = _template_of(model)
    listened = (pre_init.receivers and pre_init.has_listeners(model)) or (
        post_init.receivers and post_init.has_listeners(model))
    if listened or not attnames.issuperset(values):
        return model(**values)
    instance = model.__new__(model)
    instance._state = ModelState()
    instance.__dict__.update(state)
    for model_field in fresh:
        instance.__dict__[model_field.attname] = model_field.get_default()
    instance.__dict__.update(values)
    return instance


def run_model_clean(instance) -> None:
    """The model's cross-field rules (`clean()`), which need no query when related objects are preloaded."""
    try:
        instance.clean()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise RowInvalid(
                *((name if name != "__all__" else FILE_COLUMN, _message_of(ValidationError(messages)))
                  for name, messages in error.error_dict.items())
            ) from None
        raise RowInvalid((FILE_COLUMN, _message_of(error))) from None


def require_columns(raw: dict, *field_names: str) -> None:
    missing = [name for name in field_names if not raw.get(name)]
    if missing:
        raise RowInvalid(*((name, _("This column is required.")) for name in missing))


# The engine -------------------------------------------------------------------------------------------------


@dataclass
class ImportContext:
    user: object
    kind: ImportKind
    apply: bool
    history_reason: str = ""
    seen_keys: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)


def _batches(rows: Iterable, size: int):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _prepare_batch(batch, context: ImportContext, counts: ImportCounts) -> list[PreparedRow]:
    kind = context.kind
    resolved = kind.resolve([raw for _row, raw in batch], context)
    prepared: list[PreparedRow] = []
    build, user, seen_keys = kind.build, context.user, context.seen_keys
    counts.rows += len(batch)
    for row_number, raw in batch:
        try:
            key, values, scope_code = build(raw, resolved, context)
            if not may_edit_registry(user, scope_code):
                raise RowInvalid(
                    (FILE_COLUMN, _("%(code)s is outside your jurisdiction; you may not change it.") % {
                        "code": scope_code})
                )
            first_row = seen_keys.get(key)
            if first_row is not None:
                raise RowInvalid((FILE_COLUMN, _("Same record as row %(row)s of this file.") % {"row": first_row}))
            seen_keys[key] = row_number
        except RowInvalid as invalid:
            counts.invalid += 1
            for column, message in invalid.problems:
                counts.errors.append(RowError(row_number, kind.column_label(column) if column else "", message))
            continue
        extra = {name: values.pop(name) for name in kind.extra_fields if name in values} if kind.extra_fields else {}
        prepared.append(PreparedRow(row_number, key, values, extra=extra))
    existing = kind.existing([row.key for row in prepared], context)
    valid = []
    for row in prepared:
        current = existing.get(row.key)
        if current is None:
            counts.created += 1
            valid.append(row)
            continue
        pk, current_values, locked = current
        changed = {name: value for name, value in (*row.values.items(), *row.extra.items())
                   if name not in kind.insert_only and current_values.get(name) != value}
        if not changed:
            counts.unchanged += 1
            continue
        if locked:
            counts.invalid += 1
            counts.errors.append(RowError(row.row_number, "", locked))
            continue
        counts.updated += 1
        row.pk, row.outcome = pk, UPDATED
        valid.append(row)
    return valid


def _write_batch(rows: list[PreparedRow], context: ImportContext) -> None:
    kind = context.kind
    model = kind.model
    user_id = getattr(context.user, "pk", None)
    new_rows = [row for row in rows if row.outcome == NEW]
    # Rows of a batch can carry different columns only when the sheet does; group by their field sets.
    groups: dict[tuple, list[tuple]] = {}
    for row in new_rows:
        groups.setdefault(tuple(row.values), []).append(tuple(row.values.values()))
    for field_names, group in groups.items():
        insert_rows(model, field_names, group)
    by_key = bool(new_rows and kind.key_field and kind.after_write is None)
    if new_rows and not by_key:
        created = kind.existing([row.key for row in new_rows], context)
        for row in new_rows:
            row.pk = created[row.key][0]
    changed_rows = [row for row in rows if row.outcome == UPDATED]
    for field_names in {tuple(name for name in row.values if name not in kind.insert_only) for row in changed_rows}:
        group = [row for row in changed_rows
                 if tuple(name for name in row.values if name not in kind.insert_only) == field_names]
        update_rows(model, field_names, [(*(row.values[name] for name in field_names), row.pk) for row in group])
    if kind.after_write is not None:
        kind.after_write(rows, context)
    # History last, so that it also holds what `after_write` wrote (a service point's services).
    if by_key:
        record_history(model, [row.key[0] for row in new_rows], key_field=kind.key_field,
                       history_type=HISTORY_CREATED, user_id=user_id, reason=context.history_reason)
    elif new_rows:
        record_history(model, [row.pk for row in new_rows], history_type=HISTORY_CREATED, user_id=user_id,
                       reason=context.history_reason)
    record_history(model, [row.pk for row in changed_rows], history_type=HISTORY_CHANGED, user_id=user_id,
                   reason=context.history_reason)


class _RollBack(Exception):
    """Raised inside the import transaction when any row was invalid, so that nothing is kept."""


def run_import(
    sheet: Sheet,
    *,
    kind: ImportKind,
    user,
    apply: bool,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[ImportCounts], None] | None = None,
    history_reason: str = "",
) -> ImportCounts:
    """Check (and, when `apply`, write) every row of the sheet; all rows or none are written."""
    counts = ImportCounts()
    context = ImportContext(user=user, kind=kind, apply=apply, history_reason=history_reason)

    def process():
        for batch in _batches(sheet.rows, batch_size):
            valid = _prepare_batch(batch, context, counts)
            if apply and not counts.invalid:
                _write_batch(valid, context)
            if on_progress is not None:
                on_progress(counts)

    if not apply:
        process()
        return counts
    try:
        with transaction.atomic():
            process()
            if counts.invalid:
                raise _RollBack
    except _RollBack:
        pass
    return counts


# The villages app's kinds -----------------------------------------------------------------------------------


def _village_refs(raws, context):
    wanted = {raw.get("village", "") for raw in raws}
    return {
        code: (pk, code)
        for pk, code in Village.objects.filter(code__in=[code for code in wanted if code]).values_list("pk", "code")
    }


def _village_of(raw, resolved) -> tuple:
    code = raw.get("village", "")
    found = resolved.get(code)
    if found is None:
        raise RowInvalid(("village", _("No village with code %(code)s is registered.") % {"code": code or "—"}))
    return found


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
    require_columns(raw, "code", "name")
    values = clean_values(Village, raw, VILLAGE_FIELDS, context.memo)
    code = values["code"]
    if code[:9] not in townships:
        raise RowInvalid(("code", _("No township %(township)s exists for village code %(code)s.") % {
            "township": code[:9], "code": code}))
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


def _choice_lookup(choices) -> dict[str, str]:
    """Accept a choice by its value or its label in English or Chinese, case-insensitively."""
    lookup = {}
    for value, label in choices:
        lookup[str(value).casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


def choice_value(raw: dict, field_name: str, choices, *, lookup_cache={}) -> None:  # noqa: B006 (memo)
    """Replace a choice cell given by its label with the stored value, in place."""
    if raw.get(field_name):
        key = id(choices)
        if key not in lookup_cache:
            lookup_cache[key] = _choice_lookup(choices)
        raw[field_name] = lookup_cache[key].get(raw[field_name].casefold(), raw[field_name])


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
        "villages": _village_refs(raws, context),
        "shops": _shop_existing_by_keys([(raw.get("platform", ""), raw.get("platform_shop_id", "")) for raw in raws]),
    }


def _shop_build(raw, resolved, context):
    require_columns(raw, "village", "platform", "platform_shop_id", "name")
    village_pk, village_code = _village_of(raw, resolved["villages"])
    values = clean_values(OnlineShop, raw, SHOP_FIELDS, context.memo)
    run_model_clean(new_instance(OnlineShop, {"village_id": village_pk, **values}))
    key = (values["platform"], values["platform_shop_id"])
    current = resolved["shops"].get(key)
    if current is not None and not may_edit_registry(context.user, current["village__code"]):
        raise RowInvalid(("platform_shop_id", _(
            "This shop is registered to village %(code)s, outside your jurisdiction.") % {
            "code": current["village__code"]}))
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
    require_columns(raw, "platform", "platform_shop_id", "year")
    shop = shops.get((raw["platform"], raw["platform_shop_id"]))
    if shop is None:
        raise RowInvalid(("platform_shop_id", _("No shop %(id)s is registered on platform %(platform)s.") % {
            "id": raw["platform_shop_id"], "platform": raw["platform"]}))
    values = clean_values(ShopYear, raw, SHOP_YEAR_FIELDS, context.memo)
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


def _report_build(raw, villages, context):
    require_columns(raw, "village", "year", "ecommerce_sales", "active_shops", "households")
    village_pk, village_code = _village_of(raw, villages)
    values = clean_values(AnnualReport, raw, REPORT_FIELDS, context.memo)
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
            locked = _("The %(year)s report of this village is %(status)s and cannot be changed by an import.") % {
                "year": row["year"], "status": AnnualReport.Status(row["status"]).label}
        found[(row["village_id"], row["year"])] = (row["pk"], row, locked)
    return found


def _columns(*specs) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


VILLAGES = register_import_kind(ImportKind(
    name="villages",
    label=gettext_lazy("villages"),
    model=Village,
    columns=_columns(
        ("code", "Village code", "村代码", True),
        ("name", "Name", "名称", True),
        ("households", "Households", "户数"),
        ("population", "Population", "人口"),
        ("urban_rural_code", "Urban-rural code", "城乡分类代码"),
        ("latitude", "Latitude", "纬度"),
        ("longitude", "Longitude", "经度"),
        ("main_products", "Main products", "主要产品"),
    ),
    resolve=_village_resolve,
    build=_village_build,
    existing=_village_existing,
    key_field="code",
    insert_only=("township_id", "committee_type"),
))

SHOPS = register_import_kind(ImportKind(
    name="shops",
    label=gettext_lazy("online shops"),
    model=OnlineShop,
    columns=_columns(
        ("village", "Village code", "村代码", True),
        ("platform", "Platform", "平台", True),
        ("platform_shop_id", "Shop ID", "店铺ID", True),
        ("name", "Shop name", "店铺名称", True),
        ("category", "Category", "类目"),
        ("opened_on", "Opened on", "开店日期"),
        ("closed_on", "Closed on", "关店日期"),
    ),
    resolve=_shop_resolve,
    build=_shop_build,
    existing=_shop_existing,
))

SHOP_YEARS = register_import_kind(ImportKind(
    name="shop_years",
    label=gettext_lazy("shop yearly figures"),
    model=ShopYear,
    columns=_columns(
        ("platform", "Platform", "平台", True),
        ("platform_shop_id", "Shop ID", "店铺ID", True),
        ("year", "Year", "年份", True),
        ("sales", "Sales (RMB yuan)", "销售额（元）"),
        ("orders_last_3_months", "Orders in the last 3 months", "近3个月订单数"),
        ("days_open", "Days open", "开店天数"),
    ),
    resolve=_shop_year_resolve,
    build=_shop_year_build,
    existing=_shop_year_existing,
))

REPORTS = register_import_kind(ImportKind(
    name="reports",
    label=gettext_lazy("annual reports"),
    model=AnnualReport,
    columns=_columns(
        ("village", "Village code", "村代码", True),
        ("year", "Year", "年份", True),
        ("ecommerce_sales", "E-commerce sales (RMB yuan)", "电商销售额（元）", True),
        ("active_shops", "Active shops", "活跃网店数", True),
        ("households", "Households", "户数", True),
    ),
    resolve=_village_refs,
    build=_report_build,
    existing=_report_existing,
    insert_only=("created_by_id",),
))
