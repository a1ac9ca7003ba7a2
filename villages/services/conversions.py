"""Record a conversion of a village or a township (new code, new type) with the date it took effect.

Administrators only. A village keeps its row, so its reports and assessments stay with it; its code,
township and committee type become the new ones, and its assessments of the years from the conversion on
are scored again with the new type (earlier years keep the old one: `selectors.conversions`). A township's
row is the division as it is now; the conversion says what it was before, and the towns of the earlier
years are rebuilt with that type. A township whose row still has its old code is re-coded instead
(`township_recode`): the row takes the new code (and the type it names), everything that points at it follows,
and its villages take the new township code as their first 9 digits (each with its own VillageConversion).
Each write goes into the history with its author.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from villages import codes
from villages.models import AnnualReport, Assessment, Division, TownshipConversion, Village, VillageConversion
from villages.selectors.certification import criteria_set_for_year
from villages.selectors.jurisdiction import is_administrator
from villages.services.certification import report_assess, taobao_towns_refresh
from villages.services.data_version import published_data_changed

from .recording import require, save_validated

ONLY_ADMINISTRATORS = gettext_lazy("Only an administrator may record a conversion of a village or a township.")


def _require_date(effective_on) -> datetime.date:
    if not isinstance(effective_on, datetime.date):
        raise ValidationError({"effective_on": _("Give the date the conversion took effect.")})
    return effective_on


@transaction.atomic
def village_conversion_record(
    *, by, village: Village, effective_on: datetime.date, new_code: str, note: str = ""
) -> VillageConversion:
    """The village took `new_code` (and the committee type it names) on `effective_on`."""
    require(is_administrator(by), ONLY_ADMINISTRATORS)
    effective_on = _require_date(effective_on)
    new_code = (new_code or "").strip()
    if not codes.is_village_code(new_code):
        raise ValidationError({"new_code": _("A village code has exactly 12 digits.")})
    fresh = Village.objects.select_for_update().get(pk=village.pk)
    if VillageConversion.objects.filter(village=fresh, effective_on__gt=effective_on).exists():
        raise ValidationError(
            {"effective_on": _("This village has a later conversion: record the conversions in their order.")}
        )
    if Village.objects.filter(code=new_code).exclude(pk=fresh.pk).exists():
        raise ValidationError({"new_code": _("Another village already has the code %(code)s.") % {"code": new_code}})
    township = Division.objects.filter(code=new_code[:9], level=codes.TOWNSHIP).first()
    if township is None:
        raise ValidationError(
            {"new_code": _("Its first 9 digits (%(township)s) are not the code of a registered township.")
             % {"township": new_code[:9]}}
        )
    new_type = codes.committee_type_of(new_code)
    if new_code == fresh.code and new_type == fresh.committee_type:
        raise ValidationError({"new_code": _("The village already has this code.")})
    conversion = save_validated(
        VillageConversion(
            village=fresh,
            effective_on=effective_on,
            old_code=fresh.code,
            new_code=new_code,
            old_committee_type=fresh.committee_type,
            new_committee_type=new_type,
            note=(note or "").strip(),
            recorded_by=by,
        ),
        by=by,
    )
    fresh.code, fresh.township, fresh.committee_type = new_code, township, new_type
    fresh.version += 1
    save_validated(fresh, by=by, reason="conversion")
    approved_since = AnnualReport.objects.filter(
        village=fresh, status=AnnualReport.Status.APPROVED, year__gte=effective_on.year
    ).select_related("village")
    for report in approved_since.order_by("year"):
        report_assess(report=report)
    return conversion


@transaction.atomic
def township_conversion_record(
    *, by, township: Division, effective_on: datetime.date, old_code: str, note: str = ""
) -> TownshipConversion:
    """Until `effective_on` the township had `old_code` and the type it names (e.g. a town, now a subdistrict)."""
    require(is_administrator(by), ONLY_ADMINISTRATORS)
    effective_on = _require_date(effective_on)
    old_code = (old_code or "").strip()
    if township.level != codes.TOWNSHIP:
        raise ValidationError({"township": _("Choose a township-level division.")})
    if not (len(old_code) == 9 and old_code.isdigit() and old_code[:6] == township.code[:6]):
        raise ValidationError(
            {"old_code": _("The old code has 9 digits and lies in the same county (%(county)s).")
             % {"county": township.code[:6]}}
        )
    if TownshipConversion.objects.filter(township=township, effective_on__gte=effective_on).exists():
        raise ValidationError(
            {"effective_on": _("This township has a conversion on or after that date: record them in their order.")}
        )
    conversion = save_validated(
        TownshipConversion(
            township=township,
            effective_on=effective_on,
            old_code=old_code,
            new_code=township.code,
            old_kind=codes.township_kind_of(old_code),
            new_kind=codes.township_kind_of(township.code),
            note=(note or "").strip(),
            recorded_by=by,
        ),
        by=by,
    )
    earlier_years = (
        Assessment.objects.filter(village__township=township, year__lt=effective_on.year)
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
    for year in earlier_years:
        taobao_towns_refresh(year=year, criteria_set=criteria_set_for_year(year), township_code=township.code)
    published_data_changed()
    return conversion


def _refresh_towns_of(township: Division) -> None:
    years = (
        Assessment.objects.filter(village__township=township).order_by("year").values_list("year", flat=True).distinct()
    )
    for year in years:
        taobao_towns_refresh(year=year, criteria_set=criteria_set_for_year(year), township_code=township.code)


def _move_references(old: Division, new: Division) -> None:
    """Everything still pointing at the old row points at the new one (one UPDATE per referring table), and the
    old row goes. History rows keep the code they recorded."""
    relations = Division._meta.get_fields(include_hidden=True)
    for relation in relations:
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        if hasattr(relation.related_model, "instance_type"):  # a history table: it keeps what it recorded
            continue
        if relation.field.concrete:
            relation.related_model._base_manager.filter(**{relation.field.name: old}).update(
                **{relation.field.name: new}
            )
    Division.objects.filter(pk=old.pk).delete()


def _recode_villages(old: Division, new: Division, *, by, effective_on: datetime.date) -> None:
    """The township's villages move to its new row and take its code as their first 9 digits in one UPDATE (a
    village's code always starts with its township's), with one VillageConversion and one history record each
    (their committee type, named by the last 3 digits, stays)."""
    villages = list(Village.objects.filter(township=old).order_by("pk"))
    if not villages:
        return
    if VillageConversion.objects.filter(village__in=villages, effective_on__gte=effective_on).exists():
        raise ValidationError(
            {"effective_on": _("A village of this township has a conversion on or after that date: record the "
                               "conversions in their order.")}
        )
    old_code, new_prefix = old.code, new.code
    conversions = [
        VillageConversion(
            village=village,
            effective_on=effective_on,
            old_code=village.code,
            new_code=new_prefix + village.code[9:],
            old_committee_type=village.committee_type,
            new_committee_type=village.committee_type,
            note=_("The township %(old)s became %(new)s.") % {"old": old_code, "new": new_prefix},
            recorded_by=by,
        )
        for village in villages
    ]
    bulk_create_with_history(conversions, VillageConversion, default_user=by)
    Village.objects.filter(township=old).update(
        township=new,
        code=Concat(Value(new_prefix), Substr("code", 10)),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    recoded = list(Village.objects.filter(township=new))
    Village.history.bulk_history_create(recoded, update=True, default_user=by, default_change_reason="conversion")


@transaction.atomic
def township_recode(
    *, by, township: Division, effective_on: datetime.date, new_code: str, new_name: str = "", note: str = ""
) -> TownshipConversion:
    """The township (its row still under the old code) took `new_code` and the type it names on `effective_on`
    (e.g. 阎庄镇 371122102 → 阎庄街道 371122003): the row is re-coded, its villages follow, and the conversion
    keeps old → new so that the years before `effective_on` are judged by the old type."""
    require(is_administrator(by), ONLY_ADMINISTRATORS)
    effective_on = _require_date(effective_on)
    new_code, new_name = (new_code or "").strip(), (new_name or "").strip()
    if township.level != codes.TOWNSHIP:
        raise ValidationError({"township": _("Choose a township-level division.")})
    if effective_on > timezone.localdate():
        raise ValidationError(
            {"effective_on": _("A township is re-coded once the conversion has taken effect; this date is ahead.")}
        )
    if not (len(new_code) == 9 and new_code.isdigit() and new_code[:6] == township.code[:6]):
        raise ValidationError(
            {"new_code": _("The new code has 9 digits and lies in the same county (%(county)s).")
             % {"county": township.code[:6]}}
        )
    if new_code == township.code:
        raise ValidationError({"new_code": _("The township already has this code.")})
    if Division.objects.filter(code=new_code).exists() or Village.objects.filter(code__startswith=new_code).exists():
        raise ValidationError(
            {"new_code": _("The code %(code)s is already in use by another division.") % {"code": new_code}}
        )
    fresh = Division.objects.select_for_update().get(pk=township.pk)
    if TownshipConversion.objects.filter(township=fresh, effective_on__gte=effective_on).exists():
        raise ValidationError(
            {"effective_on": _("This township has a conversion on or after that date: record them in their order.")}
        )
    old_code = fresh.code
    recoded = Division.objects.create(
        code=new_code, name=new_name or fresh.name, level=fresh.level, parent_id=fresh.parent_id, source=fresh.source
    )
    _recode_villages(fresh, recoded, by=by, effective_on=effective_on)
    _move_references(fresh, recoded)
    conversion = save_validated(
        TownshipConversion(
            township=recoded,
            effective_on=effective_on,
            old_code=old_code,
            new_code=new_code,
            old_kind=codes.township_kind_of(old_code),
            new_kind=codes.township_kind_of(new_code),
            note=(note or "").strip(),
            recorded_by=by,
        ),
        by=by,
    )
    _refresh_towns_of(recoded)
    published_data_changed()
    return conversion
