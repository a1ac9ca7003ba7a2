"""App configuration of the rural services app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RuralServicesConfig(AppConfig):
    name = "rural_services"
    verbose_name = _("Rural Taobao services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the service network's import kinds with the villages app's import engine.
        from rural_services import imports  # noqa: F401
