"""No personal data anywhere on the public side.

The database holds what must never leak: inspectors' names, 执法证号 and phones (on a drawn
task's teams), individual businesses' operators and home addresses, staff phones, ID
numbers, and objections' contact names and phones. The crawl opens every public URL the
resolver knows (every @public view and public API endpoint, with the access matrix's
samples), then follows every link it finds on the public pages, and reads every answer
(HTML, JSON, text, spreadsheets) for those values and for ID and mobile number patterns.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from disclosure.models import PublishedResult
from disclosure.services import ObjectionData, objection_decide, objection_file
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from registry.models import Inspector, Target
from tests.access.samples import SampleContext, load_all_samples
from tests.access.urls import all_endpoints, example_path, rule_of
from tests.disclosure.helpers import closed_inspection, published, target, task_of, user_of
from tests.inspections.helpers import build_world, drawn_task

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
SKIPPED_PREFIXES = ("/work/", "/accounts/", "/static/", "/admin/", "/media/")
INSPECTOR_NAMES = ["赵铁柱", "钱德明", "孙立新", "李卫东", "周海涛", "吴建国"]


@pytest.fixture
def personal_world(office_user, staff, head, outsider, cast, scjg, jyj, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(office_user, staff, outsider, targets=12)
    for number, inspector in enumerate(Inspector.objects.order_by("code")):
        inspector.name = INSPECTOR_NAMES[number % len(INSPECTOR_NAMES)] + ("" if number < 6 else str(number))
        inspector.certificate_number = f"鲁执法371300{number:04d}" if inspector.certificate_number else ""
        inspector.phone = f"1380539{number:04d}"
        inspector.save()
    for number, subject in enumerate(world.targets[:6]):
        subject.kind = Target.Kind.INDIVIDUAL
        subject.legal_representative = f"王小{'明红刚强勇军'[number]}"
        subject.address = f"罗庄区盛庄街道幸福路{number + 10}号{number + 1}单元"
        subject.save()
    drawn_task(world, staff)
    User.objects.filter(pk=staff.pk).update(phone="13705391234")
    staff.refresh_from_db()
    # Published results: an individual business (masked operator) and an enterprise.
    shop = target(501, "罗庄区王记五金店", kind=Target.Kind.INDIVIDUAL, operator="王大锤")
    Target.objects.filter(pk=shop.pk).update(address="罗庄区傅庄街道和平路6号", legal_representative="王大锤")
    row = published(scjg, shop, codes=("02",))
    firm = target(502, "山东沂蒙示范建材有限公司", operator="刘某某")
    published(jyj, firm, codes=("01",), task=task_of(jyj))
    objection = objection_file(
        row=row, data=ObjectionData("钱多多", "13698765432", "身份证号 371311199001011234 的经营者已整改")
    )
    objection_decide(
        actor=user_of(scjg, Role.DEPT_HEAD),
        objection=objection,
        decision="corrected",
        reason="经复核，检查时已当场整改",
        corrected_label="发现问题经责令已改正",
    )
    objection_file(
        row=PublishedResult.objects.get(credit_code=firm.code),
        data=ObjectionData("孙二娘", "15912345678", "理由"),
    )
    # Not published: never visible.
    hidden = target(503, "罗庄区孙记未公开小吃部", kind=Target.Kind.INDIVIDUAL, operator="孙悟净")
    closed_inspection(scjg, hidden, codes=("05",))
    return world


def _forbidden() -> list[str]:
    values = set()
    for inspector in Inspector.objects.all():
        values.update(
            value for value in (inspector.name, inspector.certificate_number, inspector.phone) if value
        )
    for subject in Target.objects.filter(kind=Target.Kind.INDIVIDUAL):
        values.update(value for value in (subject.legal_representative, subject.address) if value)
    values.update(
        ["钱多多", "13698765432", "孙二娘", "15912345678", "371311199001011234", "孙悟净", "刘某某"]
    )
    values.update(["罗庄区孙记未公开小吃部", "13705391234"])
    return sorted(values)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # a spreadsheet: read every XML part
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return body.decode("utf-8", "replace")


def _links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"#][^"]*)"', html):
        path = urldefrag(href.replace("&amp;", "&"))[0]
        if path.startswith("/") and not path.startswith(SKIPPED_PREFIXES) and not urlsplit(path).netloc:
            found.append(path)
    return found


def _seeds(cast, scjg, jyj) -> list[str]:
    samples = load_all_samples()
    context = SampleContext(user=None, own=scjg, other=jyj, cast=cast)
    paths = []
    for endpoint in all_endpoints():
        rule = rule_of(endpoint.callback)
        if rule is None or not rule.public:
            continue
        if endpoint.parameters:
            paths.append(example_path(endpoint, samples[endpoint.name](context).own))
        else:
            paths.append(example_path(endpoint, {}))
    return paths


def test_no_personal_data_on_any_public_page_or_download(personal_world, cast, scjg, jyj):
    seeds = _seeds(cast, scjg, jyj)
    forbidden = _forbidden()
    assert {"赵铁柱", "王小明", "鲁执法3713000002", "13805390002"} <= set(forbidden)
    client = Client()
    queue, seen, opened = deque(seeds), set(), 0
    search_pages = {"/search/?q=罗庄", "/search/?q=王记", "/search/?q=未公开", "/search/?outcome=problem"}
    queue.extend(search_pages)
    while queue and len(seen) < 400:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if response.status_code != 200:
            continue
        opened += 1
        text = _text(response)
        leaks = [value for value in forbidden if value in text]
        assert not leaks, f"{path} 泄露了个人信息：{leaks}"
        assert not ID_NUMBER.search(text), f"{path} 含有身份证号码：{ID_NUMBER.search(text).group()}"
        assert not MOBILE.search(text), f"{path} 含有手机号码：{MOBILE.search(text).group()}"
        if "html" in response.get("Content-Type", ""):
            queue.extend(link for link in _links(text) if link not in seen)
    # The crawl reached the pages that matter, with the published data on them.
    assert opened >= 30
    assert any(path.startswith("/businesses/") for path in seen)
    assert any(path.startswith("/tasks/") for path in seen)
    assert any(path.startswith("/draws/") and path.endswith("/record.json") for path in seen)
    business = client.get(
        f"/businesses/{PublishedResult.objects.get(target_name='罗庄区王记五金店').credit_code}/"
    )
    html = business.content.decode()
    assert "王**" in html and "发现问题经责令已改正" in html and "经复核，检查时已当场整改" in html
