"""Forms of a reporting season: the completeness question (a year and at most one area), and a county's tracking mark.

One query form for the web page, its export and the API, so all refuse the same input with the same words: the
year is required
(a whole number, from 2009 to this year), and at most one of `province`, `prefecture`, `county` may be given,
each an official code of that level known to the registry. Whether the caller may see the area is the
selector's question (`villages.selectors.completeness.completeness_area`), not the form's.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages import codes
from villages.filters import DivisionCodeField, VillageCodeField
from villages.validators import FIRST_YEAR

AREA_LEVELS = (codes.PROVINCE, codes.PREFECTURE, codes.COUNTY)
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100


class CompletenessQueryForm(forms.Form):
    year = forms.IntegerField(label=_("Report year"), min_value=FIRST_YEAR)
    province = DivisionCodeField(label=_("Province"), level=codes.PROVINCE, required=False)
    prefecture = DivisionCodeField(label=_("Prefecture"), level=codes.PREFECTURE, required=False)
    county = DivisionCodeField(label=_("County"), level=codes.COUNTY, required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=1_000_000, required=False)
    page_size = forms.IntegerField(label=_("Page size"), min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def clean_year(self):
        year = self.cleaned_data["year"]
        current = timezone.localdate().year
        if year > current:
            raise ValidationError(
                _("The year must be between %(first)s and %(last)s."),
                code="year_range",
                params={"first": FIRST_YEAR, "last": current},
            )
        return year

    def clean(self):
        cleaned = super().clean()
        given = [level for level in AREA_LEVELS if cleaned.get(level)]
        if len(given) > 1:
            raise ValidationError(
                _("Give at most one area: a province, a prefecture or a county."), code="one_area"
            )
        return cleaned

    @property
    def area(self) -> tuple[str, str] | None:
        """(level, code) of the area asked for, or None for the caller's whole jurisdiction."""
        for level in AREA_LEVELS:
            if self.cleaned_data.get(level):
                return level, self.cleaned_data[level]
        return None

    @property
    def missing_page(self) -> tuple[int, int]:
        """(page number, page size) of the list of missing villages."""
        return self.cleaned_data.get("page") or 1, self.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE


class ReportingTrackForm(forms.Form):
    """Mark a village of the county as expected to report for a year, or take the mark away."""

    MARK = "mark"
    UNMARK = "unmark"

    village = VillageCodeField(label=_("Village code"))
    year = forms.IntegerField(label=_("Report year"), min_value=FIRST_YEAR, max_value=9999)
    action = forms.ChoiceField(
        label=_("Action"), choices=[(MARK, _("Mark as tracked")), (UNMARK, _("Unmark"))]
    )
