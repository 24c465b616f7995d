from django.urls import path

from exchange import views

urlpatterns = [
    path("", views.exchange_home, name="exchange-home"),
    path("run/", views.exchange_run_start, name="exchange-run"),
    path("upload/", views.exchange_upload, name="exchange-upload"),
    path("export/", views.exchange_export, name="exchange-export"),
    path("items/<int:pk>/", views.exchange_item_detail, name="exchange-item"),
    path("items/<int:pk>/retry/", views.exchange_item_retry, name="exchange-item-retry"),
    path("inbound/<int:pk>/", views.exchange_inbound_detail, name="exchange-inbound"),
]
