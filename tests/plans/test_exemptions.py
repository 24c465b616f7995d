import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from plans import services
from plans.models import ExemptionItem
from tests.conftest import client_for

FORM = {
    "code": "scjg-001",
    "department": "",
    "description": "未将营业执照置于住所或者主要经营场所的醒目位置",
    "legal_basis": "《中华人民共和国市场主体登记管理条例》第三十六条",
    "conditions": "首次被发现，在责令改正期限内改正",
    "is_active": "on",
}


def test_the_office_adds_and_edits_an_item_and_it_is_audited(office_user, scjg):
    client = client_for(office_user)
    response = client.post(reverse("exemption-create"), {**FORM, "department": scjg.pk})
    assert response.status_code == 302
    item = ExemptionItem.objects.get()
    assert (item.code, item.department, item.is_active) == ("SCJG-001", scjg, True)
    client.post(reverse("exemption-edit", args=[item.pk]), {**FORM, "department": scjg.pk, "is_active": ""})
    item.refresh_from_db()
    assert item.is_active is False
    event = AuditEvent.objects.get(action="exemption.update")
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)


def test_departments_read_the_list_but_cannot_change_it(office_user, staff, head, scjg):
    item = services.exemption_save(
        actor=office_user,
        item=None,
        department=scjg,
        **{k: v for k, v in FORM.items() if k not in {"department", "is_active"}},
    )
    for user in (staff, head):
        client = client_for(user)
        assert client.get(reverse("exemption-list")).status_code == 200
        assert (
            client.post(
                reverse("exemption-edit", args=[item.pk]),
                {**FORM, "department": scjg.pk, "description": "改"},
            ).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            services.exemption_save(
                actor=user,
                item=item,
                code="X",
                department=scjg,
                description="改",
                legal_basis="改",
                conditions="改",
            )
    item.refresh_from_db()
    assert item.description == FORM["description"]


def test_a_duplicate_code_is_refused(office_user, scjg):
    values = {k: v for k, v in FORM.items() if k not in {"department", "is_active"}}
    services.exemption_save(actor=office_user, item=None, department=scjg, **values)
    with pytest.raises(ValidationError) as error:
        services.exemption_save(actor=office_user, item=None, department=scjg, **values)
    assert error.value.message_dict == {"code": ["该编号已被使用。"]}


def test_the_public_sees_only_active_items(office_user, scjg):
    values = {k: v for k, v in FORM.items() if k not in {"department", "is_active"}}
    services.exemption_save(actor=office_user, item=None, department=scjg, **values)
    services.exemption_save(
        actor=office_user,
        item=None,
        department=scjg,
        **{**values, "code": "SCJG-002", "description": "已废止的事项"},
        is_active=False,
    )
    page = Client().get(reverse("public-exemptions")).content.decode()
    assert "SCJG-001" in page and "已废止的事项" not in page
