from rest_framework.routers import SimpleRouter

from inspections import apis

router = SimpleRouter()
router.register("results", apis.MatterResultViewSet, basename="api-result")

urlpatterns = router.urls
