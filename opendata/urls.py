from django.urls import path, re_path

from opendata import views
from opendata.feeds import PublicationsFeed

urlpatterns = [
    path("open-data/", views.index, name="opendata-index"),
    path("open-data/dictionary/", views.dictionary, name="opendata-dictionary"),
    path("open-data/dictionary.json", views.dictionary_json, name="opendata-dictionary-json"),
    re_path(
        r"^open-data/(?P<day>latest|\d{4}-\d{2}-\d{2})/(?P<filename>[a-z]+\.(?:csv|xlsx|json))$",
        views.snapshot_file,
        name="opendata-file",
    ),
    path("feeds/publications.atom", PublicationsFeed(), name="feed-publications"),
]
