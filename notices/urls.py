from django.urls import path

from notices import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("calendar/", views.holiday_calendar, name="holiday-calendar"),
    path("calendar/new/", views.holiday_year_create, name="holiday-year-create"),
    path("calendar/<int:year>/", views.holiday_year, name="holiday-year"),
    path("calendar/<int:year>/edit/", views.holiday_year_edit, name="holiday-year-edit"),
    path("calendar/<int:year>/delete/", views.holiday_year_delete, name="holiday-year-delete"),
    path("calendar/days/<int:pk>/delete/", views.holiday_day_delete, name="holiday-day-delete"),
    path("roster/", views.roster_list, name="roster-list"),
    path("roster/new/", views.roster_edit, name="roster-create"),
    path("roster/<int:pk>/", views.roster_edit, name="roster-edit"),
    path("roster/<int:pk>/delete/", views.roster_delete, name="roster-delete"),
]
