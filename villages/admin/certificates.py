"""The admin's read-only list of certificates: issued and revoked by the certification service, never by hand."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from villages.admin.scoped import IndexedSearchAdmin, ReadOnlyAdmin, VillageProvinceFilter, YearFilter, YearsAsWritten
from villages.models import Certificate
from villages.selectors.certificates import certificates_in_scope_of


class CertificateStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Certificate.State.choices

    def queryset(self, request, queryset):
        if self.value() == Certificate.State.VALID:
            return queryset.filter(revoked_on__isnull=True)
        if self.value() == Certificate.State.REVOKED:
            return queryset.filter(revoked_on__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(YearsAsWritten, IndexedSearchAdmin, ReadOnlyAdmin):
    scope_selector = staticmethod(certificates_in_scope_of)
    list_display = (
        "serial", "village", "year", "criteria_set", "issuing_authority", "issued_on", "revoked_on", "revoked_reason"
    )
    list_filter = (YearFilter, CertificateStateFilter, "revoked_reason", VillageProvinceFilter)
    search_fields = ("serial", "^village__code", "village__name")
    ordering = ("-id",)
    list_select_related = ("village", "criteria_set")
