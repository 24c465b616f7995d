from django.urls import path

from disclosure import views

urlpatterns = [
    path("", views.home, name="public-home"),
    path("search/", views.search, name="public-search"),
    path("businesses/<str:code>/", views.business, name="public-business"),
    path("tasks/<str:code>/", views.task, name="public-task"),
    path("results/<int:pk>/objection/", views.objection_new, name="public-objection"),
    path("objections/<str:reference>/", views.objection_done, name="public-objection-done"),
    path("draws/", views.draw_list, name="public-draws"),
    path("draws/verifier.py", views.draw_verifier, name="public-draw-verifier"),
    path("draws/<int:pk>/", views.draw_detail, name="public-draw"),
    path("draws/<int:pk>/record.json", views.draw_record, name="public-draw-record"),
    path("draws/<int:pk>/frame.txt", views.draw_frame, name="public-draw-frame"),
]
