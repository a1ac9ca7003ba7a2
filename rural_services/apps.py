"""App configuration of the rural services app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RuralServicesConfig(AppConfig):
    name = "rural_services"
    verbose_name = _("Rural Taobao services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the service network's import kinds, export list and page parts with the villages app.
        from rural_services import exports, imports  # noqa: F401
        from villages.page_parts import DASHBOARD, HOME_ACTIONS, VILLAGE_DETAIL, register_page_part

        register_page_part(DASHBOARD, "rural_services/includes/dashboard_part.html")
        register_page_part(HOME_ACTIONS, "rural_services/includes/home_actions.html")
        register_page_part(VILLAGE_DETAIL, "rural_services/includes/village_detail_part.html")
