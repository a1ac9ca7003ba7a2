"""What the county reads before it submits a report: the reviewer's data-quality warnings, the expected result
under the year's criteria and what the registered shops say, with the one warning it must acknowledge."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from villages.expected_result import ExpectedResult
from villages.models import AnnualReport

from .expected_result import expected_result_of_report
from .registered_figures import RegisteredFigures, registered_figures, registered_shops_warning
from .review import ReportWarning, report_warnings
from .visibility import reports_in_scope_of

# Said again, both ways round, by the warning to acknowledge.
_COVERED_BY_ACKNOWLEDGEMENT = {"shops_above_registered"}


@dataclass(frozen=True)
class PresubmitCheck:
    expected: ExpectedResult | None
    warnings: list[ReportWarning]
    registered: RegisteredFigures
    to_acknowledge: ReportWarning | None

    @property
    def all_warnings(self) -> list[ReportWarning]:
        """Every warning, the one to acknowledge first."""
        return [self.to_acknowledge, *self.warnings] if self.to_acknowledge else list(self.warnings)


def report_presubmit_check(report) -> PresubmitCheck:
    """The report's warnings (as the reviewer will see them), expected result and registered figures."""
    registered = registered_figures(village_id=report.village_id, year=report.year)
    to_acknowledge = registered_shops_warning(declared_active_shops=report.active_shops, registered=registered)
    warnings = report_warnings(report)
    if to_acknowledge is not None:
        warnings = [warning for warning in warnings if warning.key not in _COVERED_BY_ACKNOWLEDGEMENT]
    return PresubmitCheck(
        expected=expected_result_of_report(report),
        warnings=warnings,
        registered=registered,
        to_acknowledge=to_acknowledge,
    )


def report_for_presubmit(user, report_id: int) -> AnnualReport:
    """A report of the user's area (its county's officials, its area's reviewers, administrators), with its
    village; Http404 for anyone else, approved or not."""
    return get_object_or_404(reports_in_scope_of(user).select_related("village"), pk=report_id)
