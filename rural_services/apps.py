"""App configuration of the rural services app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RuralServicesConfig(AppConfig):
    name = "rural_services"
    verbose_name = _("Rural Taobao services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the service network's import kinds and export list with the villages app's engines.
        from rural_services import exports, imports  # noqa: F401
