"""Web pages of the villages app: home, public dashboard, villages, shops, reports, review and imports."""

from django.urls import path

from villages.views import (
    divisions,
    exports,
    home,
    imports,
    public,
    reconciliation,
    reports,
    shops,
    township_reports,
    villages,
)

app_name = "villages"

urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard/", public.dashboard, name="dashboard"),
    path("divisions.json", divisions.division_options, name="division_options"),
    path("village-codes.json", divisions.village_code_options, name="village_code_options"),
    path("dashboard/certified.<str:extension>", exports.certified_list_export, name="certified_export"),
    path("villages/", villages.village_list, name="village_list"),
    path("villages/export.<str:extension>", exports.village_list_export, name="village_export"),
    path("villages/new/", villages.village_create_view, name="village_create"),
    path("villages/<str:code>/", villages.village_detail, name="village_detail"),
    path("villages/<str:code>/edit/", villages.village_edit_view, name="village_edit"),
    path("villages/<str:code>/delete/", villages.village_delete_view, name="village_delete"),
    path("villages/<str:code>/withdraw/", villages.village_withdraw_view, name="village_withdraw"),
    path("villages/<str:code>/shops/new/", shops.shop_create_view, name="shop_create"),
    path("villages/<str:code>/reports/new/", reports.report_create_view, name="report_create"),
    path("shops/<int:shop_id>/edit/", shops.shop_edit_view, name="shop_edit"),
    path("shops/<int:shop_id>/delete/", shops.shop_delete_view, name="shop_delete"),
    path("shops/<int:shop_id>/years/new/", shops.shop_year_create_view, name="shop_year_create"),
    path("shop-years/<int:shop_year_id>/edit/", shops.shop_year_edit_view, name="shop_year_edit"),
    path("shop-years/<int:shop_year_id>/delete/", shops.shop_year_delete_view, name="shop_year_delete"),
    path("reports/<int:report_id>/", reports.report_detail, name="report_detail"),
    path("reports/<int:report_id>/edit/", reports.report_edit_view, name="report_edit"),
    path("reports/<int:report_id>/delete/", reports.report_delete_view, name="report_delete"),
    path("reports/<int:report_id>/submit/", reports.report_submit_view, name="report_submit"),
    path("reports/<int:report_id>/review/", reports.report_review_view, name="report_review"),
    path(
        "townships/<str:code>/reports/new/",
        township_reports.township_report_create_view,
        name="township_report_create",
    ),
    path("township-reports/<int:report_id>/", township_reports.township_report_detail, name="township_report_detail"),
    path(
        "township-reports/<int:report_id>/edit/",
        township_reports.township_report_edit_view,
        name="township_report_edit",
    ),
    path(
        "township-reports/<int:report_id>/step/",
        township_reports.township_report_step_view,
        name="township_report_step",
    ),
    path("review/", reports.review_queue_view, name="review_queue"),
    path("reconciliation/", reconciliation.reconciliation_list, name="reconciliation_list"),
    path(
        "platform-shops/<int:platform_shop_year_id>/register/",
        reconciliation.register_from_feed,
        name="register_from_feed",
    ),
    path("imports/", imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", imports.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", imports.import_job_confirm_view, name="import_job_confirm"),
    path("imports/<int:pk>/errors.csv", imports.import_job_errors, name="import_job_errors"),
    path("imports/templates/<str:kind>.<str:extension>", imports.import_template, name="import_template"),
]
