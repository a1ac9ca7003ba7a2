"""App configuration of the villages app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Taobao villages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the villages app's import kinds with the import registry.
        from villages.imports import kinds  # noqa: F401
