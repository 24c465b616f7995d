from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from plans import services
from plans.models import Matter, MatterChange, MatterListVersion
from plans.services import MatterData
from tests.conftest import client_for
from tests.plans.helpers import catalog_item, claim, import_sample, local_matter


@pytest.fixture
def catalog(office_user):
    return import_sample(office_user)


def test_a_claim_copies_the_provincial_item_and_records_who_and_what(catalog, staff):
    matter = claim(staff, "计量器具使用情况的检查", cap="5", default="3")
    assert (matter.code, matter.source, matter.category, matter.ratio_cap, matter.default_ratio) == (
        "SCJG-001",
        "认领",
        "一般",
        Decimal("5"),
        Decimal("3"),
    )
    assert (matter.name, matter.methods, matter.legal_basis) == (
        "计量器具使用情况的检查",
        ["实地核查"],
        "《中华人民共和国计量法》第十八条",
    )
    change = matter.changes.get()
    assert (change.action, change.user, change.reason) == (MatterChange.Action.CLAIM, staff, "")
    assert change.changes == {
        "抽查比例上限（%）": ["—", "5%"],
        "默认抽查比例（%）": ["—", "3%"],
        "抽查频次": ["—", "每年1次"],
    }
    assert AuditEvent.objects.get(action="matter.claim").object_key == "SCJG-001"


def test_a_general_matter_needs_a_cap_and_a_key_matter_has_none(catalog, staff):
    with pytest.raises(ValidationError) as error:
        claim(staff, "计量器具使用情况的检查", cap=None)
    assert error.value.message_dict == {"ratio_cap": ["一般检查事项必须设置抽查比例上限。"]}
    with pytest.raises(ValidationError) as error:
        claim(staff, "食品经营者的监督检查", cap="50")
    assert error.value.message_dict == {"ratio_cap": ["重点检查事项不设抽查比例上限，请清空此项。"]}
    with pytest.raises(ValidationError) as error:
        claim(staff, "广告发布单位的检查", cap="5", default="6")
    assert error.value.message_dict == {"default_ratio": ["默认抽查比例（6%）不能高于抽查比例上限（5%）。"]}
    with pytest.raises(ValidationError) as error:
        claim(staff, "广告发布单位的检查", cap="5.125")
    assert error.value.message_dict == {"ratio_cap": ["比例最多保留两位小数。"]}
    assert not Matter.objects.exists()
    assert claim(staff, "食品经营者的监督检查", cap=None, default="100").ratio_cap is None


def test_changing_the_provincial_wording_at_claim_needs_a_reason(catalog, staff):
    with pytest.raises(ValidationError) as error:
        claim(staff, "广告发布单位的检查", cap="5", methods=["网络监测"])
    assert error.value.message_dict == {"reason": ["认领时调整了省级清单的检查方式，请说明调整理由。"]}
    matter = claim(staff, "广告发布单位的检查", cap="5", methods=["网络监测"], reason="以互联网广告为主")
    change = matter.changes.get()
    assert change.reason == "以互联网广告为主"
    assert change.changes["检查方式"] == ["实地核查、网络监测", "网络监测"]


def test_an_item_is_claimed_once_per_department(catalog, staff, outsider):
    claim(staff, "计量器具使用情况的检查", cap="5")
    with pytest.raises(ValidationError) as error:
        claim(staff, "计量器具使用情况的检查", cap="5")
    assert error.value.messages == ["本部门已认领该事项。"]
    # Another department may claim the same provincial item for its own list.
    assert claim(outsider, "计量器具使用情况的检查", cap="3").code == "JYJ-001"


def test_an_adjustment_keeps_who_when_what_and_why(catalog, staff):
    matter = claim(staff, "计量器具使用情况的检查", cap="5", default="3")
    data = MatterData.from_matter(matter)
    data.ratio_cap, data.default_ratio, data.frequency = Decimal("4"), Decimal("2.5"), "每两年1次"
    services.matter_adjust(actor=staff, matter=matter, data=data, reason="联席会议要求减少涉企检查")
    matter.refresh_from_db()
    assert (matter.ratio_cap, matter.default_ratio, matter.frequency) == (
        Decimal("4"),
        Decimal("2.5"),
        "每两年1次",
    )
    change = matter.changes.filter(action=MatterChange.Action.ADJUST).get()
    assert (change.user, change.reason) == (staff, "联席会议要求减少涉企检查")
    assert change.changes == {
        "抽查比例上限（%）": ["5%", "4%"],
        "默认抽查比例（%）": ["3%", "2.5%"],
        "抽查频次": ["每年1次", "每两年1次"],
    }
    event = AuditEvent.objects.get(action="matter.adjust")
    assert event.after["reason"] == "联席会议要求减少涉企检查"


def test_an_adjustment_without_a_reason_or_without_a_change_is_refused(catalog, staff):
    matter = claim(staff, "计量器具使用情况的检查", cap="5")
    data = MatterData.from_matter(matter)
    with pytest.raises(ValidationError) as error:
        services.matter_adjust(actor=staff, matter=matter, data=data, reason="没改")
    assert error.value.messages == ["没有修改任何内容。"]
    data.ratio_cap = Decimal("4")
    with pytest.raises(ValidationError) as error:
        services.matter_adjust(actor=staff, matter=matter, data=data, reason=" ")
    assert error.value.message_dict == {"reason": ["请说明调整理由。"]}
    matter.refresh_from_db()
    assert matter.ratio_cap == Decimal("5")
    assert matter.changes.count() == 1


def test_another_department_can_neither_adjust_nor_see_a_matter(catalog, staff, outsider):
    matter = claim(staff, "计量器具使用情况的检查", cap="5")
    data = MatterData.from_matter(matter)
    data.ratio_cap = Decimal("1")
    with pytest.raises(PermissionDenied):
        services.matter_adjust(actor=outsider, matter=matter, data=data, reason="越权")
    client = client_for(outsider)
    assert client.get(reverse("matter-detail", args=[matter.pk])).status_code == 404
    response = client.post(reverse("matter-withdraw", args=[matter.pk]), {"reason": "越权"})
    assert response.status_code == 404
    matter.refresh_from_db()
    assert (matter.ratio_cap, matter.is_active, matter.changes.count()) == (Decimal("5"), True, 1)


def test_the_office_reads_every_list_but_changes_none(catalog, staff, office_user):
    matter = claim(staff, "计量器具使用情况的检查", cap="5")
    client = client_for(office_user)
    assert client.get(reverse("matter-detail", args=[matter.pk])).status_code == 200
    assert client.get(reverse("matter-list-of", args=["SCJG"])).status_code == 200
    assert client.post(reverse("matter-withdraw", args=[matter.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("matter-adjust", args=[matter.pk])).status_code == 403
    matter.refresh_from_db()
    assert matter.is_active is True


def test_a_local_matter_needs_a_reason_and_withdrawal_keeps_it_on_record(catalog, staff):
    with pytest.raises(ValidationError) as error:
        services.matter_add_local(
            actor=staff,
            department=staff.department,
            data=MatterData.from_catalog(
                catalog_item("计量器具使用情况的检查"),
                ratio_cap=Decimal("5"),
                default_ratio=Decimal("1"),
                frequency="",
            ),
            reason="",
        )
    assert error.value.message_dict == {"reason": ["请说明增设该事项的理由和依据。"]}
    matter = local_matter(staff, "电动自行车销售者的检查")
    assert (matter.source, matter.catalog_item) == ("本地", None)
    services.matter_withdraw(actor=staff, matter=matter, reason="并入产品质量事项")
    matter.refresh_from_db()
    assert matter.is_active is False
    services.matter_restore(actor=staff, matter=matter, reason="恢复单列")
    assert list(matter.changes.order_by("id").values_list("action", "reason")) == [
        ("add_local", "本地需要"),
        ("withdraw", "并入产品质量事项"),
        ("restore", "恢复单列"),
    ]


def test_the_matter_forms_claim_and_adjust_through_the_pages(catalog, staff):
    client = client_for(staff)
    item = catalog_item("计量器具使用情况的检查")
    form = client.get(reverse("matter-claim", args=[item.pk])).content.decode()
    assert 'name="ratio_cap" value="5"' in form  # the cap is read from 不高于5%
    response = client.post(
        reverse("matter-claim", args=[item.pk]),
        {
            "check_type": item.check_type,
            "name": item.name,
            "target_scope": item.target_scope,
            "category": "一般",
            "ratio_cap": "",
            "default_ratio": "3",
            "frequency": "每年1次",
            "methods": ["实地核查"],
            "inspecting_body": item.inspecting_body,
            "legal_basis": item.legal_basis,
            "note": "",
            "reason": "",
        },
    )
    assert "一般检查事项必须设置抽查比例上限。" in response.content.decode()
    assert not Matter.objects.exists()


# ---- publication -----------------------------------------------------------------------------------


def test_only_the_department_head_publishes_the_list(catalog, staff, head, office_user, outsider):
    claim(staff, "计量器具使用情况的检查", cap="5")
    for user in (staff, office_user, outsider):
        with pytest.raises(PermissionDenied):
            services.matter_list_publish(actor=user, department=head.department)
    assert client_for(staff).post(reverse("matter-list-publish")).status_code == 403
    assert not MatterListVersion.objects.exists()
    version = services.matter_list_publish(actor=head, department=head.department, note="首次公开")
    assert (version.number, len(version.matters), version.matters[0]["ratio_cap"]) == (1, 1, "5%")
    with pytest.raises(ValidationError) as error:
        services.matter_list_publish(actor=head, department=head.department)
    assert error.value.messages == ["清单自第1版公开以来没有变化，无需重新公开。"]


def test_the_public_sees_the_current_list_and_each_earlier_version_with_its_changes(catalog, staff, head):
    matter = claim(staff, "计量器具使用情况的检查", cap="5")
    claim(staff, "广告发布单位的检查", cap="5")
    services.matter_list_publish(actor=head, department=head.department)
    data = MatterData.from_matter(matter)
    data.ratio_cap = Decimal("4")
    services.matter_adjust(actor=staff, matter=matter, data=data, reason="减少检查")
    services.matter_withdraw(
        actor=staff, matter=Matter.objects.get(name="广告发布单位的检查"), reason="职责调整"
    )
    local_matter(staff, "电动自行车销售者的检查")
    # Unpublished changes stay off the public side.
    public = Client()
    page = public.get(reverse("public-matter-list", args=["SCJG"])).content.decode()
    assert "第1版" in page and "广告发布单位的检查" in page and "电动自行车" not in page

    services.matter_list_publish(actor=head, department=head.department, note="调整比例，增设本地事项")
    page = public.get(reverse("public-matter-list", args=["SCJG"])).content.decode()
    assert "第2版" in page and "现行" in page
    assert "<h2>与第1版相比</h2>" in page
    assert "与上一版相比：新增 1 项，修改 1 项，删除 1 项，未变 0 项。" in page
    assert "<del>5%</del>" in page and "<ins>4%</ins>" in page
    assert "电动自行车销售者的检查" in page
    assert staff.name not in page and head.name not in page  # no personal data
    old = public.get(reverse("public-matter-list-version", args=["SCJG", 1])).content.decode()
    assert "历史版本" in old and "广告发布单位的检查" in old
    index = public.get(reverse("public-matter-lists")).content.decode()
    assert "罗庄区市场监督管理局" in index and "罗庄区教育局" not in index


def test_an_unpublished_list_is_not_public(catalog, staff):
    claim(staff, "计量器具使用情况的检查", cap="5")
    assert Client().get(reverse("public-matter-list", args=["SCJG"])).status_code == 404
