"""Demo data for doing the inspection (`make run`): a drawn joint task whose teams are the
demo inspector accounts, results entered, a joint summary, a correction order, a hand-off
waiting in 区教育局's queue, case leads, a listed business and recomputed credit classes.

Deterministic and idempotent: the draw's secret is derived from the demo seed (only here,
only with DEBUG: seed_demo refuses to run without it), so the same demo data draws the same
targets; every step goes through the services, as users would do it. Nothing is done when
the demo task exists already.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from inspections import draw as protocol
from inspections import services
from inspections.models import CaseLead, Draw, FollowUp, Inspection, ResultCode, Task
from inspections.services_credit import ListingData, credit_recompute, dishonesty_add
from inspections.services_followups import FollowUpData, follow_up_create
from inspections.services_leads import LeadData, lead_register
from inspections.services_results import (
    ResultData,
    batch_schedule,
    inspection_close,
    result_approve,
    result_save,
)
from luozhuang_dsj.lib.deadlines import deadline_after
from luozhuang_dsj.models import User
from plans.models import ExemptionItem, Matter, Method, PlanItem
from plans.services import PlanItemData
from registry.models import (
    ConflictOfInterest,
    Department,
    ExpertiseTag,
    Inspector,
    InspectorUnavailability,
    SubRegistry,
    Target,
)
from registry.services import sub_registry_add_targets, sub_registry_save

DEMO_TITLE = "学校食堂食品安全和办学行为联合抽查（演示）"
DEMO_TAG = "学校食堂联合检查"
DEMO_REGISTRY = "学校及周边食品经营者（演示）"
DEMO_WITNESS = "05 09 14 21 26 30 + 11"
FRAME_SIZE = 60
INDUSTRIES = ("8331", "6210", "6220", "5221")


@dataclass(frozen=True)
class InspectionsDemoReport:
    created: bool
    inspections: int = 0
    note: str = ""


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _code(code: str) -> ResultCode:
    return ResultCode.objects.get(code=code)


@contextmanager
def _reproducible_secret(seed: int) -> Iterator[None]:
    """The demo draw's secret comes from the demo seed, so that a fresh demo database draws
    the same targets every time. Real draws always take 32 bytes from the OS (hashing.py)."""
    if not settings.DEBUG:
        raise RuntimeError("the reproducible draw secret exists for the demo only")
    original = protocol.new_server_secret
    protocol.new_server_secret = lambda: hashlib.sha256(f"luozhuang-demo-draw-{seed}".encode()).hexdigest()
    try:
        yield
    finally:
        protocol.new_server_secret = original


def _window_end(today: datetime.date) -> datetime.date:
    """Sixty days, within the task's year (a special task stays inside its year)."""
    return min(today + datetime.timedelta(days=60), datetime.date(today.year, 12, 31))


def _team(end: datetime.date) -> list[Inspector] | None:
    """The demo inspector accounts' officers, and one more certified officer of 区市场监管局."""
    scjg_account = Inspector.objects.filter(user__username="scjg_inspector").first()
    jyj_account = Inspector.objects.filter(user__username="jyj_inspector").first()
    if scjg_account is None or jyj_account is None:
        return None
    partner = next(
        (
            inspector
            for inspector in Inspector.objects.filter(department=scjg_account.department, is_active=True)
            .exclude(pk=scjg_account.pk)
            .exclude(category__in=Inspector.EXPERT_CATEGORIES)
            .order_by("code")
            if inspector.is_certified_on(end)
        ),
        None,
    )
    if partner is None or not jyj_account.is_certified_on(end):
        return None
    return [scjg_account, partner, jyj_account]


def _frame(team: list[Inspector]) -> list[str]:
    conflicted = ConflictOfInterest.objects.filter(target=OuterRef("pk"), inspector__in=team)
    codes: list[str] = []
    for industry in INDUSTRIES:
        codes += list(
            Target.objects.filter(industry_code=industry, status=Target.Status.ACTIVE)
            .exclude(Exists(conflicted))
            .order_by("code")
            .values_list("code", flat=True)[: FRAME_SIZE - len(codes)]
        )
        if len(codes) >= FRAME_SIZE:
            break
    return codes


def _drawn_task(team: list[Inspector], seed: int, today: datetime.date) -> Task | None:
    staff = _user("scjg_staff")
    scjg, jyj = Department.objects.get(code="SCJG"), Department.objects.get(code="JYJ")
    end = _window_end(today)
    codes = _frame(team)
    if len(codes) < 20:
        return None
    registry = sub_registry_save(
        actor=staff,
        sub_registry=None,
        name=DEMO_REGISTRY,
        description="学校（含幼儿园、培训机构）及学校周边餐饮、食品零售经营者",
    )
    sub_registry_add_targets(actor=staff, sub_registry=registry, codes=codes)
    food = Matter.objects.get(department=scjg, name="食品经营者的监督检查", is_active=True)
    schools = Matter.objects.get(department=jyj, name="民办学校办学行为的检查", is_active=True)
    task = services.task_create_special(
        actor=staff,
        data=PlanItemData(
            title=DEMO_TITLE,
            initiator=scjg,
            initiator_matters=[food],
            participants=[(jyj, [schools])],
            form=PlanItem.Form.SPECIAL,
            methods=[Method.ON_SITE, Method.DOCUMENTS],
            sub_registries=[registry],
            sampling=PlanItem.Sampling.COUNT,
            target_count=len(codes) // 10,
            start_date=today,
            end_date=end,
        ),
        description="进一次门、查多项事：区市场监管局检查学校食堂和周边食品经营者，区教育局同时检查办学行为。",
    )
    tag, _ = ExpertiseTag.objects.get_or_create(name=DEMO_TAG)
    for inspector in team:
        inspector.expertise.add(tag)
    InspectorUnavailability.objects.filter(inspector__in=team, end__gte=today, start__lte=end).delete()
    rows = list(task.departments.order_by("order"))
    task = services.task_set_rules(
        actor=staff,
        task=task,
        slots=[services.SlotRule(row.department_id, 2 if row.order == 0 else 1, [tag]) for row in rows],
        expert_count=0,
        expert_expertise=[],
        exclusion_months=task.exclusion_months,
        batch_size=3,
    )
    with _reproducible_secret(seed):
        draw = services.draw_prepare(actor=staff, task=task, scheduled_for=timezone.now())
    services.draw_execute_run(
        draw_id=draw.pk,
        actor=staff,
        witness_input=DEMO_WITNESS,
        witness_source=Draw.WitnessSource.ON_SITE,
        executed_at=timezone.now(),
    )
    return Task.objects.get(pk=task.pk)


def _results(task: Task, today: datetime.date) -> None:
    """Batch 1 is under way: one inspection closed clean, one with findings (a correction
    order under the no-penalty list, a hand-off to 区教育局), one with a draft."""
    scjg_inspector, jyj_inspector = _user("scjg_inspector"), _user("jyj_inspector")
    staff, head = _user("scjg_staff"), _user("scjg_head")
    food = Matter.objects.get(department__code="SCJG", name="食品经营者的监督检查", is_active=True)
    schools = Matter.objects.get(department__code="JYJ", name="民办学校办学行为的检查", is_active=True)
    batch_schedule(actor=staff, task=task, batch=1, day=today)
    batch_schedule(
        actor=staff, task=task, batch=2, day=min(today + datetime.timedelta(days=7), task.end_date)
    )
    first, second, third = list(task.inspections.order_by("position")[:3])

    clean = result_save(
        actor=scjg_inspector,
        inspection=first,
        matter=food,
        data=ResultData(codes=[_code("01")], inspected_on=today, findings="食堂持证经营，进货查验记录齐全。"),
        submit=True,
    )
    result_save(
        actor=jyj_inspector,
        inspection=first,
        matter=schools,
        data=ResultData(codes=[_code("01")], inspected_on=today),
        submit=True,
    )
    inspection_close(
        actor=staff, inspection=first, summary="两部门联合检查，均未发现问题。", impossible=False
    )
    result_approve(actor=head, results=[clean])

    exemption = ExemptionItem.objects.filter(code="SCJG-001", is_active=True).first()
    finding = result_save(
        actor=scjg_inspector,
        inspection=second,
        matter=food,
        data=ResultData(
            codes=[_code("07")],
            inspected_on=today,
            findings="营业执照未置于经营场所醒目位置；食堂同时对外承接校外培训学生配餐，超出学校食堂经营范围。",
            legal_basis="《中华人民共和国市场主体登记管理条例》第三十六条",
            exemption_item=exemption,
            correction_order="将营业执照置于经营场所醒目位置" if exemption else "",
            correction_deadline=deadline_after(today, 10) if exemption else None,
        ),
        submit=True,
    )
    follow_up_create(
        actor=staff,
        result=finding,
        data=FollowUpData(
            kind=FollowUp.Kind.HANDOVER,
            measure="学校食堂为校外培训机构学生配餐，培训机构办学许可由教育部门审批，移交区教育局核查处理。",
            receiving_department=Department.objects.get(code="JYJ"),
            handover_basis=FollowUp.Basis.APPROVAL,
        ),
    )
    result_save(
        actor=jyj_inspector,
        inspection=second,
        matter=schools,
        data=ResultData(codes=[_code("02")], inspected_on=today, findings="未按规定公示收费项目和标准"),
        submit=False,
    )
    result_save(
        actor=scjg_inspector,
        inspection=third,
        matter=food,
        data=ResultData(inspected_on=today, findings="现场检查进行中：已核查许可证和从业人员健康证。"),
        submit=False,
    )


def _leads(task: Task, today: datetime.date) -> None:
    staff, office = _user("scjg_staff"), _user("office")
    target = task.inspections.order_by("-position").first().target
    lead_register(
        actor=staff,
        data=LeadData(
            source=CaseLead.Source.COMPLAINT,
            kind=CaseLead.Kind.GENERAL,
            received_on=today,
            party_name=target.name,
            party_credit_code=target.code,
            description="家长来电反映学校周边该店销售散装食品无标签、疑似过期。",
            reporter_name="张女士",
            reporter_phone="13905391234",
            matters=list(task.departments.get(order=0).matters.all()),
        ),
    )
    lead_register(
        actor=office,
        data=LeadData(
            source=CaseLead.Source.MONITORING,
            kind=CaseLead.Kind.UNLICENSED,
            received_on=today,
            party_name="罗庄街道某小区内无名托管班",
            party_address="罗庄街道沂河路 88 号小区 3 号楼 1 单元",
            description="网格员巡查发现小区内有人开办课后托管班并提供午餐，未见任何证照。",
        ),
    )


def _listing(today: datetime.date) -> None:
    registry = SubRegistry.objects.filter(department__code="SCJG", name="食品经营者").first()
    target = registry.targets.order_by("code").first() if registry else None
    if target is None:
        return
    dishonesty_add(
        actor=_user("office"),
        target=target,
        data=ListingData(
            source="临沂市市场监督管理局",
            document_number="临市监失信〔2026〕3号",
            reason="提交虚假材料取得食品经营许可，被撤销许可。",
            listed_on=today - datetime.timedelta(days=30),
            expires_on=today - datetime.timedelta(days=30) + datetime.timedelta(days=3 * 365),
        ),
    )


@transaction.atomic
def inspections_demo_seed(seed: int = 2019) -> InspectionsDemoReport:
    if Task.objects.filter(title=DEMO_TITLE).exists():
        return InspectionsDemoReport(created=False, note="检查演示数据已存在。")
    today = timezone.localdate()
    team = _team(_window_end(today))
    if team is None:
        return InspectionsDemoReport(
            created=False, note="演示数据中没有可组成检查组的执法人员，跳过检查演示。"
        )
    _listing(today)
    task = _drawn_task(team, seed, today)
    if task is None:
        return InspectionsDemoReport(created=False, note="演示数据中的检查对象太少，跳过检查演示。")
    _results(task, today)
    _leads(task, today)
    credit_recompute(actor=None)
    return InspectionsDemoReport(created=True, inspections=Inspection.objects.filter(task=task).count())
