from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from luozhuang_dsj import import_views, views
from luozhuang_dsj.lib.access import login_only

urlpatterns = [
    path("", include("disclosure.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password-change"),
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
    path("api/schema/", login_only(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/registry/", include("registry.api_urls")),
    path("work/department/", views.department_home, name="department-home"),
    path("work/inspector/", views.inspector_home, name="inspector-home"),
    path("work/audit/", views.audit_home, name="audit-home"),
    path("work/audit/verify/", views.audit_verify, name="audit-verify"),
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
    path("work/jobs/<uuid:pk>/", views.job_detail, name="job-detail"),
    path("work/jobs/<uuid:pk>/download/", views.job_download, name="job-download"),
]

handler403 = "luozhuang_dsj.errors.permission_denied"
handler404 = "luozhuang_dsj.errors.page_not_found"
handler500 = "luozhuang_dsj.errors.server_error"
