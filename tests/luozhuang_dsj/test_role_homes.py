import pytest
from django.urls import reverse

from tests.conftest import client_for

HOMES = {
    "office": "office-home",
    "staff": "department-home",
    "head": "department-home",
    "inspector": "inspector-home",
    "auditor": "audit-home",
    "sysadmin": "sysadmin-home",
    "secadmin": "security-home",
}
HEADINGS = {
    "office-home": "联席会议办公室工作台",
    "department-home": "罗庄区市场监督管理局",
    "inspector-home": "我的检查",
    "audit-home": "审计日志",
    "sysadmin-home": "用户管理",
    "security-home": "账号安全",
}


@pytest.mark.parametrize("who", sorted(HOMES))
def test_each_role_lands_on_its_own_home_page(cast, who):
    client = client_for(cast[who])
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(HOMES[who])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"<h1>{HEADINGS[HOMES[who]]}</h1>" in page.content.decode()


@pytest.mark.parametrize("who", sorted(HOMES))
def test_each_role_is_refused_every_other_roles_home(cast, who):
    client = client_for(cast[who])
    for other in set(HOMES.values()) - {HOMES[who]}:
        response = client.get(reverse(other))
        assert response.status_code == 403, other
        assert "无权访问" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    from django.test import Client

    for name in set(HOMES.values()):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


def test_the_navigation_shows_only_what_the_role_may_open(cast):
    page = client_for(cast["auditor"]).get(reverse("audit-home")).content.decode()
    assert "审计链校验" in page
    assert "用户管理" not in page
    assert "办公室工作台" not in page


def test_the_department_home_lists_only_its_own_members(cast):
    page = client_for(cast["outsider"]).get(reverse("department-home")).content.decode()
    assert "<h1>罗庄区教育局</h1>" in page
    assert "outsider1" in page
    assert "staff1" not in page
