from django.urls import path

from registry import views

urlpatterns = [
    path("targets/", views.target_list, name="target-list"),
    path("targets/new/", views.target_edit, name="target-create"),
    path("targets/import/", views.target_import, name="target-import"),
    path("targets/export/", views.target_export, name="target-export"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("sub-registries/", views.sub_registry_list, name="sub-registry-list"),
    path("sub-registries/new/", views.sub_registry_edit, name="sub-registry-create"),
    path("sub-registries/<int:pk>/", views.sub_registry_detail, name="sub-registry-detail"),
    path("sub-registries/<int:pk>/edit/", views.sub_registry_edit, name="sub-registry-edit"),
    path("sub-registries/<int:pk>/delete/", views.sub_registry_delete, name="sub-registry-delete"),
    path("sub-registries/<int:pk>/members/add/", views.sub_registry_add, name="sub-registry-add"),
    path(
        "sub-registries/<int:pk>/members/<int:target_pk>/remove/",
        views.sub_registry_remove,
        name="sub-registry-remove",
    ),
    path("sub-registries/<int:pk>/import/", views.sub_registry_import, name="sub-registry-import"),
    path("sub-registries/<int:pk>/export/", views.sub_registry_export, name="sub-registry-export"),
    path("inspectors/", views.inspector_list, name="inspector-list"),
    path("inspectors/new/", views.inspector_edit, name="inspector-create"),
    path("inspectors/import/", views.inspector_import, name="inspector-import"),
    path("inspectors/export/", views.inspector_export, name="inspector-export"),
    path("inspectors/<int:pk>/", views.inspector_detail, name="inspector-detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit, name="inspector-edit"),
    path(
        "inspectors/<int:pk>/unavailable/",
        views.inspector_unavailability_add,
        name="inspector-unavailability-add",
    ),
    path(
        "inspectors/<int:pk>/unavailable/<int:period_pk>/delete/",
        views.inspector_unavailability_remove,
        name="inspector-unavailability-remove",
    ),
    path("inspectors/<int:pk>/conflicts/", views.inspector_conflict_add, name="inspector-conflict-add"),
    path("conflicts/<int:pk>/withdraw/", views.conflict_withdraw, name="conflict-withdraw"),
    path("my-conflicts/", views.my_conflicts, name="my-conflicts"),
]
