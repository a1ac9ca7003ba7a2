"""Routes of the villages API, included under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from villages.api import views

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

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    *router.urls,
]
