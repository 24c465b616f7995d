"""Run a complete draw on the demo data and write its files, e.g. to try the verifier:

manage.py demo_draw --out var/demo-draw
python inspections/draw/verifier.py var/demo-draw/record.json var/demo-draw/frame.txt var/demo-draw/pool.jsonl
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone

from inspections import selectors, services
from inspections.models import Draw
from luozhuang_dsj.demo import DEMO_ACCOUNTS
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans.models import Matter, MatterCategory, Method, PlanItem
from plans.services import PlanItemData
from registry.models import Department, Inspector, SubRegistry


class Command(BaseCommand):
    help = "在演示数据上创建一个分层抽取任务（两个部门名额和一个专家名额），承诺并执行抽取，把完整记录、抽取名单和人员库写入目录。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--witness", default="03 11 18 24 27 32 + 09", help="见证输入")

    def handle(self, *args: object, **options: str) -> None:
        out = Path(options["out"])
        actor = _demo_staff("SCJG")
        try:
            task = services.task_create_special(actor=actor, data=_task_data(actor.department))
            rows = list(task.departments.order_by("order"))
            task = services.task_set_rules(
                actor=actor,
                task=task,
                slots=[services.SlotRule(row.department_id, row.inspector_count, []) for row in rows],
                expert_count=1,
                expert_expertise=[],
                exclusion_months=task.exclusion_months,
                batch_size=10,
            )
            draw = services.draw_prepare(actor=actor, task=task, scheduled_for=timezone.now())
            draw = services.draw_execute_run(
                draw_id=draw.pk,
                actor=actor,
                witness_input=options["witness"],
                witness_source=Draw.WitnessSource.ON_SITE,
                executed_at=timezone.now(),
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        out.mkdir(parents=True, exist_ok=True)
        (out / "record.json").write_text(selectors.record_json(selectors.draw_record(draw)), encoding="utf-8")
        with draw.frame_file.open("rb") as frame, draw.pool_file.open("rb") as pool:
            (out / "frame.txt").write_bytes(frame.read())
            (out / "pool.jsonl").write_bytes(pool.read())
        strata = "，".join(f"{row['name']} 层 {row['sample_size']}/{row['size']}" for row in draw.strata)
        self.stdout.write(
            f"任务 {task.code}：抽取名单 {draw.frame_size} 户，{strata}，抽中 {len(draw.selected)} 户。"
        )
        self.stdout.write(f"已写入 {out / 'record.json'}、{out / 'frame.txt'}、{out / 'pool.jsonl'}")


def _demo_staff(code: str) -> User:
    username = next(
        (
            account.username
            for account in DEMO_ACCOUNTS
            if account.department == code and Role.DEPT_STAFF in account.roles
        ),
        None,
    )
    user = User.objects.filter(username=username).first() if username else None
    if user is None:
        raise CommandError("没有找到演示账号，请先运行 seed_demo（make run 会自动运行）。")
    return user


def _certified_count(department: Department, day: datetime.date) -> int:
    return (
        Inspector.objects.filter(department=department, is_active=True, certificate_valid_until__gte=day)
        .exclude(certificate_number="")
        .exclude(category__in=Inspector.EXPERT_CATEGORIES)
        .count()
    )


def _task_data(initiator: Department) -> PlanItemData:
    today = timezone.localdate()
    end = datetime.date(today.year, 12, 31)
    registry = (
        SubRegistry.objects.filter(department=initiator)
        .annotate(members=Count("memberships"))
        .filter(members__gt=0)
        .order_by("-members")
        .first()
    )
    own_matters = list(Matter.objects.filter(department=initiator, is_active=True).order_by("code")[:1])
    if registry is None or not own_matters:
        raise CommandError("演示数据中没有区市场监管局的名录库分库或抽查事项，请先运行 seed_demo。")
    participant = next(
        (
            department
            for department in Department.objects.filter(is_active=True)
            .exclude(pk=initiator.pk)
            .annotate(active_matters=Count("matters", filter=Q(matters__is_active=True)))
            .filter(active_matters__gt=0)
            .order_by("code")
            if _certified_count(department, end) >= 1
        ),
        None,
    )
    if participant is None:
        raise CommandError("演示数据中没有可参与联合抽查的部门（须有抽查事项和持证执法人员）。")
    participant_matters = list(
        Matter.objects.filter(department=participant, is_active=True).order_by("code")[:1]
    )
    caps = [
        matter.ratio_cap
        for matter in own_matters + participant_matters
        if matter.category == MatterCategory.GENERAL and matter.ratio_cap is not None
    ]
    ratio = min([Decimal("3"), *caps])
    return PlanItemData(
        title=f"{registry.name}风险分类联合抽查（演示）",
        initiator=initiator,
        initiator_matters=own_matters,
        participants=[(participant, participant_matters)],
        form=PlanItem.Form.RISK_BASED,
        methods=[Method.ON_SITE],
        sub_registries=[registry],
        sampling=PlanItem.Sampling.RISK_RATIO,
        ratio_a=min(ratio, Decimal("1")),
        ratio_b=ratio,
        ratio_c=ratio,
        ratio_d=ratio,
        start_date=today,
        end_date=end,
    )
