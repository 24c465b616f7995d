from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

from inspections import views_results as inspection_views
from luozhuang_dsj import account_views, import_views, views

urlpatterns = [
    path("", include("disclosure.urls")),
    path("", include("plans.public_urls")),
    path("", include("opendata.urls")),
    path("api/public/", include("opendata.api_urls")),
    path("healthz", views.healthz, name="healthz"),
    # The OpenAPI schema of the staff API (schemathesis tests against it); signed-in users only.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password-change"),
    path("accounts/2fa/", account_views.otp_verify, name="otp-verify"),
    path("accounts/2fa/setup/", account_views.otp_setup, name="otp-setup"),
    path("work/", views.staff_home, name="staff-home"),
    path("work/office/", views.office_home, name="office-home"),
    path("work/office/", include("registry.urls")),
    path("work/registry/", include("registry.urls_registry")),
    path("work/imports/", import_views.import_history, name="import-history"),
    path("work/imports/<uuid:pk>/", import_views.import_detail, name="import-detail"),
    path("work/imports/<uuid:pk>/confirm/", import_views.import_confirm_view, name="import-confirm"),
    path("work/imports/<uuid:pk>/cancel/", import_views.import_cancel_view, name="import-cancel"),
    path("work/imports/<uuid:pk>/file/", import_views.import_original_file, name="import-file"),
    path("work/imports/templates/<str:kind>.xlsx", import_views.import_template, name="import-template"),
    path("api/registry/", include("registry.api_urls")),
    path("api/inspections/", include("inspections.api_urls")),
    path("work/department/", views.department_home, name="department-home"),
    path("work/", include("disclosure.staff_urls")),
    path("work/", include("plans.urls")),
    path("work/", include("inspections.urls")),
    path("work/", include("notices.urls")),
    path("work/office/", include("office.urls")),
    path("work/exchange/", include("exchange.urls")),
    path("work/inspector/", inspection_views.inspector_home, name="inspector-home"),
    path("work/audit/", views.audit_home, name="audit-home"),
    path("work/audit/verify/", views.audit_verify, name="audit-verify"),
    path("work/audit/export/", views.audit_export, name="audit-export"),
    path("work/audit/events/<int:pk>/", views.audit_event_detail, name="audit-event"),
    path("work/sysadmin/", views.sysadmin_home, name="sysadmin-home"),
    path("work/sysadmin/users/new/", views.sysadmin_user_create, name="sysadmin-user-create"),
    path("work/sysadmin/users/<int:pk>/", views.sysadmin_user_edit, name="sysadmin-user-edit"),
    path("work/security/", views.security_home, name="security-home"),
    path(
        "work/security/users/<int:pk>/password/",
        views.security_password_reset,
        name="security-password-reset",
    ),
    path("work/security/users/<int:pk>/unlock/", views.security_unlock, name="security-unlock"),
    path("work/security/users/<int:pk>/2fa-reset/", views.security_otp_reset, name="security-otp-reset"),
    path("work/jobs/<uuid:pk>/", views.job_detail, name="job-detail"),
    path("work/jobs/<uuid:pk>/download/", views.job_download, name="job-download"),
]

handler403 = "luozhuang_dsj.errors.permission_denied"
handler404 = "luozhuang_dsj.errors.page_not_found"
handler500 = "luozhuang_dsj.errors.server_error"
