"""The filters of the public pages (year, province, prefecture, county), read from the URL so a page can be shared.

Every value is checked as the API's FilterSets check it (a year between 2009 and 2100, the code of a known
division of the right level), and the divisions must nest: a prefecture outside the province chosen is an
error, not an empty page. The result is a small frozen value that keys the cache and rebuilds the query.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villages import codes
from villages.filters import DivisionCodeField, YearField

AREA_LEVELS = (codes.PROVINCE, codes.PREFECTURE, codes.COUNTY)


@dataclass(frozen=True)
class PublicFilter:
    """The chosen year (None: the latest with data) and area (empty codes: the whole country)."""

    year: int | None = None
    province: str = ""
    prefecture: str = ""
    county: str = ""

    @property
    def area_level(self) -> str | None:
        """The level of the narrowest division chosen, None for the whole country."""
        for level in reversed(AREA_LEVELS):
            if getattr(self, level):
                return level
        return None

    @property
    def area_code(self) -> str:
        level = self.area_level
        return getattr(self, level) if level else ""

    @property
    def prefix(self) -> str:
        """The leading code digits every village, township and division inside the area shares ("" nationally)."""
        level = self.area_level
        return codes.code_prefix(self.area_code, level) if level else ""

    def key_parts(self) -> list:
        return [self.year, self.province, self.prefecture, self.county]

    def query(self, **changes) -> str:
        """The query string of these filters (with `changes`), without empty values, for links and downloads."""
        values = {"year": self.year, **{level: getattr(self, level) for level in AREA_LEVELS}, **changes}
        return urlencode({name: value for name, value in values.items() if value not in (None, "")})


NATION = PublicFilter()


class PublicFilterForm(forms.Form):
    year = YearField(label=_("Year"), required=False)
    province = DivisionCodeField(label=_("Province"), level=codes.PROVINCE, required=False)
    prefecture = DivisionCodeField(label=_("Prefecture"), level=codes.PREFECTURE, required=False)
    county = DivisionCodeField(label=_("County"), level=codes.COUNTY, required=False)

    def clean(self):
        cleaned = super().clean()
        outer_level, outer_code = None, ""
        for level in AREA_LEVELS:
            code = cleaned.get(level)
            if not code:
                continue
            if outer_level and not code.startswith(codes.code_prefix(outer_code, outer_level)):
                self.add_error(
                    level,
                    ValidationError(
                        _("%(code)s does not lie inside %(outer)s."),
                        code="outside_area",
                        params={"code": code, "outer": outer_code},
                    ),
                )
            outer_level, outer_code = level, code
        return cleaned


def public_filter_from(params) -> PublicFilter:
    """The filters of a query string, or a ValidationError naming each wrong field (the page shows it, as a 400)."""
    form = PublicFilterForm({name: params.get(name, "") for name in ("year", *AREA_LEVELS)})
    if not form.is_valid():
        raise ValidationError(
            {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        )
    data = form.cleaned_data
    return PublicFilter(
        year=data["year"],
        province=data["province"] or "",
        prefecture=data["prefecture"] or "",
        county=data["county"] or "",
    )
