"""Registers the service-point list with the villages app's exports: visible points, filtered like the API list."""

from rural_services.filters import ServicePointFilter
from rural_services.selectors import service_points_visible_to
from villages.list_exports import ExportSource, register_export_source

register_export_source("service_points", ExportSource(service_points_visible_to, ServicePointFilter, ("code",)))
