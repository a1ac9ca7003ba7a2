"""Django admin of the province approval policies (one or two review levels), for administrators only.

Every save and delete goes through `villages.services.approval`; the roles were created before this model
existed, so the permission checks ask for the administrator role rather than model permissions.
"""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from villages.admin.service_backed import ServiceBackedAdmin
from villages.models import ProvinceApprovalPolicy
from villages.selectors.jurisdiction import is_administrator
from villages.services import approval


@admin.register(ProvinceApprovalPolicy)
class ProvinceApprovalPolicyAdmin(ServiceBackedAdmin, SimpleHistoryAdmin):
    form = forms.ModelForm  # a policy has no version to carry
    create_service = staticmethod(approval.approval_policy_create)
    update_service = staticmethod(approval.approval_policy_update)
    delete_service = staticmethod(approval.approval_policy_delete)
    instance_argument = "policy"
    list_display = ("province", "levels", "updated_at")
    list_filter = ("levels",)
    search_fields = ("province__code", "province__name")
    ordering = ("province",)
    fields = ("province", "levels", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("province",)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_module_permission(self, request):
        return is_administrator(request.user)
