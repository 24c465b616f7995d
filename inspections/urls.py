from django.urls import path

from inspections import views

urlpatterns = [
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/from-plan/", views.task_from_plan, name="task-from-plan"),
    path("tasks/special/", views.task_create_special, name="task-create-special"),
    path("tasks/special/matter-options/", views.task_matter_options, name="task-matter-options"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/preview/", views.task_preview, name="task-preview"),
    path("tasks/<int:pk>/rules/", views.task_rules, name="task-rules"),
    path("tasks/<int:pk>/joint-visits/", views.task_join_visits, name="task-join-visits"),
    path("tasks/<int:pk>/prepare/", views.draw_prepare, name="draw-prepare"),
    path("draws/<int:pk>/", views.draw_detail, name="draw-detail"),
    path("draws/<int:pk>/execute/", views.draw_execute, name="draw-execute"),
    path("draws/<int:pk>/cancel/", views.draw_cancel, name="draw-cancel"),
    path("draws/<int:pk>/adjust/", views.draw_adjust, name="draw-adjust"),
    path("draws/<int:pk>/record-full.json", views.draw_full_record, name="draw-full-record"),
    path("draws/<int:pk>/pool.jsonl", views.draw_pool, name="draw-pool"),
    path("audit/draws/", views.audit_draw_list, name="audit-draw-list"),
    path("audit/draws/<int:pk>/", views.audit_draw_detail, name="audit-draw-detail"),
    path(
        "audit/draws/<int:pk>/record-full.json", views.audit_draw_full_record, name="audit-draw-full-record"
    ),
    path("audit/draws/<int:pk>/pool.jsonl", views.audit_draw_pool, name="audit-draw-pool"),
]
