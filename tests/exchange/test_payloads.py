"""The exchange messages for a known data set, exactly; and no personal data in any of them."""

import datetime
import json

from disclosure.models import ResultPublication
from exchange import payloads, services
from exchange.models import ExchangeItem
from inspections.draw.timestamps import record_time
from inspections.selectors import draw_public_record
from luozhuang_dsj.models import User
from registry.models import Inspector


def _payload(kind, key):
    return ExchangeItem.objects.get(kind=kind, key=key).payload


def test_the_first_run_queues_the_filed_plan_both_draws_and_the_approved_result(district):
    assert services.exchange_collect(since=None) == 4
    assert sorted(ExchangeItem.objects.values_list("kind", "key", "version", "status")) == sorted(
        [
            ("plan", "2027-SCJG-department", "第1版（已备案）", "queued"),
            ("draw", district.draw.commitment, "已抽取", "queued"),
            ("draw", district.cancelled.commitment, "已取消", "queued"),
            (
                "result",
                f"{district.task.code}/{district.result.target.code}/{district.world.food.code}",
                "第1版（已审核）",
                "queued",
            ),
        ]
    )
    for item in ExchangeItem.objects.all():
        assert item.digest == payloads.digest(item.payload)


def test_the_plan_message_is_the_filed_revision(district):
    services.exchange_collect(since=None)
    revision = district.plan.revisions.get()
    assert _payload("plan", "2027-SCJG-department") == {
        "schema": "plan/1",
        "plan_key": "2027-SCJG-department",
        "year": 2027,
        "scope": "department",
        "scope_label": "部门年度抽查工作计划",
        "department": {"code": "SCJG", "name": "罗庄区市场监督管理局"},
        "revision": 1,
        "revision_reason": "",
        "filed_at": record_time(revision.frozen_at),
        "published_at": None,
        "title": "罗庄区市场监督管理局2027年度随机抽查工作计划",
        "description": "",
        "meeting": "",
        "meeting_date": "",
        "items": [
            {
                "position": 1,
                "title": "食品经营者综合联查",
                "initiator": "区市场监管局",
                "participants": [],
                "matters": ["区市场监管局：计量器具使用情况的检查"],
                "scope": "名录库：区市场监管局·辖区经营者；镇街：全区；登记状态：存续",
                "ratio_frequency": "抽查比例3%，每年1次",
                "risk_requirement": "不区分信用风险分类",
                "form": "综合联查",
                "methods": ["实地核查"],
                "window": "2027年3月1日至2027年6月30日",
                "batch_size": "不分批",
                "note": "",
            }
        ],
    }


def test_the_draw_messages_carry_the_public_record(district):
    services.exchange_collect(since=None)
    draw, cancelled = district.draw, district.cancelled
    task = {
        "code": district.task.code,
        "title": "食品经营者和民办学校联合抽查",
        "year": district.task.year,
        "kind": "special",
        "initiator": {"code": "SCJG", "name": "罗庄区市场监督管理局"},
    }
    assert _payload("draw", draw.commitment) == {
        "schema": "draw/1",
        "draw_key": draw.commitment,
        "status": "executed",
        "status_label": "已抽取",
        "task": task,
        "committed_at": record_time(draw.committed_at),
        "scheduled_for": record_time(draw.scheduled_for),
        "executed_at": record_time(draw.executed_at),
        "cancelled_at": None,
        "cancel_reason": "",
        "record": draw_public_record(draw),
    }
    record = _payload("draw", draw.commitment)["record"]
    assert len(record["selected"]) == district.task.inspections.count() == 5
    assert record["server_secret"] == draw.server_secret  # public once executed: the verifier needs it
    assert all(
        set(slot) == {"department", "department_name", "count", "rotation_relaxed"}
        for team in record["teams"]
        for slot in team["slots"]
    )
    assert _payload("draw", cancelled.commitment) == {
        "schema": "draw/1",
        "draw_key": cancelled.commitment,
        "status": "cancelled",
        "status_label": "已取消",
        "task": {**task, "code": cancelled.task.code, "title": "食品经营者专项抽查"},
        "committed_at": record_time(cancelled.committed_at),
        "scheduled_for": record_time(cancelled.scheduled_for),
        "executed_at": None,
        "cancelled_at": record_time(cancelled.cancelled_at),
        "cancel_reason": "检查范围有误，重新公示",
        "record": draw_public_record(cancelled),
    }
    assert "server_secret" not in _payload("draw", cancelled.commitment)["record"]


def test_the_result_message_is_the_approved_result_with_its_publication(district):
    result = district.result
    key = f"{district.task.code}/{result.target.code}/SCJG-001"
    services.exchange_collect(since=None)
    expected = {
        "schema": "result/1",
        "result_key": key,
        "task": {"code": district.task.code, "title": "食品经营者和民办学校联合抽查", "kind": "special"},
        "department": {"code": "SCJG", "name": "罗庄区市场监督管理局"},
        "target": {
            "code": result.target.code,
            "name": result.target.name,
            "kind": "企业",
            "town": "",
            "industry_code": "",
        },
        "matter": {"code": "SCJG-001", "name": "食品经营者的监督检查", "catalog_key": "01-003"},
        "inspected_on": "2026-09-15",
        "codes": [{"code": "01", "name": "未发现问题", "official_code": "", "outcome": "clean"}],
        "finding_level": 0,
        "finding_level_label": "未发现问题",
        "correction_deadline": None,
        "revision": 1,
        "approved_at": record_time(result.approved_at),
        "publication": None,
        "correction": None,
    }
    assert _payload("result", key) == expected

    publication = ResultPublication.objects.create(
        inspection=district.inspection,
        department=district.world.scjg,
        closed_on=datetime.date(2026, 9, 16),
        due_on=datetime.date(2026, 10, 21),
        status=ResultPublication.Status.PUBLISHED,
        published_at=datetime.datetime(2026, 9, 18, 2, 0, tzinfo=datetime.UTC),
    )
    assert services.exchange_collect(since=publication.published_at) == 1
    newest = ExchangeItem.objects.filter(kind="result", key=key).latest("pk")
    assert newest.version == "第1版（已公开）"
    assert newest.payload == {
        **expected,
        "publication": {
            "status": "published",
            "due_on": "2026-10-21",
            "published_at": "2026-09-18T10:00:00+08:00",
        },
    }


def test_no_message_carries_personal_data(district):
    services.exchange_collect(since=None)
    text = json.dumps(list(ExchangeItem.objects.values_list("payload", flat=True)), ensure_ascii=False)
    assert "张三丰" not in text and "幸福路" not in text  # legal representative, address
    assert "13800138000" not in text  # inspectors' phones
    for inspector in Inspector.objects.all():
        assert inspector.name not in text
        assert f'"{inspector.code}"' not in text
        if inspector.certificate_number:
            assert inspector.certificate_number not in text
    for user in User.objects.all():  # who filed, drew, entered or approved
        assert user.username not in text and user.name not in text
