"""Reporting windows: when county staff may submit a year's reports, set by administrators, kept in the history.

`report_submit` (villages.services.reports) refuses a submission outside its year's window, so a window is a
rule for every county: only administrators set, move or remove one. The model refuses a window that closes
before it opens, beside the closing date.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from villages.models import ReportingWindow
from villages.selectors.jurisdiction import is_administrator

from .recording import delete_recorded, refuse_unknown_fields, require, save_validated

WINDOW_FIELDS = ("year", "opens_on", "closes_on")

ADMINISTRATORS_ONLY = _("Only an administrator may set the reporting windows.")


@transaction.atomic
def reporting_window_create(*, by, reason: str = "", **fields) -> ReportingWindow:
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    refuse_unknown_fields(fields, WINDOW_FIELDS)
    return save_validated(ReportingWindow(**fields), by=by, reason=reason)


@transaction.atomic
def reporting_window_update(*, window: ReportingWindow, by, reason: str = "", **changes) -> ReportingWindow:
    """Change the window's dates or year; the row is locked meanwhile, so two edits apply one after the other."""
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    refuse_unknown_fields(changes, WINDOW_FIELDS)
    fresh = ReportingWindow.objects.select_for_update().get(pk=window.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    return save_validated(fresh, by=by, reason=reason)


@transaction.atomic
def reporting_window_delete(*, window: ReportingWindow, by, reason: str = "") -> None:
    """Remove the window: that year's reports may then be submitted at any time."""
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    delete_recorded(window, by=by, reason=reason)
