from django.urls import path

from office import views_dashboard

urlpatterns: list = [
    path("dashboard/", views_dashboard.dashboard_home, name="dashboard-home"),
    path("dashboard/<slug:figure>/", views_dashboard.dashboard_rows, name="dashboard-rows"),
    path("dashboard/<slug:figure>/export/", views_dashboard.dashboard_export, name="dashboard-export"),
]
