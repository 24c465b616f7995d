"""The demo shows the portal: the closed demo inspection published by both departments,
searchable and on its business page, and an objection waiting for 区市场监管局."""

import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from disclosure.models import Objection, PublishedResult
from luozhuang_dsj.models import User
from tests.conftest import client_for


def test_the_demo_leaves_published_results_and_an_objection(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--targets", "600", "--inspectors", "80", "--seed", "5", stdout=io.StringIO())
    rows = list(PublishedResult.objects.order_by("department__code"))
    assert sorted(row.department.code for row in rows) == ["JYJ", "SCJG"]
    assert {row.credit_code for row in rows} == {rows[0].credit_code}
    objection = Objection.objects.get()
    assert (objection.status, objection.department.code) == ("filed", "SCJG")
    business = Client().get(reverse("public-business", args=[rows[0].credit_code])).content.decode()
    assert "区市场监管局" in business and "区教育局" in business and objection.reference in business
    head = User.objects.get(username="scjg_head")
    assert objection.reference in client_for(head).get(reverse("objection-list")).content.decode()
    call_command("seed_demo", "--targets", "600", "--inspectors", "80", "--seed", "5", stdout=io.StringIO())
    assert PublishedResult.objects.count() == 2 and Objection.objects.count() == 1
