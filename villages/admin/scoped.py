"""The admin's scoping bases: every changelist, history page and filter applies the user's jurisdiction."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villages import codes
from villages.models import Division

TIMESTAMPS = ("created_at", "updated_at")
VERSIONED = ("version", *TIMESTAMPS)


class JurisdictionScopedAdmin(admin.ModelAdmin):
    """Superusers see every row; other staff see the rows their `*_in_scope_of` selector returns.

    `scope_selector` is one of the selectors in `villages.selectors.visibility` or `rural_services.selectors`,
    so the admin applies the same jurisdiction rule as the web pages and the API. None means national data
    that every staff member may read (divisions, criteria versions, …).
    """

    scope_selector = None

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
        if self.value():
            prefix = codes.code_prefix(self.value(), codes.PROVINCE)
            return queryset.filter(**{f"{self.code_path}__startswith": prefix})
        return queryset


class VillageProvinceFilter(ProvinceFilter):
    code_path = "village__code"
