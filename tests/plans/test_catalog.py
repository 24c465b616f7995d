from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from plans import services
from plans.importing import CatalogRow
from plans.models import CatalogEdition, CatalogItem, MatterChange
from plans.selectors import catalog_edition_changes, department_catalog_comparison
from plans.services import MatterData
from tests.conftest import client_for
from tests.plans.helpers import catalog_item, claim, import_sample, sample_rows, staff_of


def changed_rows() -> list[CatalogRow]:
    """The sample with one item re-worded, one re-categorised, one dropped and one added."""
    rows = []
    for row in sample_rows():
        values = vars(row).copy()
        if row.name == "计量器具使用情况的检查":
            values.update(
                ratio_frequency="不高于3%", legal_basis="《中华人民共和国计量法》第十八条、第三十三条"
            )
        if row.name == "网络交易经营者的检查":
            values.update(check_type="网络市场监督检查")
        if row.name == "旅馆业治安管理的检查":
            continue
        rows.append(CatalogRow(**values))
    rows.append(
        CatalogRow(
            check_type="网络市场监督检查",
            name="电子商务平台经营者的检查",
            target_scope="电子商务平台经营者",
            category="一般",
            methods=["网络监测"],
            inspecting_body="区市场监管局",
            legal_basis="《中华人民共和国电子商务法》第二十七条",
            ratio_frequency="不高于5%",
        )
    )
    return rows


def test_the_first_import_creates_edition_one_with_keys_from_its_numbering(office_user):
    edition = import_sample(office_user)
    assert (edition.number, edition.title, edition.items.count()) == (1, "2026年版", 24)
    assert list(edition.items.order_by("position").values_list("key", flat=True)[:3]) == [
        "01-001",
        "01-002",
        "01-003",
    ]
    event = AuditEvent.objects.get(action="catalog.import")
    assert (event.username, event.object_key, event.after["items"]) == ("office1", "第1版", 24)


def test_a_changed_provincial_list_becomes_edition_two_with_what_changed(office_user):
    import_sample(office_user)
    preview = services.catalog_import_preview(rows=changed_rows())
    assert preview.diff.summary() == {"added": 1, "changed": 2, "removed": 1, "unchanged": 21}

    edition = services.catalog_edition_import(actor=office_user, title="2027年版", rows=changed_rows())

    assert edition.summary == {"added": 1, "changed": 2, "removed": 1, "unchanged": 21}
    changes = catalog_edition_changes(edition)
    assert changes.added_titles == ["电子商务平台经营者的检查"]
    assert changes.removed_titles == ["旅馆业治安管理的检查"]
    assert [
        (change.title, [(f.label, f.old, f.new) for f in change.changes]) for change in changes.changed
    ] == [
        (
            "计量器具使用情况的检查",
            [
                (
                    "检查依据",
                    "《中华人民共和国计量法》第十八条",
                    "《中华人民共和国计量法》第十八条、第三十三条",
                ),
                ("抽查比例和频次", "不高于5%", "不高于3%"),
            ],
        ),
        ("网络交易经营者的检查", [("抽查类别", "网络交易监督检查", "网络市场监督检查")]),
    ]
    # Keys follow items across editions, the re-categorised one too; the new item gets a new key.
    first, second = CatalogEdition.objects.get(number=1), edition
    for name in ("计量器具使用情况的检查", "网络交易经营者的检查", "企业公示信息的检查"):
        assert first.items.get(name=name).key == second.items.get(name=name).key
    assert second.items.get(name="电子商务平台经营者的检查").key == "02-001"


def test_importing_the_same_list_again_is_refused_and_writes_nothing(office_user):
    import_sample(office_user)
    with pytest.raises(ValidationError) as error:
        import_sample(office_user, title="重复")
    assert error.value.messages == ["与现行版本（第1版）相比没有任何变化，无需导入。"]
    assert CatalogEdition.objects.count() == 1
    assert CatalogItem.objects.count() == 24


def test_only_the_office_imports_the_provincial_list(staff, head):
    for user in (staff, head):
        with pytest.raises(PermissionDenied):
            import_sample(user)
    assert not CatalogEdition.objects.exists()


def test_a_department_sees_which_claims_the_new_edition_changed_or_dropped(office_user, staff):
    import_sample(office_user)
    metering = claim(staff, "计量器具使用情况的检查", cap="5")
    claim(staff, "企业公示信息的检查", cap="5")
    gafj_staff = staff_of("GAFJ", "gafj1")
    hotels = claim(gafj_staff, "旅馆业治安管理的检查", cap="10")
    services.catalog_edition_import(actor=office_user, title="2027年版", rows=changed_rows())

    rows = {
        row.item.name if row.item else row.matter.name: row
        for row in department_catalog_comparison(staff.department)
    }
    assert rows["计量器具使用情况的检查"].status == "outdated"
    assert [change.label for change in rows["计量器具使用情况的检查"].changes] == [
        "检查依据",
        "抽查比例和频次",
    ]
    assert rows["企业公示信息的检查"].status == "claimed"
    assert rows["电子商务平台经营者的检查"].status == "unclaimed"
    assert rows["电子商务平台经营者的检查"].concerns_department is True
    assert rows["民办学校办学行为的检查"].concerns_department is False
    gafj_rows = department_catalog_comparison(gafj_staff.department)
    assert [(row.status, row.matter) for row in gafj_rows if row.status == "removed"] == [("removed", hotels)]

    followed = services.matter_follow_catalog(
        actor=staff, matter=metering, reason="省级清单第2版修订了检查依据"
    )
    assert followed.catalog_item.edition.number == 2
    assert followed.legal_basis == "《中华人民共和国计量法》第十八条、第三十三条"
    assert followed.ratio_cap == Decimal("5")  # the department's own cap is kept
    change = followed.changes.get(action=MatterChange.Action.ADJUST)
    assert change.changes == {
        "检查依据": ["《中华人民共和国计量法》第十八条", "《中华人民共和国计量法》第十八条、第三十三条"],
        "省级清单版本": ["第1版", "第2版"],
    }


def test_staff_see_editions_and_what_changed(office_user, staff):
    import_sample(office_user)
    services.catalog_edition_import(actor=office_user, title="2027年版", rows=changed_rows())
    page = client_for(staff).get(reverse("catalog-edition", args=[2])).content.decode()
    assert "与上一版相比：新增 1 项，修改 2 项，删除 1 项，未变 21 项。" in page
    assert "<del>不高于5%</del>" in page and "<ins>不高于3%</ins>" in page
    listing = client_for(staff).get(reverse("catalog-editions")).content.decode()
    assert "新增 1，修改 2，删除 1" in listing


def test_a_claim_can_only_come_from_the_current_edition(office_user, staff):
    import_sample(office_user)
    old_item = catalog_item("企业公示信息的检查")
    services.catalog_edition_import(actor=office_user, title="2027年版", rows=changed_rows())
    with pytest.raises(ValidationError) as error:
        services.matter_claim(
            actor=staff,
            department=staff.department,
            catalog_item=old_item,
            data=MatterData.from_catalog(
                old_item, ratio_cap=Decimal("5"), default_ratio=Decimal("3"), frequency="每年1次"
            ),
        )
    assert error.value.messages == ["只能认领现行版本省级清单中的事项。"]


def test_following_an_item_that_became_general_takes_the_provincial_cap(office_user, staff):
    import_sample(office_user)
    food = claim(staff, "食品经营者的监督检查", cap=None, default="20")
    rows = []
    for row in sample_rows():
        values = vars(row).copy()
        if row.name == "食品经营者的监督检查":
            values.update(category="一般", ratio_frequency="不高于10%，每年1次")
        rows.append(CatalogRow(**values))
    services.catalog_edition_import(actor=office_user, title="2027年版", rows=rows)
    followed = services.matter_follow_catalog(actor=staff, matter=food, reason="省级清单调整为一般事项")
    assert (followed.category, followed.ratio_cap, followed.default_ratio) == (
        "一般",
        Decimal("10"),
        Decimal("10"),
    )
