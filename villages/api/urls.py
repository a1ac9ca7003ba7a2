"""Routes of the villages API (with its imports and exports), included under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from villages.api import (
    completeness,
    evidence,
    feed,
    imports,
    inbox,
    open_data,
    presubmit,
    public_records,
    reconciliation,
    views,
)

router = SimpleRouter()
router.register("divisions", views.DivisionViewSet, basename="division")
router.register("villages", views.VillageViewSet, basename="village")
router.register("shops", views.OnlineShopViewSet, basename="shop")
router.register("reports", views.AnnualReportViewSet, basename="report")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("criteria", views.CriteriaSetViewSet, basename="criteria")
router.register("taobao-towns", views.TaobaoTownViewSet, basename="taobao-town")
router.register("clusters", views.VillageClusterViewSet, basename="cluster")
router.register("stats/yearly", views.YearlyStatisticsViewSet, basename="stats-yearly")
router.register("township-reports", views.TownshipReportViewSet, basename="township-report")
router.register("township-points", views.TownshipPointViewSet, basename="township-point")
router.register("village-conversions", views.VillageConversionViewSet, basename="village-conversion")
router.register("township-conversions", views.TownshipConversionViewSet, basename="township-conversion")
router.register("certificates", public_records.CertificateViewSet, basename="certificate")
router.register("status-changes", public_records.StatusChangeViewSet, basename="status-change")
router.register("reconciliation", reconciliation.ReconciliationViewSet, basename="reconciliation")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("imports/", imports.ImportJobListCreate.as_view(), name="import-list"),
    path("imports/<int:pk>/", imports.ImportJobDetail.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", imports.ImportJobConfirm.as_view(), name="import-confirm"),
    path("imports/<int:pk>/retry/", imports.ImportJobRetry.as_view(), name="import-retry"),
    path("imports/<int:pk>/errors.csv", imports.ImportJobErrors.as_view(), name="import-errors"),
    path("imports/templates/<str:kind>.<str:extension>", imports.ImportTemplate.as_view(), name="import-template"),
    path("completeness/", completeness.CompletenessView.as_view(), name="completeness"),
    path("reporting-tracks/", completeness.ReportingTrackListCreate.as_view(), name="reporting-track-list"),
    path("reporting-tracks/<int:pk>/", completeness.ReportingTrackDetail.as_view(), name="reporting-track-detail"),
    path("exports/<str:list_name>.<str:extension>", imports.ListExport.as_view(), name="export-list"),
    path("reports/<str:report_id>/attachments/", evidence.ReportAttachmentList.as_view(), name="report-attachments"),
    path(
        "reports/<str:report_id>/attachments/<str:attachment_id>/",
        evidence.ReportAttachmentDetail.as_view(),
        name="report-attachment",
    ),
    path(
        "reports/<str:report_id>/attachments/<str:attachment_id>/file/",
        evidence.ReportAttachmentFile.as_view(),
        name="report-attachment-file",
    ),
    path("reports/<str:report_id>/comments/", evidence.ReportCommentList.as_view(), name="report-comments"),
    path(
        "reports/<str:report_id>/expected-result/",
        presubmit.ReportExpectedResult.as_view(),
        name="report-expected-result",
    ),
    path("notifications/", inbox.NotificationList.as_view(), name="notification-list"),
    path("notifications/<str:notification_id>/read/", inbox.NotificationRead.as_view(), name="notification-read"),
    path("open-data/", open_data.OpenDataIndex.as_view(), name="open-data"),
    path("feed/shop-years/", feed.FeedShopYears.as_view(), name="feed-shop-years"),
    path("feed/village-years/", feed.FeedVillageYears.as_view(), name="feed-village-years"),
    path("feed/batches/", feed.FeedBatchList.as_view(), name="feed-batch-list"),
    path("feed/batches/<int:pk>/", feed.FeedBatchDetail.as_view(), name="feed-batch-detail"),
    *router.urls,
]
