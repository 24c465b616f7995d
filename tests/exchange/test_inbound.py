"""Files from the province: each processed once (by digest), validated whole before
anything is written, a rejected file explained in Chinese and nothing written."""

from pathlib import Path

from django.conf import settings as django_settings

from exchange import services
from exchange.models import ExchangeRun, InboundFile
from luozhuang_dsj.models import AuditEvent, ImportBatch
from plans.models import CatalogEdition
from registry.models import Target
from tests.inspections.helpers import credit_code
from tests.sheets import csv_bytes

HEADER = ["统一社会信用代码", "企业名称", "信用风险分类", "登记状态"]


def _drop(folders, folder, name, content):
    path = folders / "inbox" / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _registry_file(*rows):
    return csv_bytes([HEADER, *rows])


def test_a_registry_update_creates_and_updates_targets_once(district, folders):
    existing = district.world.targets[0]
    new_code = credit_code(900)
    content = _registry_file(
        [existing.code, existing.name, "D", "吊销"], [new_code, "罗庄新设商贸有限公司", "A", "存续"]
    )
    path = _drop(folders, "registry", "20261126-名录更新.csv", content)

    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)

    assert (run.received, run.rejected) == (1, 0)
    existing.refresh_from_db()
    assert (existing.risk_class, existing.status) == ("D", "吊销")
    assert Target.objects.get(code=new_code).name == "罗庄新设商贸有限公司"
    inbound = InboundFile.objects.get()
    assert (inbound.kind, inbound.source, inbound.status, inbound.reason) == (
        "registry",
        "inbox",
        "applied",
        "",
    )
    assert inbound.outcome["counts"] == {"新增": 1, "更新": 1, "无变化": 0}
    assert not path.exists() and (path.parent / "processed" / path.name).exists()
    event = AuditEvent.objects.get(action="exchange.receive")
    assert (event.username, event.result, event.after["status"]) == ("exchange-scheduler", "ok", "applied")
    assert AuditEvent.objects.filter(action="registry.targets.import").count() == 1

    # The same file again (another name): recognised by its digest, not imported twice.
    again = _drop(folders, "registry", "重复下发.csv", content)
    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    assert (run.received, run.rejected) == (0, 0)
    assert InboundFile.objects.count() == 1
    assert ImportBatch.objects.filter(kind="registry.targets").count() == 1
    assert not again.exists()


def test_a_file_with_one_bad_row_is_rejected_whole_with_a_chinese_reason(district, folders):
    new_code = credit_code(901)
    bad = credit_code(902)[:-1] + ("0" if credit_code(902)[-1] != "0" else "1")
    content = _registry_file(
        [new_code, "罗庄新设商贸有限公司", "A", "存续"], [bad, "罗庄错误代码有限公司", "B", "存续"]
    )
    _drop(folders, "registry", "有误的名录.csv", content)
    count = Target.objects.count()

    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)

    assert (run.received, run.rejected) == (0, 1)
    assert Target.objects.count() == count
    assert not Target.objects.filter(code=new_code).exists()
    inbound = InboundFile.objects.get()
    assert inbound.status == "rejected"
    assert inbound.reason == (
        f"文件未导入，数据库未作任何改动。第 3 行“统一社会信用代码”列“{bad}”："
        f"统一社会信用代码校验位错误：第 18 位应为 {credit_code(902)[-1]}，实际为 {bad[-1]}。"
    )
    event = AuditEvent.objects.get(action="exchange.receive")
    assert (event.result, event.after["reason"]) == ("failed", inbound.reason)
    assert not AuditEvent.objects.filter(action="registry.targets.import").exists()


def test_a_new_edition_of_the_provincial_list_is_imported(district, folders):
    sample = (Path(django_settings.BASE_DIR) / "data" / "catalog_sample.csv").read_text("utf-8").rstrip("\n")
    extra = "99,消防安全检查,公众聚集场所的消防检查,公众聚集场所,重点,实地核查,区消防救援大队,《中华人民共和国消防法》第五十三条,不设上限,"
    _drop(folders, "catalog", "2027年版.csv", f"{sample}\n{extra}\n".encode())
    before = CatalogEdition.objects.count()
    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    assert (run.received, run.rejected) == (1, 0)
    edition = CatalogEdition.objects.order_by("-number").first()
    assert CatalogEdition.objects.count() == before + 1
    assert (edition.title, edition.summary["added"], edition.summary["removed"]) == ("2027年版", 1, 0)
    assert edition.items.filter(name="公众聚集场所的消防检查").exists()


def test_the_same_provincial_list_again_is_rejected_as_unchanged(district, folders):
    sample = (Path(django_settings.BASE_DIR) / "data" / "catalog_sample.csv").read_bytes()
    _drop(folders, "catalog", "重复.csv", sample)
    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    assert (run.received, run.rejected) == (0, 1)
    assert "没有任何变化" in InboundFile.objects.get().reason
