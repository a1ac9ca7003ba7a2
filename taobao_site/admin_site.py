"""The registry's admin site: Django's, with the application list's names made text once per request.

Every admin page builds the list of applications and models for its navigation sidebar, then sorts it by the
models' names. Those names are lazy translations (`capfirst` of a verbose name): each comparison of the sort
translated both sides again, some two hundred translations per page, a millisecond of every admin page. The
names are made text once, in the request's language, before the sort; the order and what is written are the
same.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class RegistryAdminSite(admin.AdminSite):
    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        for app in app_dict.values():
            app["name"] = str(app["name"])
            for model in app["models"]:
                model["name"] = str(model["name"])
        return app_dict


class RegistryAdminConfig(AdminConfig):
    default_site = "taobao_site.admin_site.RegistryAdminSite"
