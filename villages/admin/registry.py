"""The Django admin for divisions, villages, shops, reports and certification results, scoped to each user's area.

Registry saves and deletes go through the services (`villages.admin.service_backed.ServiceBackedAdmin`), and so do
reporting windows and jurisdiction assignments, also where the user page edits them inline; divisions are
read-only (they come from the official list). Reviewers get a queue ("submitted, in my area") with approve,
return and reopen actions, for village reports and townships' own alike.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from villages.admin.scoped import (
    TIMESTAMPS,
    VERSIONED,
    IndexedSearchAdmin,
    ProvinceFilter,
    ReadOnlyAdmin,
    ScopedHistoryAdmin,
    VillageProvinceFilter,
    YearFilter,
    YearsAsWritten,
)
from villages.admin.service_backed import ServiceBackedAdmin, ServiceRefusalAdmin, refusal_text
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
    TownshipReport,
    Village,
    VillageCluster,
)
from villages.selectors.review import report_warnings, review_queue
from villages.selectors.visibility import (
    assessments_in_scope_of,
    jurisdiction_assignments_in_scope_of,
    reports_in_scope_of,
    review_events_in_scope_of,
    shop_years_in_scope_of,
    shops_in_scope_of,
    taobao_towns_in_scope_of,
    township_reports_in_scope_of,
    villages_in_scope_of,
)
from villages.services import registry, reports, windows
from villages.services.criteria import CRITERIA_FIELDS, criteria_set_create, criteria_set_update
from villages.services.errors import SERVICE_REFUSALS
from villages.services.jurisdiction import jurisdiction_assign, jurisdiction_unassign


@admin.register(Division)
class DivisionAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    """Read-only: divisions are the Ministry of Civil Affairs' official list, loaded by `manage.py load_divisions`,
    and the county-level development zones and townships only the NBS 2023 list carries (`import_villages
    --streets --areas`), shown with their source.

    A division edited by hand would differ from the official list, and the next load would silently undo it;
    its code is also the prefix of every village code and jurisdiction beneath it. A change comes from a new
    edition of the list, never from this page.
    """

    list_display = ("code", "name", "level", "parent", "source")
    list_filter = ("level", "source")
    search_fields = ("^code", "name")
    ordering = ("code",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(Village)
class VillageAdmin(IndexedSearchAdmin, ServiceBackedAdmin, ScopedHistoryAdmin):
    scope_selector = staticmethod(villages_in_scope_of)
    create_service = staticmethod(registry.village_create)
    update_service = staticmethod(registry.village_update)
    delete_service = staticmethod(registry.village_delete)
    instance_argument = "village"
    list_display = ("code", "name", "township", "committee_type", "households", "population", "urban_rural_code")
    list_filter = ("committee_type", "urban_rural_code", ProvinceFilter)
    search_fields = ("^code", "name", "township__name")
    ordering = ("code",)
    list_select_related = ("township",)
    list_columns = (
        "code", "name", "committee_type", "households", "population", "urban_rural_code", "township__code",
        "township__name",
    )
    fields = (*registry.VILLAGE_FIELDS, "township", "committee_type", "edited_version", *VERSIONED)
    # The township and committee type follow from the code (its first 9 and last 3 digits).
    readonly_fields = ("township", "committee_type", *VERSIONED)


@admin.register(OnlineShop)
class OnlineShopAdmin(IndexedSearchAdmin, ServiceBackedAdmin, ScopedHistoryAdmin):
    scope_selector = staticmethod(shops_in_scope_of)
    create_service = staticmethod(registry.shop_create)
    update_service = staticmethod(registry.shop_update)
    delete_service = staticmethod(registry.shop_delete)
    instance_argument = "shop"
    list_display = ("name", "platform", "platform_shop_id", "village", "category", "opened_on", "closed_on")
    list_filter = ("platform", VillageProvinceFilter)
    search_fields = ("^village__code", "name", "platform_shop_id", "village__name")
    # The shops of a village together, in the order of the index (village, id); by code it would sort them all.
    ordering = ("village_id", "id")
    list_select_related = ("village",)
    list_columns = (
        "name", "platform", "platform_shop_id", "category", "opened_on", "closed_on", "village__code", "village__name",
    )
    autocomplete_fields = ("village",)
    fields = (*registry.SHOP_FIELDS, "edited_version", *VERSIONED)
    readonly_fields = VERSIONED


@admin.register(ShopYear)
class ShopYearAdmin(YearsAsWritten, IndexedSearchAdmin, ServiceBackedAdmin, ScopedHistoryAdmin):
    scope_selector = staticmethod(shop_years_in_scope_of)
    create_service = staticmethod(registry.shop_year_create)
    update_service = staticmethod(registry.shop_year_update)
    delete_service = staticmethod(registry.shop_year_delete)
    instance_argument = "shop_year"
    list_display = ("shop", "year", "sales", "orders_last_3_months", "days_open", "active")
    list_filter = (YearFilter,)
    search_fields = ("^shop__village__code", "shop__name", "shop__platform_shop_id", "shop__village__name")
    ordering = ("shop_id", "year")  # the unique index (shop, year)
    list_select_related = ("shop",)
    autocomplete_fields = ("shop",)
    fields = ("shop", *registry.SHOP_YEAR_FIELDS, "active", "edited_version", *VERSIONED)
    readonly_fields = ("active", *VERSIONED)

    def get_readonly_fields(self, request, obj=None):
        return ("shop", *self.readonly_fields) if obj else self.readonly_fields

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


class ReopenCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Why is the approved report reopened?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ReviewStepActions:
    """The reviewer's steps as admin actions, through the workflow's services: approve; return and reopen ask
    for the comment on a page of their own first. Shared by village reports and townships' own reports."""

    approve_service = None
    first_review_service = None
    return_service = None
    reopen_service = None
    place_field = "village"
    actions = ("first_review_reports", "approve_reports", "return_reports", "reopen_reports")

    def has_review_permission(self, request):
        return request.user.has_perm("villages.review_annualreport")

    def _apply(self, request, queryset, step, success_message):
        done = 0
        for report in queryset.select_related(self.place_field):
            try:
                step(report)
            except SERVICE_REFUSALS as error:
                self.message_user(request, f"{report}: {refusal_text(error)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success_message % {"count": done}, messages.SUCCESS)

    def _commented_step(self, request, queryset, *, form_class, service, success_message, action, title, button):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            self._apply(
                request,
                queryset,
                lambda report: service(report=report, by=request.user, comment=comment),
                success_message,
            )
            return None
        return TemplateResponse(
            request,
            "admin/villages/annualreport/return_reports.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "button": button,
                "opts": self.model._meta,
                "reports": queryset.select_related(self.place_field),
                "form": form,
                "action": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Pass first review of the selected submitted reports (two-level provinces)"),
        permissions=("review",),
    )
    def first_review_reports(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda report: self.first_review_service(report=report, by=request.user),
            _("%(count)s report(s) passed first review."),
        )

    @admin.action(description=_("Approve the selected submitted reports"), permissions=("review",))
    def approve_reports(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda report: self.approve_service(report=report, by=request.user),
            _("%(count)s report(s) approved."),
        )

    @admin.action(description=_("Return the selected reports to the county…"), permissions=("review",))
    def return_reports(self, request, queryset):
        return self._commented_step(
            request,
            queryset,
            form_class=ReturnCommentForm,
            service=self.return_service,
            success_message=_("%(count)s report(s) returned."),
            action="return_reports",
            title=_("Return reports to the county"),
            button=_("Return to the county"),
        )

    @admin.action(description=_("Reopen the selected approved reports…"), permissions=("review",))
    def reopen_reports(self, request, queryset):
        return self._commented_step(
            request,
            queryset,
            form_class=ReopenCommentForm,
            service=self.reopen_service,
            success_message=_("%(count)s report(s) reopened."),
            action="reopen_reports",
            title=_("Reopen approved reports"),
            button=_("Reopen"),
        )


# What the review workflow records on a report; the admin shows it and never edits it.
REPORT_WORKFLOW_FIELDS = (
    "status",
    "created_by",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "reopened",
    "data_quality_warnings",
)


@admin.register(AnnualReport)
class AnnualReportAdmin(ReviewStepActions, YearsAsWritten, IndexedSearchAdmin, ServiceBackedAdmin, ScopedHistoryAdmin):
    scope_selector = staticmethod(reports_in_scope_of)
    create_service = staticmethod(reports.report_create)
    update_service = staticmethod(reports.report_update)
    delete_service = staticmethod(reports.report_delete)
    instance_argument = "report"
    approve_service = staticmethod(reports.report_approve)
    first_review_service = staticmethod(reports.report_first_review)
    return_service = staticmethod(reports.report_return)
    reopen_service = staticmethod(reports.report_reopen)
    list_display = ("village", "year", *reports.REPORT_FIGURES, "status", "submitted_at", "reviewed_at")
    list_filter = (ReviewQueueFilter, "status", YearFilter, VillageProvinceFilter)
    search_fields = ("^village__code", "village__name")
    ordering = ("-year", "village_id")  # the index report_year_village
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    inlines = (ReviewEventInline,)
    fields = (
        "village",
        "year",
        *reports.REPORT_FIGURES,
        *REPORT_WORKFLOW_FIELDS,
        "edited_version",
        *VERSIONED,
    )
    # The workflow (submit, approve, return, reopen) owns the status and who did what; figures stay editable.
    readonly_fields = (*REPORT_WORKFLOW_FIELDS, *VERSIONED)

    def get_readonly_fields(self, request, obj=None):
        # A report stays attached to its village and year; only the figures change (through report_update).
        return self.years_as_written(("village", "year", *self.readonly_fields) if obj else self.readonly_fields)

    @admin.display(description=_("data-quality warnings"))
    def data_quality_warnings(self, report):
        if report.pk is None:
            return "–"
        return "; ".join(warning.message for warning in report_warnings(report)) or _("none")


@admin.register(TownshipReport)
class TownshipReportAdmin(ReviewStepActions, ServiceBackedAdmin, ScopedHistoryAdmin):
    """A township's own yearly figures: entered by its county, reviewed with the same steps as a village's
    report (approve, return and reopen here too), never deleted."""

    scope_selector = staticmethod(township_reports_in_scope_of)
    create_service = staticmethod(reports.township_report_create)
    update_service = staticmethod(reports.township_report_update)
    instance_argument = "report"
    approve_service = staticmethod(reports.township_report_approve)
    first_review_service = staticmethod(reports.township_report_first_review)
    return_service = staticmethod(reports.township_report_return)
    reopen_service = staticmethod(reports.township_report_reopen)
    place_field = "township"
    list_display = ("township", "year", *reports.TOWNSHIP_REPORT_FIGURES, "status", "submitted_at", "reviewed_at")
    list_filter = ("status", YearFilter)
    search_fields = ("^township__code", "township__name")
    ordering = ("-year", "township_id")
    list_select_related = ("township",)
    autocomplete_fields = ("township",)
    inlines = (ReviewEventInline,)
    fields = (
        "township",
        "year",
        *reports.TOWNSHIP_REPORT_FIGURES,
        *(name for name in REPORT_WORKFLOW_FIELDS if name != "data_quality_warnings"),
        "edited_version",
        *VERSIONED,
    )
    readonly_fields = (*(name for name in REPORT_WORKFLOW_FIELDS if name != "data_quality_warnings"), *VERSIONED)

    def get_readonly_fields(self, request, obj=None):
        return ("township", "year", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    scope_selector = staticmethod(review_events_in_scope_of)
    list_display = ("report", "township_report", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    search_fields = ("^report__village__code", "report__village__name", "comment")
    ordering = ("-id",)  # steps are appended: newest first, in the primary key's order
    list_select_related = ("report__village", "township_report__township", "by")


@admin.register(ReportingWindow)
class ReportingWindowAdmin(YearsAsWritten, ServiceBackedAdmin, ScopedHistoryAdmin):
    form = forms.ModelForm  # a window has no version to carry
    create_service = staticmethod(windows.reporting_window_create)
    update_service = staticmethod(windows.reporting_window_update)
    delete_service = staticmethod(windows.reporting_window_delete)
    instance_argument = "window"
    list_display = ("year", "opens_on", "closes_on")
    search_fields = ("year",)
    ordering = ("-year",)
    fields = ("year", "opens_on", "closes_on", *TIMESTAMPS)
    readonly_fields = TIMESTAMPS


@admin.register(CriteriaSet)
class CriteriaSetAdmin(YearsAsWritten, admin.ModelAdmin):
    list_display = (
        "name",
        "first_year",
        "last_year",
        "village_min_sales",
        "village_min_active_shops",
        "village_min_household_share",
        "town_scale_route",
        "subdistricts_can_be_towns",
        "neighbourhood_committee_rule",
    )
    list_filter = ("town_scale_route", "subdistricts_can_be_towns", "neighbourhood_committee_rule")
    search_fields = ("name", "source")
    ordering = ("first_year",)
    fields = (*CRITERIA_FIELDS, *TIMESTAMPS)
    readonly_fields = TIMESTAMPS

    def get_readonly_fields(self, request, obj=None):
        """A version already used for assessments keeps its thresholds: add a new version instead."""
        if obj is not None and obj.assessments.exists():
            return self.years_as_written(name for name in self.fields if name not in CriteriaSet.EDITABLE_WHEN_USED)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in CRITERIA_FIELDS if name in form.cleaned_data}
        if change:
            criteria_set_update(criteria_set=CriteriaSet.objects.get(pk=obj.pk), by=request.user, **values)
        else:
            obj.pk = criteria_set_create(by=request.user, **values).pk


@admin.register(Assessment)
class AssessmentAdmin(YearsAsWritten, IndexedSearchAdmin, ReadOnlyAdmin):
    scope_selector = staticmethod(assessments_in_scope_of)
    list_display = ("village", "year", "qualified", "score", "status_change", "criteria_set", "assessed_at")
    list_filter = (YearFilter, "qualified", "status_change", VillageProvinceFilter)
    search_fields = ("^village__code", "village__name")
    ordering = ("-year", "village_id")  # the index assessment_year_village
    list_select_related = ("village", "criteria_set")
    # What the columns show (a village and a criteria version as their names say them), not the checks, inputs
    # and timestamps.
    list_columns = (
        "year", "qualified", "score", "status_change", "assessed_at", "village__code", "village__name",
        "criteria_set__name", "criteria_set__first_year", "criteria_set__last_year",
    )


@admin.register(TaobaoTown)
class TaobaoTownAdmin(YearsAsWritten, IndexedSearchAdmin, ReadOnlyAdmin):
    scope_selector = staticmethod(taobao_towns_in_scope_of)
    list_display = ("township", "year", "route", "taobao_villages", "ecommerce_sales", "active_shops")
    list_filter = (YearFilter, "route")
    search_fields = ("^township__code", "township__name")
    ordering = ("-year", "township_id")  # a township's key is its code
    list_select_related = ("township",)


@admin.register(VillageCluster)
class VillageClusterAdmin(YearsAsWritten, ReadOnlyAdmin):
    list_display = ("year", "size_class", "village_count", "counties")
    list_filter = (YearFilter, "size_class")
    search_fields = ("villages__name", "villages__code")
    ordering = ("-year", "-village_count")


class AssignedOrTakenBack:
    """An assignment is made or taken back (the services in `villages.services.jurisdiction`), never edited."""

    def has_change_permission(self, request, obj=None):
        return False


class JurisdictionAssignmentInline(AssignedOrTakenBack, admin.TabularInline):
    model = JurisdictionAssignment
    fields = ("division",)
    autocomplete_fields = ("division",)
    extra = 0


@admin.register(JurisdictionAssignment)
class JurisdictionAssignmentAdmin(AssignedOrTakenBack, ServiceBackedAdmin, ScopedHistoryAdmin):
    scope_selector = staticmethod(jurisdiction_assignments_in_scope_of)
    form = forms.ModelForm  # an assignment has no version to carry
    create_service = staticmethod(jurisdiction_assign)
    delete_service = staticmethod(jurisdiction_unassign)
    instance_argument = "assignment"
    list_display = ("user", "division")
    list_filter = ("division__level",)
    search_fields = ("user__username", "division__name", "division__code")
    ordering = ("user__username", "division__code")
    list_select_related = ("user", "division")
    autocomplete_fields = ("user", "division")
    fields = ("user", "division")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class RegistryUserAdmin(ServiceRefusalAdmin, UserAdmin):
    """Django's user admin, with the divisions each user answers for, assigned and taken back by the services."""

    inlines = (JurisdictionAssignmentInline,)

    def save_formset(self, request, form, formset, change):
        if formset.model is not JurisdictionAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # collects the rows to add and to delete, without writing them
        for assignment in formset.deleted_objects:
            jurisdiction_unassign(assignment=assignment, by=request.user)
        for assignment in formset.new_objects:
            jurisdiction_assign(user=form.instance, division=assignment.division, by=request.user)
        return None

    def delete_model(self, request, obj):
        self._unassign_all(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self._unassign_all(request, user)
        super().delete_queryset(request, queryset)

    def _unassign_all(self, request, user):
        # Deleting the user would remove the assignments by cascade, unrecorded: take them back first.
        for assignment in user.jurisdiction_assignments.select_related("user"):
            jurisdiction_unassign(assignment=assignment, by=request.user)
