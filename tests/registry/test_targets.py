import pytest
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from registry.models import SubRegistry, SubRegistryMembership, Target, TargetChange, Town
from tests import sheets
from tests.conftest import client_for


def make_target(number: int, **fields) -> Target:
    values = {
        "name": f"临沂测试商贸有限公司{number}",
        "town": Town.objects.get(name="罗庄街道"),
        "industry_code": "5211",
    }
    return Target.objects.create(code=sheets.code(number), **(values | fields))


def form_data(**overrides):
    return {
        "kind": "企业",
        "code": "",
        "name": "临沂新开商贸有限公司",
        "legal_representative": "王五",
        "address": "罗庄街道沂河路1号",
        "town": Town.objects.get(name="傅庄街道").pk,
        "industry_code": "C5211",
        "status": "存续",
        "risk_class": "B",
        "note": "",
    } | overrides


def test_every_department_reads_the_target_list_with_search_and_filters(staff, outsider):
    make_target(1, name="临沂鑫盛陶瓷有限公司", industry_code="3071", risk_class="C")
    make_target(2, name="罗庄区鑫盛百货店", kind="个体工商户")
    make_target(3, name="临沂宏达物流有限公司", status="注销")
    for user in (staff, outsider):
        client = client_for(user)
        assert client.get(reverse("target-list")).status_code == 200
        page = client.get(reverse("target-list"), {"q": "鑫盛", "risk_class": "C"}).content.decode()
        assert "临沂鑫盛陶瓷有限公司" in page and "罗庄区鑫盛百货店" not in page
    client = client_for(staff)
    by_code = client.get(reverse("target-list"), {"q": " " + sheets.code(3).lower()}).content.decode()
    assert "临沂宏达物流有限公司" in by_code and "鑫盛" not in by_code
    by_industry = client.get(reverse("target-list"), {"industry": "30"}).content.decode()
    assert "临沂鑫盛陶瓷有限公司" in by_industry and "百货店" not in by_industry


def test_the_list_filters_by_sub_registry(staff):
    inside, outside = make_target(1), make_target(2)
    sub = SubRegistry.objects.create(department=staff.department, name="食品经营者")
    SubRegistryMembership.objects.create(sub_registry=sub, target=inside)
    page = client_for(staff).get(reverse("target-list"), {"sub_registry": sub.pk}).content.decode()
    assert inside.name in page and outside.name not in page


def test_the_list_counts_at_most_the_cap(staff, monkeypatch):
    from luozhuang_dsj.lib.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    monkeypatch.setattr(CappedPaginator, "estimate", None)  # PostgreSQL's estimate is tested in the benchmark
    for number in range(5):
        make_target(number)
    page = client_for(staff).get(reverse("target-list")).content.decode()
    assert "共 超过 3 个" in page


def test_the_office_creates_a_target_and_it_is_audited_with_history(office_user):
    response = client_for(office_user).post(
        reverse("target-create"), form_data(code=f" {sheets.code(9).lower()} ")
    )
    target = Target.objects.get(code=sheets.code(9))
    assert response.status_code == 302
    assert (target.industry_code, target.town.name) == ("5211", "傅庄街道")
    assert TargetChange.objects.filter(target=target).count() == 0  # history starts with the first change
    assert AuditEvent.objects.get(action="target.create").object_key == sheets.code(9)


def test_a_bad_check_character_is_refused_in_chinese(office_user):
    code = sheets.code(9)
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    page = client_for(office_user).post(reverse("target-create"), form_data(code=wrong)).content.decode()
    assert f"统一社会信用代码校验位错误：第 18 位应为 {code[-1]}，实际为 {wrong[-1]}。" in page
    assert Target.objects.count() == 0


def test_a_project_gets_a_key_that_is_never_eighteen_characters(office_user):
    client_for(office_user).post(
        reverse("target-create"), form_data(kind="项目", name="罗庄区某小区建设项目")
    )
    assert Target.objects.get().code == "XM-000001"


def test_changing_the_risk_class_by_hand_needs_a_reason(office_user):
    target = make_target(1)
    client = client_for(office_user)
    data = form_data(name=target.name, risk_class="D")
    page = client.post(reverse("target-edit", args=[target.pk]), data).content.decode()
    assert "调整信用风险分类须写明理由。" in page
    assert Target.objects.get(pk=target.pk).risk_class == "B"
    client.post(reverse("target-edit", args=[target.pk]), data | {"note": "投诉举报查实"})
    change = TargetChange.objects.get(target=target)
    assert (change.changes["risk_class"], change.note) == (["B", "D"], "投诉举报查实")
    detail = client.get(reverse("target-detail", args=[target.pk])).content.decode()
    assert "信用风险分类：B → D" in detail


@pytest.mark.parametrize("who", ["staff", "head", "outsider"])
def test_departments_cannot_edit_master_records_and_nothing_changes(who, cast):
    target = make_target(1)
    client = client_for(cast[who])
    assert client.post(reverse("target-edit", args=[target.pk]), form_data(name="改名")).status_code == 403
    assert client.post(reverse("target-create"), form_data(code=sheets.code(2))).status_code == 403
    assert Target.objects.get(pk=target.pk).name == "临沂测试商贸有限公司1"
    assert (Target.objects.count(), TargetChange.objects.count()) == (1, 0)


@pytest.mark.parametrize("who", ["inspector", "auditor", "sysadmin", "secadmin"])
def test_roles_outside_the_departments_cannot_read_the_registry(who, cast):
    target = make_target(1)
    client = client_for(cast[who])
    assert client.get(reverse("target-list")).status_code == 403
    assert client.get(reverse("target-detail", args=[target.pk])).status_code == 403
    assert client.get("/api/registry/targets/").status_code == 403


@pytest.mark.postgres
def test_the_trigram_index_exists_on_postgresql(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'registry_target_name_trgm'")
        assert "gin (name gin_trgm_ops)" in cursor.fetchone()[0]


@pytest.mark.postgres
def test_a_search_by_the_start_of_a_code_uses_the_unique_index_on_postgresql(db):
    """Codes compare byte by byte, so the unique index serves the prefix search and no second
    (pattern-ops) index has to be kept up to date on every imported row."""
    from django.db import connection

    from registry.selectors import target_list

    Target.objects.create(code=sheets.code(1), name="临沂甲商贸有限公司")
    Target.objects.create(code=sheets.code(2), name="临沂乙商贸有限公司")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_name = 'registry_target' AND column_name = 'code'"
        )
        assert cursor.fetchone() == ("C",)
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'registry_target' AND indexname LIKE %s",
            ["%like"],
        )
        assert cursor.fetchall() == []
        queryset = target_list({"q": sheets.code(2)[:17].lower()})
        assert list(queryset.values_list("code", flat=True)) == [sheets.code(2)]
        sql, params = queryset.query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        assert "registry_target_code_key" in " ".join(line for (line,) in cursor.fetchall())
