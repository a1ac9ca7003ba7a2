"""Routes of the villages API (with its imports and exports), included under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from villages.api import feed, imports, views

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
router.register("village-conversions", views.VillageConversionViewSet, basename="village-conversion")
router.register("township-conversions", views.TownshipConversionViewSet, basename="township-conversion")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("imports/", imports.ImportJobListCreate.as_view(), name="import-list"),
    path("imports/<int:pk>/", imports.ImportJobDetail.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", imports.ImportJobConfirm.as_view(), name="import-confirm"),
    path("imports/<int:pk>/retry/", imports.ImportJobRetry.as_view(), name="import-retry"),
    path("imports/<int:pk>/errors.csv", imports.ImportJobErrors.as_view(), name="import-errors"),
    path("imports/templates/<str:kind>.<str:extension>", imports.ImportTemplate.as_view(), name="import-template"),
    path("exports/<str:list_name>.<str:extension>", imports.ListExport.as_view(), name="export-list"),
    path("feed/shop-years/", feed.FeedShopYears.as_view(), name="feed-shop-years"),
    path("feed/village-years/", feed.FeedVillageYears.as_view(), name="feed-village-years"),
    path("feed/batches/", feed.FeedBatchList.as_view(), name="feed-batch-list"),
    path("feed/batches/<int:pk>/", feed.FeedBatchDetail.as_view(), name="feed-batch-detail"),
    *router.urls,
]
