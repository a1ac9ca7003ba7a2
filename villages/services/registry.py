"""Create, change and delete villages, online shops and shops' yearly figures: the one write path for them.

County officials write in their counties and administrators everywhere (`may_edit_registry`); reviewers never
change figures. Deleting a village is for administrators only; a county official may only withdraw a village
it registered by mistake, while nothing depends on it yet (`village_withdraw`). A village with an approved report
is locked: it cannot be deleted and its code (which also fixes its committee type) cannot change until a reviewer
reopens the report.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import codes
from villages.models import AnnualReport, Division, OnlineShop, ShopYear, Village
from villages.selectors.jurisdiction import is_administrator, may_edit_registry

from .errors import ConflictError
from .recording import delete_recorded, edit_versioned, refuse_unknown_fields, require, save_validated

VILLAGE_FIELDS = (
    "code",
    "name",
    "households",
    "population",
    "urban_rural_code",
    "latitude",
    "longitude",
    "main_products",
)
SHOP_FIELDS = ("village", "platform", "platform_shop_id", "name", "category", "opened_on", "closed_on")
SHOP_YEAR_FIELDS = ("year", "sales", "orders_last_3_months", "days_open")

# The history reason of villages loaded from the NBS national list (`manage.py import_villages`).
NATIONAL_LIST_REASON = "import_villages"
WITHDRAWN_REASON = "withdrawn: registered by mistake"

NOT_YOUR_AREA = gettext_lazy("You may change registry data only in the counties assigned to you.")


def _require_editor(by, code: str) -> None:
    require(may_edit_registry(by, code), NOT_YOUR_AREA)


def _require_village_code(code: str) -> None:
    if not codes.is_village_code(code):
        raise ValidationError({"code": _("A village code has exactly 12 digits.")})


def _township_for(code: str) -> Division:
    """The township a village code belongs to: the division named by its first 9 digits."""
    _require_village_code(code)
    township = Division.objects.filter(code=code[:9], level=codes.TOWNSHIP).first()
    if township is None:
        raise ValidationError(
            {
                "code": _(
                    "No township with code %(township)s exists: the first 9 digits of a village code must be "
                    "the code of a registered township."
                )
                % {"township": code[:9]}
            }
        )
    return township


def _place_in_township(village: Village, township: Division | None) -> None:
    """Set the village's township and committee type.

    The township is the one the caller chose (the web form's picker), whose code the village code must then
    begin with (`Village.clean` refuses it otherwise, beside the code), or else the one the code names.
    """
    if township is None:
        township = _township_for(village.code)
    else:
        _require_village_code(village.code)
    village.township = township
    village.committee_type = codes.committee_type_of(village.code)


def _has_approved_report(village: Village) -> bool:
    return AnnualReport.objects.filter(village=village, status=AnnualReport.Status.APPROVED).exists()


@transaction.atomic
def village_create(*, by, township: Division | None = None, **fields) -> Village:
    """Register a village; its township follows from the code, or is `township` if the caller chose one."""
    refuse_unknown_fields(fields, VILLAGE_FIELDS)
    code = fields.get("code") or ""
    _require_editor(by, code)
    village = Village(**fields)
    _place_in_township(village, township)
    return save_validated(village, by=by)


@transaction.atomic
def village_update(*, village: Village, by, version, township: Division | None = None, **changes) -> Village:
    """Change a village; a new code moves it to the township the code names (or to `township`, if chosen)."""
    _require_editor(by, village.code)
    if "code" in changes:
        _require_editor(by, changes["code"] or "")

    def check_code_change(fresh: Village) -> None:
        original_code = Village.objects.filter(pk=fresh.pk).values_list("code", flat=True).get()
        if fresh.code != original_code:
            if _has_approved_report(fresh):
                raise ConflictError(
                    _(
                        "This village has approved reports, so its code and committee type cannot change. A "
                        "reviewer must reopen those reports first."
                    )
                )
            _place_in_township(fresh, township)
        elif township is not None:
            fresh.township = township

    return edit_versioned(
        village, by=by, version=version, changes=changes, editable=VILLAGE_FIELDS, prepare=check_code_change
    )


@transaction.atomic
def village_delete(*, village: Village, by) -> None:
    require(is_administrator(by), _("Only an administrator may delete a village."))
    if _has_approved_report(village):
        raise ConflictError(_("This village has approved reports and cannot be deleted."))
    delete_recorded(village, by=by)


def village_dependents(village: Village) -> list[str]:
    """What still hangs on a village (its reports, shops, service points …), by the plural name of each kind.

    Every relation pointing at villages counts, including those of apps built on this one (service points),
    which this app does not import: one EXISTS query per relation, whatever their number of rows.
    """
    names = []
    for relation in Village._meta.related_objects:
        manager = getattr(village, relation.get_accessor_name())
        if manager.exists():
            names.append(str(relation.related_model._meta.verbose_name_plural))
    return sorted(names)


def village_from_national_list(village: Village) -> bool:
    return village.history.filter(history_type="+", history_change_reason=NATIONAL_LIST_REASON).exists()


@transaction.atomic
def village_withdraw(*, village: Village, by) -> None:
    """Withdraw a village registered by mistake (a wrong code, a duplicate): its row goes, the history keeps it.

    County officials withdraw in their counties, administrators anywhere, and only while nothing depends on the
    village (no report, shop, assessment or service point) and only if it was registered in the registry:
    villages of the national list are official units, not mistakes, and only an administrator deletes them.
    """
    _require_editor(by, village.code)
    village = Village.objects.select_for_update().get(pk=village.pk)
    if village_from_national_list(village) and not is_administrator(by):
        raise ConflictError(
            _(
                "%(village)s comes from the national list of village codes, so it cannot be withdrawn. Correct "
                "its details instead, or ask an administrator."
            )
            % {"village": village}
        )
    blocking = village_dependents(village)
    if blocking:
        raise ConflictError(
            _(
                "%(village)s cannot be withdrawn: it already has %(blocking)s. Only a village that nothing "
                "depends on yet can be withdrawn."
            )
            % {"village": village, "blocking": ", ".join(blocking)}
        )
    delete_recorded(village, by=by, reason=WITHDRAWN_REASON)


@transaction.atomic
def shop_create(*, by, **fields) -> OnlineShop:
    refuse_unknown_fields(fields, SHOP_FIELDS)
    village = fields.get("village")
    if village is None:
        raise ValidationError({"village": _("Choose the village the shop is registered in.")})
    _require_editor(by, village.code)
    return save_validated(OnlineShop(**fields), by=by)


@transaction.atomic
def shop_update(*, shop: OnlineShop, by, version, **changes) -> OnlineShop:
    _require_editor(by, shop.village.code)
    if changes.get("village") is not None:
        _require_editor(by, changes["village"].code)
    return edit_versioned(shop, by=by, version=version, changes=changes, editable=SHOP_FIELDS)


@transaction.atomic
def shop_delete(*, shop: OnlineShop, by) -> None:
    """Delete a shop and its yearly figures, each deletion recorded in the history with its author."""
    _require_editor(by, shop.village.code)
    for shop_year in shop.years.all():
        delete_recorded(shop_year, by=by)
    delete_recorded(shop, by=by)


@transaction.atomic
def shop_year_create(*, by, shop: OnlineShop, **fields) -> ShopYear:
    refuse_unknown_fields(fields, SHOP_YEAR_FIELDS)
    _require_editor(by, shop.village.code)
    return save_validated(ShopYear(shop=shop, **fields), by=by)


@transaction.atomic
def shop_year_update(*, shop_year: ShopYear, by, version, **changes) -> ShopYear:
    _require_editor(by, shop_year.shop.village.code)
    return edit_versioned(shop_year, by=by, version=version, changes=changes, editable=SHOP_YEAR_FIELDS)


@transaction.atomic
def shop_year_delete(*, shop_year: ShopYear, by) -> None:
    _require_editor(by, shop_year.shop.village.code)
    delete_recorded(shop_year, by=by)
