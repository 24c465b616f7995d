from django.urls import path

from registry import views

urlpatterns = [
    path("departments/new/", views.department_edit, name="department-create"),
    path("departments/<str:code>/", views.department_edit, name="department-edit"),
]
