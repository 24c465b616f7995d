from django.urls import path

from disclosure import staff_views as views

urlpatterns = [
    path("publications/", views.publication_list, name="publication-list"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("publications/<int:pk>/publish/", views.publication_publish, name="publication-publish"),
    path("objections/", views.objection_list, name="objection-list"),
    path("objections/<int:pk>/", views.objection_detail, name="objection-detail"),
    path(
        "objections/<int:pk>/attachments/<int:attachment_pk>/",
        views.objection_attachment,
        name="objection-attachment",
    ),
]
