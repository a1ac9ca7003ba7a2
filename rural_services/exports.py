"""The service-point list export: visible points, filtered like the API list, with its columns."""

from rural_services import headers as service_headers
from rural_services.filters import ServicePointFilter
from rural_services.selectors import service_points_visible_to
from villages import headers
from villages.exports.formats import ExportColumn
from villages.exports.sources import ExportSource, register_export_source

register_export_source("service_points", ExportSource(service_points_visible_to, ServicePointFilter, ("code",), (
    ExportColumn("code", service_headers.SERVICE_POINT_CODE),
    ExportColumn("name", headers.NAME),
    ExportColumn("village__code", headers.VILLAGE_CODE),
    ExportColumn("county_center__name", service_headers.COUNTY_CENTER),
    ExportColumn("status", headers.STATUS),
    ExportColumn("opened_on", service_headers.OPENED_ON),
    ExportColumn("closed_on", service_headers.CLOSED_ON),
    ExportColumn("latitude", headers.LATITUDE),
    ExportColumn("longitude", headers.LONGITUDE),
)))
