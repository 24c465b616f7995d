from django.urls import path

from disclosure import views

urlpatterns = [
    path("", views.home, name="public-home"),
    path("draws/", views.draw_list, name="public-draws"),
    path("draws/verifier.py", views.draw_verifier, name="public-draw-verifier"),
    path("draws/<int:pk>/", views.draw_detail, name="public-draw"),
    path("draws/<int:pk>/record.json", views.draw_record, name="public-draw-record"),
    path("draws/<int:pk>/frame.txt", views.draw_frame, name="public-draw-frame"),
]
