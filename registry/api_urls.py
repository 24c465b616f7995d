from rest_framework.routers import SimpleRouter

from registry import apis

router = SimpleRouter()
router.register("targets", apis.TargetViewSet, basename="api-target")
router.register("sub-registries", apis.SubRegistryViewSet, basename="api-sub-registry")
router.register("inspectors", apis.InspectorViewSet, basename="api-inspector")

urlpatterns = router.urls
