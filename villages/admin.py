"""The Django admin for divisions, villages, shops, reports and certification results, scoped to each user's area."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villages import codes
from villages.models import (
    AnnualReport,
    Assessment,
    CriteriaSet,
    Division,
    JurisdictionAssignment,
    OnlineShop,
    ReportingWindow,
    ReviewEvent,
    ShopYear,
    TaobaoTown,
    Village,
    VillageCluster,
)
from villages.selectors.visibility import (
    assessments_in_scope_of,
    jurisdiction_assignments_in_scope_of,
    reports_in_scope_of,
    review_events_in_scope_of,
    shop_years_in_scope_of,
    shops_in_scope_of,
    taobao_towns_in_scope_of,
    villages_in_scope_of,
)

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


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    ordering = ("code",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    show_full_result_count = False


@admin.register(Village)
class VillageAdmin(ScopedHistoryAdmin):
    scope_selector = staticmethod(villages_in_scope_of)
    list_display = ("code", "name", "township", "committee_type", "households", "population", "urban_rural_code")
    list_filter = ("committee_type", "urban_rural_code", ProvinceFilter)
    search_fields = ("code", "name", "township__name")
    ordering = ("code",)
    list_select_related = ("township",)
    autocomplete_fields = ("township",)
    fields = (
        "code",
        "name",
        "township",
        "committee_type",
        "households",
        "population",
        "urban_rural_code",
        "latitude",
        "longitude",
        "main_products",
        *VERSIONED,
    )
    readonly_fields = ("committee_type", *VERSIONED)


@admin.register(OnlineShop)
class OnlineShopAdmin(ScopedHistoryAdmin):
    scope_selector = staticmethod(shops_in_scope_of)
    list_display = ("name", "platform", "platform_shop_id", "village", "category", "opened_on", "closed_on")
    list_filter = ("platform", VillageProvinceFilter)
    search_fields = ("name", "platform_shop_id", "village__name", "village__code")
    ordering = ("village__code", "platform", "platform_shop_id")
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    fields = ("village", "platform", "platform_shop_id", "name", "category", "opened_on", "closed_on", *VERSIONED)
    readonly_fields = VERSIONED


@admin.register(ShopYear)
class ShopYearAdmin(ScopedHistoryAdmin):
    scope_selector = staticmethod(shop_years_in_scope_of)
    list_display = ("shop", "year", "sales", "orders_last_3_months", "days_open", "active")
    list_filter = ("year",)
    search_fields = ("shop__name", "shop__platform_shop_id", "shop__village__name", "shop__village__code")
    ordering = ("shop__village__code", "shop__platform_shop_id", "-year")
    list_select_related = ("shop",)
    autocomplete_fields = ("shop",)
    fields = ("shop", "year", "sales", "orders_last_3_months", "days_open", "active", *VERSIONED)
    readonly_fields = ("active", *VERSIONED)

    @admin.display(boolean=True, description=_("active shop"))
    def active(self, shop_year):
        return shop_year.is_active if shop_year.pk else None


class ReviewEventInline(admin.TabularInline):
    """The report's review timeline, appended by the workflow, never edited by hand."""

    model = ReviewEvent
    fields = ("at", "from_status", "to_status", "by", "comment")
    readonly_fields = fields
    ordering = ("at", "id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(AnnualReport)
class AnnualReportAdmin(ScopedHistoryAdmin):
    scope_selector = staticmethod(reports_in_scope_of)
    list_display = (
        "village",
        "year",
        "ecommerce_sales",
        "active_shops",
        "households",
        "status",
        "submitted_at",
        "reviewed_at",
    )
    list_filter = ("status", "year", VillageProvinceFilter)
    search_fields = ("village__name", "village__code")
    ordering = ("-year", "village__code")
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    inlines = (ReviewEventInline,)
    fields = (
        "village",
        "year",
        "ecommerce_sales",
        "active_shops",
        "households",
        "status",
        "created_by",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "reopened",
        *VERSIONED,
    )
    # The workflow (submit, approve, return, reopen) owns the status and who did what; figures stay editable.
    readonly_fields = (
        "status",
        "created_by",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "reopened",
        *VERSIONED,
    )


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    scope_selector = staticmethod(review_events_in_scope_of)
    list_display = ("report", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    search_fields = ("report__village__name", "report__village__code", "comment")
    ordering = ("-at", "-id")
    list_select_related = ("report__village", "by")


@admin.register(ReportingWindow)
class ReportingWindowAdmin(admin.ModelAdmin):
    list_display = ("year", "opens_on", "closes_on")
    search_fields = ("year",)
    ordering = ("-year",)
    fields = ("year", "opens_on", "closes_on", *TIMESTAMPS)
    readonly_fields = TIMESTAMPS


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "first_year",
        "last_year",
        "village_min_sales",
        "village_min_active_shops",
        "village_min_household_share",
        "town_scale_route",
        "subdistricts_can_be_towns",
    )
    list_filter = ("town_scale_route", "subdistricts_can_be_towns")
    search_fields = ("name", "source")
    ordering = ("first_year",)
    fields = (
        "name",
        "first_year",
        "last_year",
        "eligible_committee_types",
        "village_min_sales",
        "village_min_active_shops",
        "village_min_household_share",
        "town_min_taobao_villages",
        "town_scale_route",
        "town_min_sales",
        "town_min_active_shops",
        "subdistricts_can_be_towns",
        "cluster_min_villages",
        "cluster_large_min_villages",
        "cluster_super_large_over_villages",
        "source",
        *TIMESTAMPS,
    )
    readonly_fields = TIMESTAMPS


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    scope_selector = staticmethod(assessments_in_scope_of)
    list_display = ("village", "year", "qualified", "score", "status_change", "criteria_set", "assessed_at")
    list_filter = ("year", "qualified", "status_change", VillageProvinceFilter)
    search_fields = ("village__name", "village__code")
    ordering = ("-year", "village__code")
    list_select_related = ("village", "criteria_set")


@admin.register(TaobaoTown)
class TaobaoTownAdmin(ReadOnlyAdmin):
    scope_selector = staticmethod(taobao_towns_in_scope_of)
    list_display = ("township", "year", "route", "taobao_villages", "ecommerce_sales", "active_shops")
    list_filter = ("year", "route")
    search_fields = ("township__name", "township__code")
    ordering = ("-year", "township__code")
    list_select_related = ("township",)


@admin.register(VillageCluster)
class VillageClusterAdmin(ReadOnlyAdmin):
    list_display = ("year", "size_class", "village_count", "counties")
    list_filter = ("year", "size_class")
    search_fields = ("villages__name", "villages__code")
    ordering = ("-year", "-village_count")


class JurisdictionAssignmentInline(admin.TabularInline):
    model = JurisdictionAssignment
    fields = ("division",)
    autocomplete_fields = ("division",)
    extra = 0


@admin.register(JurisdictionAssignment)
class JurisdictionAssignmentAdmin(JurisdictionScopedAdmin):
    scope_selector = staticmethod(jurisdiction_assignments_in_scope_of)
    list_display = ("user", "division")
    list_filter = ("division__level",)
    search_fields = ("user__username", "division__name", "division__code")
    ordering = ("user__username", "division__code")
    list_select_related = ("user", "division")
    autocomplete_fields = ("user", "division")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    """Django's user admin, with the divisions each user answers for."""

    inlines = (JurisdictionAssignmentInline,)
