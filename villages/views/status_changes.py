"""The public status-change log: which villages gained or lost their status each year and why, with downloads."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import pgettext_lazy

from villages import codes
from villages.exports.formats import FORMATS, ExportColumn, export_response
from villages.headers import VILLAGE_CODE, VILLAGE_NAME, YEAR, Header
from villages.models import Assessment, Division
from villages.public_record_filters import STATUS_CHANGES, StatusChangeFilter
from villages.selectors.status_changes import (
    criteria_versions_for_reasons,
    status_change_entries,
    status_changes_for_listing,
)

PAGE_SIZE = 50
EXPORT_CHUNK = 2000

COUNTY = Header(pgettext_lazy("column header", "County"))
CHANGE = Header(pgettext_lazy("column header", "Change"))
REASON = Header(pgettext_lazy("column header", "Reason"))
REASON_CODE = Header(pgettext_lazy("column header", "Reason code"))
# The export formats read each column's values by position from the rows below; the paths name them.
COLUMNS = (
    ExportColumn("village__code", VILLAGE_CODE),
    ExportColumn("village__name", VILLAGE_NAME),
    ExportColumn("village__township__parent__name", COUNTY),
    ExportColumn("year", YEAR),
    ExportColumn("status_change", CHANGE),
    ExportColumn("reason", REASON),
    ExportColumn("reason_code", REASON_CODE),
)


def _filtered(request):
    params = request.GET.copy()
    params.pop("page", None)
    return StatusChangeFilter(params, queryset=status_changes_for_listing(request.user), request=request)


def status_change_list(request):
    log = _filtered(request)
    valid = log.is_valid()
    page = Paginator(log.qs if valid else log.queryset.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    provinces = Division.objects.filter(level=codes.PROVINCE).order_by("code").values_list("code", "name")
    return render(
        request,
        "villages/status_changes.html",
        {
            "filter": log,
            "page": page,
            "entries": status_change_entries(page.object_list),
            "query": query.urlencode(),
            "changes": STATUS_CHANGES,
            "provinces": provinces,
        },
        status=200 if valid else 400,
    )


class _LogRows:
    """The log's lines in the shape the export formats read (`values_list(...).iterator(chunk_size=...)`).

    The reason is worded in Python from the stored checks, so the rows are made here rather than by the
    database; the assessments are still read in chunks, never loaded whole.
    """

    def __init__(self, assessments):
        self.assessments = assessments

    def values_list(self, *_paths):
        return self

    def iterator(self, chunk_size):
        versions = criteria_versions_for_reasons()
        labels = dict(Assessment.StatusChange.choices)
        chunk = []
        for assessment in self.assessments.iterator(chunk_size=chunk_size):
            chunk.append(assessment)
            if len(chunk) == chunk_size:
                yield from self._lines(chunk, versions, labels)
                chunk = []
        yield from self._lines(chunk, versions, labels)

    @staticmethod
    def _lines(assessments, versions, labels):
        for entry in status_change_entries(assessments, versions):
            yield (
                entry.village.code,
                entry.village.name,
                entry.county.name,
                entry.year,
                str(labels.get(entry.change, entry.change)),
                entry.reason.text,
                entry.reason.code,
            )


def status_change_export(request, extension):
    """The log as CSV or Excel for the same filters; an invalid filter shows the page with its message (400)."""
    if extension not in FORMATS:
        raise Http404
    log = _filtered(request)
    if not log.is_valid():
        return status_change_list(request)
    return export_response(_LogRows(log.qs), columns=COLUMNS, file_format=extension, file_stem="status-changes")
