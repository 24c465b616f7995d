from django.urls import path

from plans import public_views as views

urlpatterns = [
    path("lists/", views.matter_lists, name="public-matter-lists"),
    path("lists/<str:code>/", views.matter_list, name="public-matter-list"),
    path("lists/<str:code>/v<int:number>/", views.matter_list, name="public-matter-list-version"),
    path(
        "lists/<str:code>/v<int:number>/export.xlsx",
        views.matter_list_export,
        name="public-matter-list-export",
    ),
    path("plans/", views.plans, name="public-plans"),
    path("plans/<int:pk>/", views.plan, name="public-plan"),
    path("plans/<int:pk>/r<int:number>/", views.plan, name="public-plan-revision"),
    path("plans/<int:pk>/r<int:number>/export.xlsx", views.plan_export, name="public-plan-export"),
    path("exemptions/", views.exemptions, name="public-exemptions"),
]
