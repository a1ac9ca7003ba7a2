"""The service-point list export: visible points, filtered like the API list, with its columns."""

from rural_services.filters import ServicePointFilter
from rural_services.selectors import service_points_visible_to
from villages.exports.formats import export_columns
from villages.exports.sources import ExportSource, register_export_source

register_export_source("service_points", ExportSource(
    service_points_visible_to, ServicePointFilter, ("code",), export_columns(
        ("code", "Service point code", "服务站编码"),
        ("name", "Name", "名称"),
        ("village__code", "Village code", "村代码"),
        ("county_center__name", "County operation centre", "县级运营中心"),
        ("status", "Status", "状态"),
        ("opened_on", "Opened on", "开业日期"),
        ("closed_on", "Closed on", "关闭日期"),
        ("latitude", "Latitude", "纬度"),
        ("longitude", "Longitude", "经度"),
    ),
))
