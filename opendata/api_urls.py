from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from opendata import api
from opendata.schema import PUBLIC_SCHEMA_SETTINGS

urlpatterns = [
    path("results/", api.ResultList.as_view(), name="public-api-results"),
    path("plans/", api.PlanList.as_view(), name="public-api-plans"),
    path("matter-lists/", api.MatterListList.as_view(), name="public-api-matter-lists"),
    path("draws/", api.DrawList.as_view(), name="public-api-draws"),
    # The public API's own OpenAPI schema, open to anyone.
    path(
        "schema/",
        SpectacularAPIView.as_view(
            permission_classes=[AllowAny], authentication_classes=[], custom_settings=PUBLIC_SCHEMA_SETTINGS
        ),
        name="public-api-schema",
    ),
]
