"""The admin's scoping bases: every changelist, history page and filter applies the user's jurisdiction.

They also keep a changelist's cost independent of the table's size: no full count (a bounded count, then the
planner's estimate), year filters from a small table, and search that the indexes serve.
"""

import re
from functools import reduce
from operator import or_

from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates, unquote
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.http import Http404
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from taobao_site.counting import BoundedCountPaginator
from villages import codes
from villages.models import Division, ReportingWindow
from villages.selectors.jurisdiction import code_prefix_q

TIMESTAMPS = ("created_at", "updated_at")
VERSIONED = ("version", *TIMESTAMPS)


DIGITS = re.compile(r"[0-9]+")


class EstimatedCountPaginator(BoundedCountPaginator):
    """Counts exactly up to COUNT_ESTIMATE_THRESHOLD rows; beyond that, PostgreSQL's planner estimate stands in.

    A changelist page costs the same on a table of 600,000 rows as on one of 6,000: counting every row of a
    large table (or of a large part of it) would cost more than the page itself. The count beyond the
    threshold is approximate, so the last page links may point a little short of or past the real last page
    (an empty page). Other databases count exactly (they hold the small installations). The rule is the API
    lists' and the web lists' one, `taobao_site.counting.bounded_count`.
    """


class IndexedSearchAdmin(admin.ModelAdmin):
    """Search that the indexes serve, for the admins of large tables (and their autocomplete).

    In `search_fields`, `^path` names a code: a term of digits matches codes starting with it (a range on the
    code's index). A plain path names text: any other term matches values containing it, case as typed
    (`LIKE`, which a trigram index serves; Django's default `UPPER(…) LIKE` can use no index, and Chinese
    names have no case). Every term must match, as in Django's own search.
    """

    def get_search_results(self, request, queryset, search_term):
        code_paths = [name[1:] for name in self.search_fields if name.startswith("^")]
        text_paths = [name for name in self.search_fields if not name.startswith("^")]
        used_paths = set()
        for term in smart_split(search_term):
            if term[:1] in {'"', "'"} and term[-1:] == term[:1] and len(term) > 1:
                term = unescape_string_literal(term)
            paths = code_paths if DIGITS.fullmatch(term) else text_paths
            if not paths:
                return queryset.none(), False
            if paths is code_paths:
                condition = reduce(or_, (code_prefix_q(path, term) for path in paths))
            else:
                condition = reduce(or_, (Q(**{f"{path}__contains": term}) for path in paths))
            queryset = queryset.filter(condition)
            used_paths.update(paths)
        return queryset, any(lookup_spawns_duplicates(self.opts, path) for path in used_paths)


class ListedColumnsChangeList(ChangeList):
    """A change list whose page reads only its model admin's `list_columns`, when it names them.

    The rows of a page, not the queryset that actions, filters and the count work on: an action still gets whole
    rows (`ModelAdmin.response_action` asks `get_queryset` again).
    """

    def get_results(self, request):
        columns = getattr(self.model_admin, "list_columns", None)
        if columns:
            self.queryset = self.queryset.only(*columns)
        super().get_results(request)


class JurisdictionScopedAdmin(admin.ModelAdmin):
    """Superusers see every row; other staff see the rows their `*_in_scope_of` selector returns.

    `scope_selector` is one of the selectors in `villages.selectors.visibility` or `rural_services.selectors`,
    so the admin applies the same jurisdiction rule as the web pages and the API. None means national data
    that every staff member may read (divisions, criteria versions, …). Changelists show no full count and
    count pages with `EstimatedCountPaginator`, whatever the table's size.
    """

    scope_selector = None
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # The columns a change list page reads (`only()` paths), when it shows fewer than the rows hold: timestamps,
    # JSON and the related rows' other columns cost more to decode than the page's query. None: whole rows.
    list_columns = None

    def get_changelist(self, request, **kwargs):
        return ListedColumnsChangeList

    def get_queryset(self, request):
        if self.scope_selector is None or request.user.is_superuser:
            return super().get_queryset(request)
        queryset = self.scope_selector(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset


class ScopedHistoryAdmin(JurisdictionScopedAdmin, SimpleHistoryAdmin):
    """History pages too show only objects in the user's area.

    simple-history looks versions up directly, and falls back to them for deleted objects, so both history
    views check the scoped queryset first; the history of deleted objects stays with superusers.
    """

    def _ensure_in_scope(self, request, object_id):
        if self.scope_selector is None or request.user.is_superuser:
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(JurisdictionScopedAdmin):
    """Records the registry derives or appends itself (scores, towns, clusters, the review timeline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProvinceFilter(admin.SimpleListFilter):
    """Filter by province through the leading two digits of a code."""

    title = _("province")
    parameter_name = "province"
    code_path = "code"

    def lookups(self, request, model_admin):
        return Division.objects.filter(level=codes.PROVINCE).order_by("code").values_list("code", "name")

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not DIGITS.fullmatch(self.value()):
            return queryset.none()
        return queryset.filter(code_prefix_q(self.code_path, codes.code_prefix(self.value(), codes.PROVINCE)))


def _year_column(model, field_name: str):
    """A list column showing a year field as written: the admin formats any integer like an amount (2,024)."""
    model_field = model._meta.get_field(field_name)

    @admin.display(description=model_field.verbose_name, ordering=field_name)
    def year_as_written(record):
        value = getattr(record, field_name)
        return "–" if value is None else str(value)

    year_as_written.__name__ = f"{field_name}_as_written"
    return year_as_written


YEAR_FIELDS = ("year", "first_year", "last_year")


class YearsAsWritten:
    """Mixin for model admins: lists and read-only fields show years as written, 2024, never 2,024.

    A read-only year (a report's, or any field of a view-only record) is shown by `<name>_as_written`; an admin
    that computes its read-only fields passes them through `years_as_written`.
    """

    def get_list_display(self, request):
        return tuple(
            _year_column(self.model, name) if name in YEAR_FIELDS else name
            for name in super().get_list_display(request)
        )

    @staticmethod
    def years_as_written(names) -> tuple:
        """Read-only field names with each year replaced by its `_as_written` display (for get_readonly_fields)."""
        return tuple(f"{name}_as_written" if name in YEAR_FIELDS else name for name in names)

    def get_fields(self, request, obj=None):
        view_only = obj is not None and not self.has_change_permission(request, obj)
        read_only = set(self.get_readonly_fields(request, obj))
        return [
            f"{name}_as_written" if name in YEAR_FIELDS and (view_only or f"{name}_as_written" in read_only) else name
            for name in super().get_fields(request, obj)
        ]

    @admin.display(description=_("year"))
    def year_as_written(self, record):
        return str(record.year)

    @admin.display(description=_("first year"))
    def first_year_as_written(self, record):
        return str(record.first_year)

    @admin.display(description=_("last year"))
    def last_year_as_written(self, record):
        return "–" if record.last_year is None else str(record.last_year)


class YearFilter(admin.SimpleListFilter):
    """Filter by year, offering the years that have a reporting window (a small table).

    Django's own filter for `year` would list `SELECT DISTINCT year` over the whole table on every page.
    """

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = ReportingWindow.objects.order_by("-year").values_list("year", flat=True)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and DIGITS.fullmatch(self.value()) and len(self.value()) <= 4:
            return queryset.filter(year=int(self.value()))
        return queryset


class VillageProvinceFilter(ProvinceFilter):
    code_path = "village__code"
