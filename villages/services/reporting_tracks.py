"""The villages a county tracks for a reporting season: mark one as expected to report for a year, or unmark it.

Only those who enter the county's data (its county officials, administrators) mark its villages; reviewers
read the completeness that follows but do not decide what their counties must report. A village is tracked
once per year (a unique constraint, whose refusal names it).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from villages.models import ReportingTrack, Village
from villages.selectors.jurisdiction import may_edit_registry

from .recording import require, save_validated

COUNTY_ONLY = _("Only an official of the village's county may mark it as tracked or unmark it.")


@transaction.atomic
def reporting_track_mark(*, village: Village, year: int, by) -> ReportingTrack:
    """Mark the village as expected to report for `year`; refused if it already is, or the year is out of range."""
    require(may_edit_registry(by, village.code), COUNTY_ONLY)
    return save_validated(ReportingTrack(village=village, year=year, marked_by=by), by=by)


@transaction.atomic
def reporting_track_unmark(*, track: ReportingTrack, by) -> None:
    """Take the mark away: the village is expected again only for its other reasons, if any."""
    require(may_edit_registry(by, track.village.code), COUNTY_ONLY)
    ReportingTrack.objects.filter(pk=track.pk).delete()
