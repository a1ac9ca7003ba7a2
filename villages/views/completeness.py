"""The completeness page of a reporting season: per area with drill-down, the missing villages, an export, tracking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from villages import codes, headers
from villages.exports.formats import CSV, XLSX, ExportColumn, export_response
from villages.models import AnnualReport, Division
from villages.season_forms import CompletenessQueryForm, ReportingTrackForm
from villages.selectors.completeness import (
    ACTIVE_SHOPS,
    CERTIFIED_LAST_YEAR,
    MISSING,
    REASON_LABELS,
    REASONS,
    TRACKED,
    VILLAGE,
    completeness,
    completeness_area,
    default_season_year,
    may_follow_completeness,
    reasons_of,
    reporting_tracks_in_scope_of,
)
from villages.selectors.editing import village_for_editing
from villages.selectors.jurisdiction import may_edit_registry
from villages.services.reporting_tracks import reporting_track_mark, reporting_track_unmark

from .editing import refusal_as_messages

PAGE_SIZE = 50
TEMPLATE = "villages/completeness.html"

ON_TIME_HEADER = headers.Header(pgettext_lazy("column header", "Submitted on time"))
REASON_HEADERS = {
    CERTIFIED_LAST_YEAR: headers.Header(pgettext_lazy("column header", "Certified last year")),
    ACTIVE_SHOPS: headers.Header(pgettext_lazy("column header", "Active shops registered")),
    TRACKED: headers.Header(pgettext_lazy("column header", "Tracked by the county")),
}


def _query_form(request) -> CompletenessQueryForm:
    """The query string as a form; a page opened without a year shows the latest season."""
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(default_season_year())
    return CompletenessQueryForm(data)


def _season_for(request):
    """(form, season): the season is None when the query is invalid (the form says why)."""
    if not may_follow_completeness(request.user):
        raise PermissionDenied
    form = _query_form(request)
    if not form.is_valid():
        return form, None
    area = completeness_area(request.user, form.area)
    return form, completeness(request.user, year=form.cleaned_data["year"], area=area)


def _area_query(year, level, code) -> str:
    return urlencode({"year": year, level: code} if level else {"year": year})


@login_required
def completeness_view(request):
    form, season = _season_for(request)
    if season is None:
        return render(request, TEMPLATE, {"form": form}, status=400)
    year = season.year
    page = Paginator(season.missing, PAGE_SIZE).get_page(request.GET.get("page"))
    area = season.area
    rows = []
    for row in season.children:
        if row.level == VILLAGE:
            link = reverse("villages:village_detail", args=[row.code])
        elif row.level in codes.PREFIX_LENGTH:
            link = "?" + _area_query(year, row.level, row.code)
        else:
            link = ""
        rows.append({
            "row": row,
            "link": link,
            "level_label": Division.Level(row.level).label if row.level in codes.PREFIX_LENGTH else "",
            "status_label": _status_label(row.status),
            "reason_labels": [REASON_LABELS[reason] for reason in row.reasons],
            "tracked": TRACKED in row.reasons,
        })
    for village in page.object_list:
        village.reason_labels = [REASON_LABELS[reason] for reason in reasons_of(village)]
    query = request.GET.copy()
    query.pop("page", None)
    query["year"] = str(year)
    may_track = area.level == codes.COUNTY and may_edit_registry(request.user, area.code)
    context = {
        "form": form,
        "season": season,
        "area": area,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "trail": [(division, "?" + _area_query(year, division.level, division.code)) for division in area.trail],
        "top_link": "?" + _area_query(year, None, None),
        "may_track": may_track,
        "csv_url": reverse("villages:completeness_export_csv"),
        "xlsx_url": reverse("villages:completeness_export_xlsx"),
        "mark": ReportingTrackForm.MARK,
        "unmark": ReportingTrackForm.UNMARK,
    }
    return render(request, TEMPLATE, context)


def _status_label(status: str) -> str:
    if not status:
        return ""
    if status == MISSING:
        return _("missing")
    return AnnualReport.Status(status).label


def _errors_as_messages(request, form) -> None:
    """A refused query or mark, told on the page the user is sent back to."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _export(request, file_format):
    form, season = _season_for(request)
    if season is None:
        _errors_as_messages(request, form)
        return redirect(reverse("villages:completeness"))
    status_label = Case(
        *(When(report_status=status, then=Value(str(status.label))) for status in AnnualReport.Status),
        default=Value(_("missing")),
        output_field=CharField(),
    )
    rows = season.expected.annotate(status_label=status_label).order_by("reason_rank", "code")
    columns = (
        ExportColumn("code", headers.VILLAGE_CODE),
        ExportColumn("name", headers.VILLAGE_NAME),
        ExportColumn("township__name", headers.TOWNSHIP),
        ExportColumn("status_label", headers.STATUS),
        ExportColumn("on_time", ON_TIME_HEADER),
        *(ExportColumn(reason, REASON_HEADERS[reason]) for reason in REASONS),
    )
    stem = f"completeness-{season.year}-{season.area.code or 'all'}"
    return export_response(rows, columns=columns, file_format=file_format, file_stem=stem)


@login_required
def completeness_export_csv(request):
    return _export(request, CSV)


@login_required
def completeness_export_xlsx(request):
    return _export(request, XLSX)


@login_required
@require_POST
def reporting_track_view(request):
    """Mark or unmark a village of the county as tracked, then back to the county's completeness page."""
    form = ReportingTrackForm(request.POST)
    if not form.is_valid():
        _errors_as_messages(request, form)
        return redirect(reverse("villages:completeness"))
    village = village_for_editing(request.user, form.cleaned_data["village"])
    year = form.cleaned_data["year"]
    with refusal_as_messages(request):
        if form.cleaned_data["action"] == ReportingTrackForm.MARK:
            reporting_track_mark(village=village, year=year, by=request.user)
            messages.success(request, _("%(village)s is now expected to report for %(year)s.")
                             % {"village": village.name, "year": year})
        else:
            track = reporting_tracks_in_scope_of(request.user).filter(village=village, year=year).first()
            if track is None:
                messages.error(request, _("%(village)s is not tracked for %(year)s.")
                               % {"village": village.name, "year": year})
            else:
                reporting_track_unmark(track=track, by=request.user)
                messages.success(request, _("%(village)s is no longer tracked for %(year)s.")
                                 % {"village": village.name, "year": year})
    return redirect(reverse("villages:completeness") + "?" + _area_query(year, codes.COUNTY, village.code[:6]))
