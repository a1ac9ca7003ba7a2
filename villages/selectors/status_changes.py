"""The public status-change log: the villages that gained or lost Taobao village status in a year, and why.

Read from the assessments, which exist only for approved reports (a reopened report's assessment is
withdrawn, and its change with it). A page costs the same few queries whatever its length: the rows with
their village and divisions, and the criteria versions once, which the reasons need to say since when a
committee type no longer counts. Each line also says where the scored figures came from (the approved
declaration, checked against the platforms' data where they had figures), read off the same row.
"""

from dataclasses import dataclass

from villages.models import Assessment, CriteriaSet
from villages.status_reasons import GAINED, LOST, DataSource, StatusReason, VersionYears, data_source, status_reason

from .visibility import assessments_visible_to


@dataclass(frozen=True)
class StatusChangeEntry:
    """One line of the log: the assessment (with its village), the reason and the data's source, in words."""

    assessment: Assessment
    reason: StatusReason
    source: DataSource

    @property
    def village(self):
        return self.assessment.village

    @property
    def county(self):
        return self.assessment.village.township.parent

    @property
    def year(self) -> int:
        return self.assessment.year

    @property
    def change(self) -> str:
        return self.assessment.status_change

    @property
    def checks(self) -> list:
        return self.assessment.checks


def status_changes_for_listing(user=None):
    """The gained and lost assessments, newest year first (then newest first), with village and county."""
    return (
        assessments_visible_to(user)
        .filter(status_change__in=[GAINED, LOST])
        .select_related("village__township__parent")
        .order_by("-year", "-id")
    )


def criteria_versions_for_reasons() -> list[VersionYears]:
    """Every criteria version's years and eligible committee types (a small table, read once per page)."""
    return [
        VersionYears(first_year, last_year, tuple(types or ()))
        for first_year, last_year, types in CriteriaSet.objects.order_by("first_year").values_list(
            "first_year", "last_year", "eligible_committee_types"
        )
    ]


def status_change_entries(assessments, versions: list[VersionYears] | None = None) -> list[StatusChangeEntry]:
    """The log lines of already fetched (or about to be fetched) assessments, worded in the active language."""
    rows = list(assessments)
    if versions is None:
        versions = criteria_versions_for_reasons() if rows else []
    return [
        StatusChangeEntry(
            assessment,
            status_reason(
                change=assessment.status_change, year=assessment.year, checks=assessment.checks, versions=versions
            ),
            data_source(assessment.input_sources),
        )
        for assessment in rows
    ]
