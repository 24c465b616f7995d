from django.urls import path

from office import views_assessment as assessment
from office import views_dashboard

urlpatterns: list = [
    path("dashboard/", views_dashboard.dashboard_home, name="dashboard-home"),
    path("dashboard/<slug:figure>/", views_dashboard.dashboard_rows, name="dashboard-rows"),
    path("dashboard/<slug:figure>/export/", views_dashboard.dashboard_export, name="dashboard-export"),
    path("assessment/", assessment.assessment_home, name="assessment-home"),
    path("assessment/export/", assessment.assessment_export, name="assessment-export"),
    path("assessment/weights/", assessment.assessment_weights, name="assessment-weights"),
    path("assessment/<str:code>/<str:metric>/", assessment.assessment_metric, name="assessment-metric"),
    path(
        "assessment/<str:code>/<str:metric>/export/",
        assessment.assessment_metric_export,
        name="assessment-metric-export",
    ),
    path("duty/", assessment.duty_list, name="duty-list"),
    path("duty/export/", assessment.duty_export, name="duty-export"),
    path("reports/summary/", assessment.report_summary, name="report-summary"),
    path("reports/summary/export/", assessment.report_summary_export, name="report-summary-export"),
]
