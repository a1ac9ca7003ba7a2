"""App configuration of the rural services app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RuralServicesConfig(AppConfig):
    name = "rural_services"
    verbose_name = _("Rural Taobao services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the service network's import kinds, export list, page parts and drill-down column with villages.
        from rural_services import exports, imports  # noqa: F401
        from rural_services.drill_down import SERVICE_POINTS_COLUMN
        from villages.page_parts import DASHBOARD, HOME_ACTIONS, VILLAGE_DETAIL, register_page_part
        from villages.selectors.drill_down import register_area_count

        register_area_count(SERVICE_POINTS_COLUMN)

        register_page_part(DASHBOARD, "rural_services/includes/dashboard_part.html")
        register_page_part(HOME_ACTIONS, "rural_services/includes/home_actions.html")
        register_page_part(VILLAGE_DETAIL, "rural_services/includes/village_detail_part.html")
