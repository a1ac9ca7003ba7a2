"""Routes of the service-network API, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from rural_services.api import views

router = SimpleRouter()
router.register("county-centers", views.CountyOperationCenterViewSet, basename="county-center")
router.register("service-points", views.ServicePointViewSet, basename="service-point")

urlpatterns = router.urls
