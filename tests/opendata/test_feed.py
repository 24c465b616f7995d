"""The Atom feed of new publications, linked from every public page's <head>."""

from defusedxml import ElementTree as ET
from django.test import Client

from opendata import feeds

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(path="/feeds/publications.atom"):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_the_feed_lists_exactly_the_published_publications_newest_first(open_world):
    feed, entries = _entries()
    assert feed.find(f"{ATOM}title").text == "罗庄区“双随机、一公开”新公开的检查结果"
    shop, school, clean = (open_world.results[key] for key in ("shop", "school", "clean"))
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [
        "罗庄区小明烧烤店：罗庄区市场监督管理局公开“区市场监管局2026年第1次抽查”检查结果",
        '=HYPERLINK("http://example.com")培训学校：罗庄区教育局公开“区教育局2025年第1次抽查”检查结果',
        "罗庄测试商贸有限公司1号：罗庄区市场监督管理局公开“区市场监管局2026年第1次抽查”检查结果",
    ]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver/businesses/{shop.credit_code}/"
    assert first.find(f"{ATOM}id").text == f"urn:luozhuang-dsj:publication:{shop.publication_id}"
    assert first.find(f"{ATOM}published").text == "2026-11-05T09:30:00+08:00"
    assert first.find(f"{ATOM}updated").text == "2026-11-10T15:00:00+08:00"
    assert first.find(f"{ATOM}summary").text == (
        f"{shop.credit_code} 罗庄区小明烧烤店（SCJG-2026-001）。食品经营者的监督检查：已改正"
    )
    assert [entry.find(f"{ATOM}author/{ATOM}name").text for entry in entries] == [
        "罗庄区市场监督管理局",
        "罗庄区教育局",
        "罗庄区市场监督管理局",
    ]
    text = Client().get("/feeds/publications.atom").content.decode()
    assert "区市场监管局2026年第2次抽查" not in text  # the pending publication
    assert school.pk and clean.pk


def test_the_feed_keeps_only_the_latest_publications(open_world, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_SIZE", 2)
    monkeypatch.setattr(feeds.latest_publications, "__defaults__", (2,))
    _, entries = _entries()
    assert [entry.find(f"{ATOM}published").text for entry in entries] == [
        "2026-11-05T09:30:00+08:00",
        "2026-11-03T10:00:00+08:00",
    ]


def test_every_public_page_links_the_feed_in_its_head(open_world):
    for path in ("/", "/open-data/", "/search/", "/plans/"):
        head = Client().get(path).content.decode().split("</head>")[0]
        assert (
            '<link rel="alternate" type="application/atom+xml" title="新公开的检查结果（Atom）" '
            'href="/feeds/publications.atom">'
        ) in head
