"""Django admin for the registry: saves go through the services, staff see their area, reviewers get a queue."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villages.admin_services import SERVICE_REFUSALS, ServiceBackedAdmin, refusal_text
from villages.models import (
    AnnualReport,
    JurisdictionAssignment,
    OnlineShop,
    ReportingWindow,
    ReviewEvent,
    ShopYear,
    Village,
)
from villages.selectors import visibility
from villages.selectors.review import report_warnings, review_queue
from villages.services import registry, reports


@admin.register(Village)
class VillageAdmin(ServiceBackedAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name", "township", "committee_type", "households", "version")
    list_filter = ("committee_type",)
    search_fields = ("code", "name")
    fields = (
        "code",
        "name",
        "households",
        "population",
        "urban_rural_code",
        "latitude",
        "longitude",
        "main_products",
        "edited_version",
    )
    list_select_related = ("township",)
    create_service = staticmethod(registry.village_create)
    update_service = staticmethod(registry.village_update)
    delete_service = staticmethod(registry.village_delete)
    instance_argument = "village"
    scoped_queryset = staticmethod(visibility.villages_in_scope_of)


@admin.register(OnlineShop)
class OnlineShopAdmin(ServiceBackedAdmin, SimpleHistoryAdmin):
    list_display = ("name", "platform", "platform_shop_id", "village", "opened_on", "closed_on", "version")
    list_filter = ("platform",)
    search_fields = ("name", "platform_shop_id", "village__code")
    fields = ("village", "platform", "platform_shop_id", "name", "category", "opened_on", "closed_on", "edited_version")
    raw_id_fields = ("village",)
    list_select_related = ("village",)
    create_service = staticmethod(registry.shop_create)
    update_service = staticmethod(registry.shop_update)
    delete_service = staticmethod(registry.shop_delete)
    instance_argument = "shop"
    scoped_queryset = staticmethod(visibility.shops_in_scope_of)


@admin.register(ShopYear)
class ShopYearAdmin(ServiceBackedAdmin, SimpleHistoryAdmin):
    list_display = ("shop", "year", "sales", "orders_last_3_months", "days_open", "version")
    list_filter = ("year",)
    fields = ("shop", "year", "sales", "orders_last_3_months", "days_open", "edited_version")
    raw_id_fields = ("shop",)
    list_select_related = ("shop",)
    create_service = staticmethod(registry.shop_year_create)
    update_service = staticmethod(registry.shop_year_update)
    delete_service = staticmethod(registry.shop_year_delete)
    instance_argument = "shop_year"
    scoped_queryset = staticmethod(visibility.shop_years_in_scope_of)

    def get_readonly_fields(self, request, obj=None):
        return ("shop",) if obj else ()


class ReviewEventInline(admin.TabularInline):
    """The report's review timeline, read-only: it is written only by the workflow services."""

    model = ReviewEvent
    fields = ("at", "from_status", "to_status", "by", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("review timeline")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReviewQueueFilter(admin.SimpleListFilter):
    title = _("review queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", _("submitted, in my area"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(pk__in=review_queue(request.user).values("pk"))
        return queryset


class ReturnCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("What must the county correct?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


@admin.register(AnnualReport)
class AnnualReportAdmin(ServiceBackedAdmin, SimpleHistoryAdmin):
    list_display = ("village", "year", "status", "ecommerce_sales", "active_shops", "households", "submitted_at")
    list_filter = (ReviewQueueFilter, "status", "year")
    search_fields = ("village__code", "village__name")
    list_select_related = ("village",)
    raw_id_fields = ("village",)
    fields = ("village", "year", "ecommerce_sales", "active_shops", "households", "edited_version")
    readonly_fields = ("status", "reopened", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
                       "review_comment", "data_quality_warnings")
    inlines = (ReviewEventInline,)
    actions = ("approve_reports", "return_reports")
    create_service = staticmethod(reports.report_create)
    update_service = staticmethod(reports.report_update)
    delete_service = staticmethod(reports.report_delete)
    instance_argument = "report"
    scoped_queryset = staticmethod(visibility.reports_in_scope_of)

    def get_fields(self, request, obj=None):
        return (*self.fields, *self.readonly_fields) if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("village", "year", *self.readonly_fields)

    @admin.display(description=_("data-quality warnings"))
    def data_quality_warnings(self, report):
        return "; ".join(warning.message for warning in report_warnings(report)) or _("none")

    def has_review_permission(self, request):
        return request.user.has_perm("villages.review_annualreport")

    def _apply(self, request, queryset, step, success_message):
        done = 0
        for report in queryset.select_related("village"):
            try:
                step(report)
            except SERVICE_REFUSALS as error:
                self.message_user(request, f"{report}: {refusal_text(error)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected submitted reports"), permissions=("review",))
    def approve_reports(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda report: reports.report_approve(report=report, by=request.user),
            _("%(count)s report(s) approved."),
        )

    @admin.action(description=_("Return the selected reports to the county…"), permissions=("review",))
    def return_reports(self, request, queryset):
        form = ReturnCommentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            self._apply(
                request,
                queryset,
                lambda report: reports.report_return(report=report, by=request.user, comment=comment),
                _("%(count)s report(s) returned."),
            )
            return None
        return TemplateResponse(
            request,
            "admin/villages/annualreport/return_reports.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Return reports to the county"),
                "opts": self.model._meta,
                "reports": queryset.select_related("village"),
                "form": form,
                "action": "return_reports",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(ReportingWindow)
class ReportingWindowAdmin(admin.ModelAdmin):
    list_display = ("year", "opens_on", "closes_on")
    fields = ("year", "opens_on", "closes_on")


@admin.register(JurisdictionAssignment)
class JurisdictionAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "division")
    list_select_related = ("user", "division")
    search_fields = ("user__username", "division__code", "division__name")
    fields = ("user", "division")
    raw_id_fields = ("user", "division")
