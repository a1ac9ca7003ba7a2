"""FilterSets for the registry's lists, shared by the JSON API and the web list pages.

Every filter validates strictly: a malformed or unknown value makes the form invalid (a 400 in the API),
never an empty list and never a database error. Division filters take official codes ("370000") and keep
the rows whose code starts with that division's prefix ("37"), written as a range on the code
(`code >= '37' AND code < '38'`) so the code's B-tree index serves it on every database.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from villages import codes
from villages.models import (
    AnnualReport,
    Assessment,
    Division,
    OnlineShop,
    TaobaoTown,
    TownshipReport,
    Village,
    VillageCluster,
)
from villages.selectors.divisions import division_known
from villages.selectors.jurisdiction import code_prefix_q
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

DIVISION_CODE_PATTERNS = {
    codes.PROVINCE: re.compile(r"^[0-9]{2}0000$"),
    codes.PREFECTURE: re.compile(r"^[0-9]{4}00$"),
    codes.COUNTY: re.compile(r"^[0-9]{6}$"),
    codes.TOWNSHIP: re.compile(r"^[0-9]{9}$"),
}
ANY_DIVISION_CODE = re.compile(r"^([0-9]{6}|[0-9]{9})$")
VILLAGE_CODE = re.compile(r"^[0-9]{12}$")


class DivisionCodeField(forms.CharField):
    """An official division code of one level (or any level), which must exist in the registry."""

    def __init__(self, *args, level=None, **kwargs):
        self.level = level
        kwargs.setdefault("max_length", 9)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        pattern = DIVISION_CODE_PATTERNS[self.level] if self.level else ANY_DIVISION_CODE
        if not pattern.match(value) or not division_known(value, self.level):
            # The value goes in params, never into the message itself: the message is %-formatted later.
            raise ValidationError(
                _("%(value)s is not the code of a known %(level)s."),
                code="unknown_division",
                params={"value": value, "level": self.level or _("division")},
            )
        return value


@extend_schema_field({"type": "string", "pattern": "^[0-9]{6}([0-9]{3})?$"})
class DivisionCodeFilter(django_filters.CharFilter):
    """Rows whose code (reached through `field_name`) lies inside the division with the code given."""

    field_class = DivisionCodeField

    def __init__(self, *args, level=None, **kwargs):
        self.level = level
        super().__init__(*args, level=level, **kwargs)

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        prefix = codes.code_prefix(value, self.level) if self.level else value
        return qs.filter(code_prefix_q(self.field_name, prefix))


class VillageCodeField(forms.CharField):
    """A well-formed 12-digit village code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value not in self.empty_values and not VILLAGE_CODE.match(value):
            raise ValidationError(_("A village code has exactly 12 digits."), code="invalid_village_code")
        return value


@extend_schema_field({"type": "string", "pattern": "^[0-9]{12}$"})
class VillageCodeFilter(django_filters.CharFilter):
    field_class = VillageCodeField


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR_BOUND)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR_BOUND})
class YearFilter(django_filters.NumberFilter):
    """A calendar year between the first Taobao villages (2009) and 2100; anything else is a 400."""

    field_class = YearField


class StrictBooleanField(forms.TypedChoiceField):
    """`true` or `false` (unlike a NullBooleanField, which silently ignores anything else)."""

    def __init__(self, *args, **kwargs):
        kwargs["choices"] = [("true", "true"), ("false", "false")]
        kwargs["coerce"] = lambda value: value == "true"
        kwargs["empty_value"] = None
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


def search_field_kwargs():
    return {
        "max_length": 100,
        "label": _("Name or code contains"),
        "help_text": _(
            "Digits find the codes that start with them; one character finds the names that start with it; "
            "longer text finds the names that contain it."
        ),
    }


def name_or_code_search(queryset, term: str):
    """Rows matching a search term, each kind of term by a condition an index can serve.

    Digits are a code prefix (a range on the code's B-tree). Other text is a case-sensitive `contains`, which
    a trigram index serves on PostgreSQL for three characters or more (migration `name_trigram_indexes`):
    Chinese names have no case, and `icontains` would wrap the column in UPPER(), which no index serves. Two
    characters scan in code order and stop at the page's end once enough names match. One character such as
    村 is in nearly every name and no trigram, so it matches the names that start with it, which the name's
    B-tree serves.
    """
    if re.fullmatch(r"[0-9]+", term):
        return queryset.filter(code_prefix_q("code", term))
    if len(term) == 1:
        return queryset.filter(name__startswith=term)
    return queryset.filter(name__contains=term)


class ParentCodeFilter(DivisionCodeFilter):
    """The direct children of a division: an exact match on `parent`, not a prefix."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.filter(parent_id=value)


class DivisionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Division.Level.choices, label=_("Level"))
    parent = ParentCodeFilter(field_name="parent_id", label=_("Parent division code"))
    search = django_filters.CharFilter(method="filter_search", **search_field_kwargs())

    class Meta:
        model = Division
        fields = ["level", "parent", "search"]

    def filter_search(self, queryset, name, value):
        return name_or_code_search(queryset, value)


class VillageFilter(django_filters.FilterSet):
    province = DivisionCodeFilter(field_name="code", level=codes.PROVINCE, label=_("Province code"))
    prefecture = DivisionCodeFilter(field_name="code", level=codes.PREFECTURE, label=_("Prefecture code"))
    county = DivisionCodeFilter(field_name="code", level=codes.COUNTY, label=_("County code"))
    township = DivisionCodeFilter(field_name="code", level=codes.TOWNSHIP, label=_("Township code"))
    committee_type = django_filters.ChoiceFilter(choices=Village.CommitteeType.choices, label=_("Committee type"))
    search = django_filters.CharFilter(method="filter_search", **search_field_kwargs())
    certified_in = YearFilter(method="filter_certified_in", label=_("Certified as a Taobao village in year"))

    class Meta:
        model = Village
        fields = ["province", "prefecture", "county", "township", "committee_type", "search", "certified_in"]

    def filter_search(self, queryset, name, value):
        return name_or_code_search(queryset, value)

    def filter_certified_in(self, queryset, name, value):
        return queryset.filter(Exists(Assessment.objects.filter(village_id=OuterRef("pk"), year=value, qualified=True)))


class OnlineShopFilter(django_filters.FilterSet):
    village = VillageCodeFilter(field_name="village__code", label=_("Village code"))
    county = DivisionCodeFilter(field_name="village__code", level=codes.COUNTY, label=_("County code"))
    platform = django_filters.ChoiceFilter(choices=OnlineShop.Platform.choices, label=_("Platform"))

    class Meta:
        model = OnlineShop
        fields = ["village", "county", "platform"]


class AnnualReportFilter(django_filters.FilterSet):
    village = VillageCodeFilter(field_name="village__code", label=_("Village code"))
    county = DivisionCodeFilter(field_name="village__code", level=codes.COUNTY, label=_("County code"))
    province = DivisionCodeFilter(field_name="village__code", level=codes.PROVINCE, label=_("Province code"))
    year = YearFilter(field_name="year", label=_("Year"))
    status = django_filters.ChoiceFilter(choices=AnnualReport.Status.choices, label=_("Status"))

    class Meta:
        model = AnnualReport
        fields = ["village", "county", "province", "year", "status"]


class AssessmentFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label=_("Year"))
    qualified = StrictBooleanFilter(field_name="qualified", label=_("Qualified"))
    province = DivisionCodeFilter(field_name="village__code", level=codes.PROVINCE, label=_("Province code"))
    county = DivisionCodeFilter(field_name="village__code", level=codes.COUNTY, label=_("County code"))
    village = VillageCodeFilter(field_name="village__code", label=_("Village code"))

    class Meta:
        model = Assessment
        fields = ["year", "qualified", "province", "county", "village"]


class TaobaoTownFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label=_("Year"))

    class Meta:
        model = TaobaoTown
        fields = ["year"]


class TownshipReportFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label=_("Year"))
    county = DivisionCodeFilter(field_name="township__code", level=codes.COUNTY, label=_("County code"))
    status = django_filters.ChoiceFilter(choices=TownshipReport.Status.choices, label=_("Status"))

    class Meta:
        model = TownshipReport
        fields = ["year", "county", "status"]


class VillageClusterFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label=_("Year"))

    class Meta:
        model = VillageCluster
        fields = ["year"]


class ReconciliationFilter(django_filters.FilterSet):
    """Reports beside the platform's figures (`selectors.reconciliation`): by year, area and whether flagged."""

    year = YearFilter(field_name="year", label=_("Year"))
    province = DivisionCodeFilter(field_name="village__code", level=codes.PROVINCE, label=_("Province code"))
    prefecture = DivisionCodeFilter(field_name="village__code", level=codes.PREFECTURE, label=_("Prefecture code"))
    county = DivisionCodeFilter(field_name="village__code", level=codes.COUNTY, label=_("County code"))
    flagged = StrictBooleanFilter(
        field_name="reconciliation_flagged", label=_("Only differences beyond the tolerance")
    )

    class Meta:
        model = AnnualReport
        fields = ["year", "province", "prefecture", "county", "flagged"]
