"""Access control at every door.

Every URL pattern (HTML and API) is collected from the URL configuration and opened by
every role of the cast, by a user of another department and by an anonymous visitor.
A view without an explicit rule (role_required / @public / @login_only, or DRF
permission classes) fails; so does a URL with parameters and no sample object
(register one in tests/<app>/access_samples.py, see tests/access/samples.py).

Expected: anonymous visitors are sent to the login page (HTML) or refused (API, 401/403);
users without the role get 403; users with the role open their own department's object
and get 404 for another department's; a refused POST writes nothing (no audit event).
A method the view does not serve at all (405) is skipped: the other method shows the answer.
"""

from __future__ import annotations

import pytest
from django.test import Client

from luozhuang_dsj.lib.roles import ADMIN_ROLES, BUSINESS_ROLES
from luozhuang_dsj.models import AuditEvent
from tests.access.samples import SampleContext, UrlSample, load_all_samples
from tests.access.urls import ALL_ROLES, all_endpoints, example_path, rule_of
from tests.conftest import client_for

ENDPOINTS = all_endpoints()
SAMPLES = load_all_samples()
# The cast: every role once in 区市场监管局, plus 区教育局's staff (another department).
PRINCIPALS = [
    "anonymous",
    "office",
    "staff",
    "head",
    "inspector",
    "outsider",
    "auditor",
    "sysadmin",
    "secadmin",
]
REFUSED_ANONYMOUS = {401, 403}
OPENED = set(range(200, 400)) | {405}


def _ids(endpoint):
    return endpoint.label


def test_the_url_configuration_has_endpoints_to_check():
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {"login", "staff-home", "audit-home", "sysadmin-home", "security-home", "job-detail"} <= names


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
def test_every_view_declares_an_access_rule(endpoint):
    assert rule_of(endpoint.callback) is not None, (
        f"{endpoint.route} ({endpoint.label}) 没有显式的访问规则：请加 role_required、@public、"
        "@login_only，或在 DRF 视图上显式设置 permission_classes。"
    )


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.parameters], ids=_ids)
def test_every_url_with_parameters_has_a_sample(endpoint):
    assert endpoint.name in SAMPLES, (
        f"{endpoint.route} 带参数 {endpoint.parameters}：请在 tests/<app>/access_samples.py 中用 "
        f"@url_sample({endpoint.name!r}) 提供样例对象。"
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
def test_no_view_mixes_the_three_administrators_or_an_administrator_with_business(endpoint):
    """三员分立: a page for one administrator role is open to no other role (login-only
    pages such as the password change are everyone's)."""
    rule = rule_of(endpoint.callback)
    if rule is None or rule.public or rule.custom or rule.roles == ALL_ROLES:
        return
    admins = rule.roles & ADMIN_ROLES
    assert len(admins) <= 1, f"{endpoint.label} 同时向 {sorted(admins)} 开放"
    assert not (admins and rule.roles & BUSINESS_ROLES), f"{endpoint.label} 向管理员和业务角色同时开放"


def _context(cast, who, scjg, jyj):
    user = None if who == "anonymous" else cast[who]
    own = user.department if user else scjg
    other = jyj if own != jyj else scjg
    return SampleContext(user=user, own=own, other=other, cast=cast)


def _client(cast, who):
    return Client() if who == "anonymous" else client_for(cast[who])


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _check_refused(endpoint, who, client, path):
    before = AuditEvent.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        status = response.status_code
        if status == 405:
            continue  # the method is not served at all (the other method shows the refusal)
        if who == "anonymous":
            ok = status in REFUSED_ANONYMOUS if endpoint.is_api else _is_login_redirect(response)
        else:
            ok = status == 403
        assert ok, f"{method.upper()} {path} 对 {who} 应被拒绝，实际 {status}"
    assert AuditEvent.objects.count() == before, f"被拒绝的 POST {path} 写入了数据"


def _check_not_found(who, client, path):
    """Another department's object is not found by any method the view serves; nothing is written."""
    before = AuditEvent.objects.count()
    served = []
    for method in ("get", "post"):
        status = getattr(client, method)(path).status_code
        if status == 405:
            continue  # the method is not served at all (e.g. a POST-only action)
        served.append(method)
        assert status == 404, f"{method.upper()} {path}（其他单位的对象）对 {who} 应为 404，实际 {status}"
    assert served, f"{path} 不响应 GET 也不响应 POST"
    assert AuditEvent.objects.count() == before, f"对其他单位对象的 POST {path} 写入了数据"


def _path(endpoint, kwargs, sample):
    path = example_path(endpoint, kwargs)
    return f"{path}?{sample.query}" if sample.query else path


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
def test_every_role_gets_exactly_what_the_rule_says(endpoint, cast, scjg, jyj, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rule = rule_of(endpoint.callback)
    if rule is None or (endpoint.parameters and endpoint.name not in SAMPLES):
        pytest.skip("covered by the tests above")
    checked = 0
    for who in PRINCIPALS:
        context = _context(cast, who, scjg, jyj)
        sample = SAMPLES[endpoint.name](context) if endpoint.parameters else UrlSample(own={})
        roles = sample.roles if sample.roles is not None else rule.roles
        allowed = rule.public or (who != "anonymous" and bool(cast[who].roles & roles))
        if rule.custom and sample.roles is None and who != "anonymous":
            # Unreadable DRF permissions and no declared roles: only check no crash.
            response = _client(cast, who).get(_path(endpoint, sample.own, sample))
            assert response.status_code < 500
            continue
        own_path = _path(endpoint, sample.own, sample)
        if not allowed:
            _check_refused(endpoint, who, _client(cast, who), own_path)
            checked += 1
            continue
        response = _client(cast, who).get(own_path)
        expected = sample.own_status or OPENED
        opened = response.status_code in expected and not _is_login_redirect(response)
        assert opened or rule.public, f"GET {own_path} 对 {who} 应可打开，实际 {response.status_code}"
        assert response.status_code < 500
        checked += 1
        if sample.other is not None and not rule.public:
            other_path = _path(endpoint, sample.other, sample)
            if sample.other_visible:
                response = _client(cast, who).get(other_path)
                assert response.status_code in OPENED, f"GET {other_path} 对 {who} 应可打开（共享数据）"
            else:
                _check_not_found(who, _client(cast, who), other_path)
            checked += 1
    assert checked >= 1


def test_the_rule_reader_fails_a_view_without_a_mark_and_reads_drf_permissions():
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.views import APIView

    from luozhuang_dsj.lib.access import HasRole, login_only, public, role_required
    from luozhuang_dsj.lib.roles import Role

    def bare(request):
        raise AssertionError

    def another(request):
        raise AssertionError

    class DefaultOnly(APIView):
        pass

    class OfficeOnly(APIView):
        permission_classes = [IsAuthenticated, HasRole.of(Role.OFFICE)]

    assert rule_of(bare) is None
    assert rule_of(DefaultOnly.as_view()) is None
    assert rule_of(OfficeOnly.as_view()).roles == {"office"}
    assert rule_of(DefaultOnly.as_view(permission_classes=[IsAuthenticated])).roles == ALL_ROLES
    assert rule_of(login_only(bare)).roles == ALL_ROLES
    assert rule_of(role_required(Role.AUDITOR)(bare)).roles == {"auditor"}
    assert rule_of(public(another)).public
