"""Writes for tasks and draws. Each function is the one door for its change and audits it.

The draw follows docs/DRAW_PROTOCOL.md: `draw_prepare` freezes the frame and the pool and
publishes the commitment; `draw_execute_run` (a Celery job) derives the seed, selects,
matches and creates the inspections in one transaction. The database refuses a second
live or executed draw of a task, so a double click, two browsers or a retried job all
end with the one draw — the same one, since it is deterministic.
"""

from __future__ import annotations

import datetime
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from inspections import draw as protocol
from inspections import selectors
from inspections.models import (
    Draw,
    DrawAdjustment,
    Inspection,
    InspectionAssignment,
    Task,
    TaskDepartment,
    Visit,
)
from inspections.permissions import may_adjust_with_substitute, may_manage_task
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.jobs import Progress, job_create, job_handler
from luozhuang_dsj.lib.bulk import (
    bulk_insert,
    fetch_by_keys,
    insert_returning_ids,
    paused_gc,
)
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import Job, User
from notices import events as notice_events
from plans.models import PlanItem
from plans.selectors import plan_items_in_force
from plans.services import PlanItemData, item_problems
from registry.models import ExpertiseTag, Inspector, Target

DEFAULT_INITIATOR_COUNT = 2
DEFAULT_PARTICIPANT_COUNT = 1


def _acting_role(actor: User) -> str:
    return Role.DEPT_HEAD if actor.has_role(Role.DEPT_HEAD) else Role.DEPT_STAFF


def _require_manager(actor: User, task: Task) -> None:
    if not may_manage_task(actor, task):
        raise PermissionDenied("只有发起部门的工作人员可以办理本任务的抽取。")


def task_snapshot(task: Task) -> dict:
    rows = selectors.task_department_rows(task)
    return {
        "code": task.code,
        "title": task.title,
        "kind": task.kind,
        "status": task.status,
        "departments": [
            {
                "department": row.department.code,
                "inspectors": row.inspector_count,
                "matters": sorted(matter.code for matter in row.matters.all()),
                "expertise": sorted(tag.name for tag in row.expertise.all()),
            }
            for row in rows
        ],
        "sampling": task.sampling,
        "ratios": {name: str(value) for name, value in task.risk_ratios.items() if value is not None},
        "ratio": None if task.ratio is None else str(task.ratio),
        "target_count": task.target_count,
        "window": [task.start_date.isoformat(), task.end_date.isoformat()],
        "batch_size": task.batch_size,
        "exclusion_months": task.exclusion_months,
        "experts": task.expert_count,
    }


def _next_task_code(year: int, department_code: str) -> str:
    prefix = f"{year}-{department_code}-"
    last = (
        Task.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _write_task(task: Task, data: PlanItemData) -> None:
    for name in (
        "title",
        "form",
        "sampling",
        "ratio",
        "ratio_a",
        "ratio_b",
        "ratio_c",
        "ratio_d",
        "target_count",
        "start_date",
        "end_date",
        "batch_size",
    ):
        setattr(task, name, getattr(data, name))
    task.methods = list(data.methods)
    task.target_kinds = list(data.target_kinds)
    task.industry_prefixes = sorted(set(data.industry_prefixes))
    task.save()
    task.sub_registries.set(data.sub_registries)
    task.towns.set(data.towns)
    departments = [(data.initiator, data.initiator_matters), *data.participants]
    for order, (department, matters) in enumerate(departments):
        row = TaskDepartment.objects.create(
            task=task,
            department=department,
            order=order,
            inspector_count=DEFAULT_INITIATOR_COUNT if order == 0 else DEFAULT_PARTICIPANT_COUNT,
        )
        row.matters.set(matters)
        tags = {tag.pk for matter in matters for tag in matter.expertise.all()}
        row.expertise.set(tags)


def task_create_from_plan_item(*, actor: User, plan_item: PlanItem) -> Task:
    """A task for a planned item of a filed (or approved) plan, by its initiating department."""
    if not (
        actor.has_role(Role.DEPT_STAFF, Role.DEPT_HEAD) and actor.department_id == plan_item.initiator_id
    ):
        raise PermissionDenied("只有发起部门的工作人员可以为该计划任务生成抽查任务。")
    if not plan_items_in_force().filter(pk=plan_item.pk).exists():
        raise ValidationError("该计划任务所在的年度计划尚未备案（或审议通过），不能生成抽查任务。")
    if plan_item.tasks.exists():
        raise ValidationError("该计划任务已生成抽查任务。")
    data = PlanItemData.from_item(plan_item)
    with transaction.atomic():
        task = Task(
            code=_next_task_code(plan_item.plan.year, plan_item.initiator.code),
            year=plan_item.plan.year,
            kind=Task.Kind.RANDOM,
            plan_item=plan_item,
            initiator=plan_item.initiator,
            created_by=actor,
            description=plan_item.note,
        )
        _write_task(task, data)
        audit_record(
            action="task.create",
            actor=actor,
            role=_acting_role(actor),
            object_type="抽查任务",
            object_key=task.code,
            after=task_snapshot(task),
        )
    return task


def task_create_special(*, actor: User, data: PlanItemData, description: str = "") -> Task:
    """A special task (专项抽查) created directly, outside the annual plan."""
    if not (actor.has_role(Role.DEPT_STAFF, Role.DEPT_HEAD) and actor.department_id == data.initiator.pk):
        raise PermissionDenied("只能以本部门为发起部门创建专项抽查任务。")
    year = data.start_date.year if data.start_date else timezone.localdate().year
    problems = item_problems(data, year=year)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        task = Task(
            code=_next_task_code(year, data.initiator.code),
            year=year,
            kind=Task.Kind.SPECIAL,
            initiator=data.initiator,
            created_by=actor,
            description=description.strip(),
        )
        _write_task(task, data)
        audit_record(
            action="task.create",
            actor=actor,
            role=_acting_role(actor),
            object_type="抽查任务",
            object_key=task.code,
            after=task_snapshot(task),
        )
    return task


@dataclass(frozen=True)
class SlotRule:
    department_id: int
    inspector_count: int
    expertise: list[ExpertiseTag]


def task_set_rules(
    *,
    actor: User,
    task: Task,
    slots: Iterable[SlotRule],
    expert_count: int,
    expert_expertise: Iterable[ExpertiseTag],
    exclusion_months: int,
    batch_size: int | None,
) -> Task:
    """The draw's rules for a task that has not been committed yet."""
    _require_manager(actor, task)
    if task.status != Task.Status.DRAFT:
        raise ValidationError("任务已公示抽取承诺，抽取规则不能再修改；如需修改请先取消抽取。")
    rules = {rule.department_id: rule for rule in slots}
    rows = list(task.departments.select_related("department").order_by("order"))
    if set(rules) != {row.department_id for row in rows}:
        raise ValidationError("抽取规则须逐一列出本任务的各个部门。")
    problems = []
    for row in rows:
        if not 1 <= rules[row.department_id].inspector_count <= 6:
            problems.append(f"{row.department.short_name}选派人数应为 1 到 6 人。")
    if not 0 <= expert_count <= 5:
        problems.append("专家（第三方）人数应为 0 到 5 人。")
    if not 0 <= exclusion_months <= 60:
        problems.append("排除期应为 0 到 60 个月。")
    if batch_size is not None and batch_size < 1:
        problems.append("每批户数应为正整数；不分批请留空。")
    if problems:
        raise ValidationError(problems)
    slot_list = [protocol.Slot(row.department.code, rules[row.department_id].inspector_count) for row in rows]
    if expert_count:
        slot_list.append(protocol.Slot(None, expert_count, certified=False))
    try:
        protocol.validate_slots(
            slot_list,
            initiator=rows[0].department.code,
            participants=[row.department.code for row in rows[1:]],
        )
    except protocol.ProtocolError as error:
        raise ValidationError(error.message) from None
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.DRAFT:
            raise ValidationError("任务已公示抽取承诺，抽取规则不能再修改。")
        before = task_snapshot(task)
        for row in rows:
            rule = rules[row.department_id]
            row.inspector_count = rule.inspector_count
            row.save(update_fields=["inspector_count"])
            row.expertise.set(rule.expertise)
        task.expert_count, task.exclusion_months, task.batch_size = expert_count, exclusion_months, batch_size
        task.save(update_fields=["expert_count", "exclusion_months", "batch_size", "updated_at"])
        task.expert_expertise.set(list(expert_expertise))
        audit_record(
            action="task.rules",
            actor=actor,
            role=_acting_role(actor),
            object_type="抽查任务",
            object_key=task.code,
            before=before,
            after=task_snapshot(task),
        )
    return task


def task_join_visits(*, actor: User, task: Task, other: Task) -> None:
    """进一次门、查多项事: targets drawn by both tasks get one visit with both teams."""
    _require_manager(actor, task)
    if other.pk == task.pk:
        raise ValidationError("不能与本任务自身合并。")
    if task.is_case or other.is_case:
        raise ValidationError("个案检查由部门单独安排，不与随机抽查任务合并上门检查。")
    if not (other.start_date <= task.end_date and other.end_date >= task.start_date):
        raise ValidationError("两个任务的检查时间不重叠，无法合并上门检查。")
    if Task.Status.CLOSED in (task.status, other.status):
        raise ValidationError("已完成的任务不能再合并上门检查。")
    with transaction.atomic():
        task.joint_visit_tasks.add(other)
        audit_record(
            action="task.join_visits",
            actor=actor,
            role=_acting_role(actor),
            object_type="抽查任务",
            object_key=task.code,
            after={"joint_visit_with": other.code},
        )


# ---- prepare (commit) -----------------------------------------------------------------------------


def _frame_and_sizes(
    task: Task, *, today: datetime.date
) -> tuple[protocol.Frame, list[protocol.StratumSize]]:
    try:
        # One line per target, keyed by its code: a unique column.
        frame = protocol.build_frame_from_lines(selectors.frame_lines(task, today=today), keys_unique=True)
    except protocol.ProtocolError as error:
        raise ValidationError(f"抽取名单无法生成：{error.message}") from None
    try:
        sizes = selectors.stratum_sizes(task, frame.sizes)
    except protocol.ProtocolError as error:
        raise ValidationError(error.message) from None
    problems = selectors.cap_problems(task, sizes)
    if problems:
        raise ValidationError(problems)
    if not sum(stratum.sample_size for stratum in sizes):
        raise ValidationError("按当前范围和比例不会抽中任何检查对象：请检查名录库分库、筛选条件和抽查比例。")
    return frame, sizes


@paused_gc()  # a million keys in, a few hundred thousand small objects made
def draw_prepare(*, actor: User, task: Task, scheduled_for: datetime.datetime) -> Draw:
    """Freeze the frame and the pool, fix the sample sizes, generate the server secret and
    publish the commitment. Refused before anything is stored if any slot could not be
    filled for some target of the frame (the message names the department and the rule)."""
    _require_manager(actor, task)
    now = timezone.now()
    if scheduled_for < now - datetime.timedelta(seconds=5):
        raise ValidationError({"scheduled_for": "计划抽取时间不能早于现在。"})
    if task.status != Task.Status.DRAFT:
        raise ValidationError("该任务已有公示中的或已执行的抽取。")
    today = timezone.localdate(now)
    frame, sizes = _frame_and_sizes(task, today=today)
    slots = selectors.task_slots(task)
    names = selectors.department_names()
    try:
        protocol.validate_slots(
            slots,
            initiator=slots[0].department,
            participants=[slot.department for slot in slots[1:] if slot.department is not None],
        )
        pool = protocol.build_pool(selectors.pool_entries(task, scheduled_for=scheduled_for))
        sampled = {stratum.name for stratum in sizes if stratum.sample_size}
        candidates = frame.keys_in(sampled)
        protocol.check_feasible(targets=candidates, slots=slots, pool=pool, department_names=names)
    except protocol.InfeasibleError as error:
        raise ValidationError(f"无法保证每个检查组都能配齐人员：{error.message}") from None
    except protocol.ProtocolError as error:
        raise ValidationError(error.message) from None
    secret = protocol.new_server_secret()
    sample_total = sum(stratum.sample_size for stratum in sizes)
    draw = Draw(
        task=task,
        task_snapshot=selectors.task_info(task).as_record(),
        frame_digest=frame.digest,
        frame_size=frame.size,
        pool_digest=pool.digest,
        strata=[{**stratum.as_record(), "count": stratum.count} for stratum in sizes],
        exclusions=selectors.frame_exclusions(task, today=today),
        batch_size=task.batch_size or max(1, sample_total),
        server_secret=secret,
        commitment=protocol.commitment_of(secret),
        committed_at=now,
        scheduled_for=max(scheduled_for, now),
        prepared_by=actor,
    )
    draw.frame_file.save(f"{task.code}-{frame.digest[:12]}.txt", ContentFile(frame.content), save=False)
    draw.pool_file.save(f"{task.code}-{pool.digest[:12]}.jsonl", ContentFile(pool.content), save=False)
    try:
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            if locked.status != Task.Status.DRAFT:
                raise ValidationError("该任务已有公示中的或已执行的抽取。")
            draw.save()
            locked.status = Task.Status.PREPARED
            locked.save(update_fields=["status", "updated_at"])
            notice_events.draw_scheduled(draw=draw, actor=actor)
            audit_record(
                action="draw.prepare",
                actor=actor,
                role=_acting_role(actor),
                object_type="随机抽取",
                object_key=task.code,
                after={
                    "commitment": draw.commitment,
                    "frame_digest": draw.frame_digest,
                    "pool_digest": draw.pool_digest,
                    "frame_size": draw.frame_size,
                    "strata": draw.strata,
                    "scheduled_for": draw.scheduled_for,
                },
            )
    except IntegrityError:
        raise ValidationError("该任务已有公示中的或已执行的抽取。") from None
    task.status = Task.Status.PREPARED
    return draw


def draw_cancel(*, actor: User, draw: Draw, reason: str) -> Draw:
    """Cancel a committed draw before it is executed; the reason stays public forever."""
    _require_manager(actor, draw.task)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "取消抽取必须写明理由，理由将向社会公开。"})
    with transaction.atomic():
        draw = Draw.objects.select_for_update().select_related("task").get(pk=draw.pk)
        if draw.status != Draw.Status.PREPARED:
            raise ValidationError("只有尚未执行的抽取可以取消；已执行的抽取结果是最终的。")
        draw.status = Draw.Status.CANCELLED
        draw.cancelled_at, draw.cancelled_by, draw.cancel_reason = timezone.now(), actor, reason
        draw.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        Task.objects.filter(pk=draw.task_id).update(status=Task.Status.DRAFT, updated_at=timezone.now())
        notice_events.draw_cancelled(draw=draw, actor=actor)
        audit_record(
            action="draw.cancel",
            actor=actor,
            role=_acting_role(actor),
            object_type="随机抽取",
            object_key=draw.task.code,
            before={"commitment": draw.commitment},
            after={"reason": reason},
        )
    return draw


# ---- execute ------------------------------------------------------------------------------------------


def draw_execute(*, actor: User, draw: Draw, witness_input: str, witness_source: str) -> Job:
    """Queue the execution of a committed draw (a Celery job with a progress bar)."""
    _require_manager(actor, draw.task)
    now = timezone.now()
    if draw.status == Draw.Status.CANCELLED:
        raise ValidationError("该抽取已取消。")
    if draw.status == Draw.Status.EXECUTED:
        raise ValidationError("该抽取已经执行，抽取结果是最终的，不能重新抽取。")
    if now < draw.scheduled_for:
        raise ValidationError(
            f"未到计划抽取时间（{timezone.localtime(draw.scheduled_for):%Y-%m-%d %H:%M}），不能执行。"
        )
    if witness_source not in Draw.WitnessSource.values:
        raise ValidationError({"witness_source": "请选择见证输入的来源。"})
    try:
        witness = protocol.normalise_witness_input(witness_input)
    except protocol.ProtocolError as error:
        raise ValidationError({"witness_input": error.message}) from None
    return job_create(
        kind="inspections.draw_execute",
        title=f"执行随机抽取：{draw.task.code} {draw.task.title}",
        actor=actor,
        params={
            "draw": draw.pk,
            "witness_input": witness,
            "witness_source": witness_source,
            "requested_at": now.isoformat(),
        },
    )


@job_handler("inspections.draw_execute")
def _draw_execute_job(job: Job, progress: Progress) -> None:
    draw = draw_execute_run(
        draw_id=job.params["draw"],
        actor=job.created_by,
        witness_input=job.params["witness_input"],
        witness_source=job.params["witness_source"],
        executed_at=datetime.datetime.fromisoformat(job.params["requested_at"]),
        progress=progress,
    )
    job.result = {"draw": draw.pk, "next_url": f"/work/draws/{draw.pk}/", "next_label": "查看抽取结果"}
    job.save(update_fields=["result"])


def _read_frozen(draw: Draw) -> tuple[protocol.Frame, protocol.Pool]:
    """The frame and pool files exactly as committed (their digests are checked)."""
    try:
        with draw.frame_file.open("rb") as handle:
            frame = protocol.load_committed_frame(
                handle.read(), draw.frame_digest, {row["name"]: row["size"] for row in draw.strata}
            )
        with draw.pool_file.open("rb") as handle:
            pool = protocol.parse_pool(handle.read())
    except protocol.ProtocolError as error:
        raise ValidationError(
            f"冻结的抽取名单或人员库文件有误（{error.message}），抽取已停止，请联系系统管理员。"
        ) from None
    if pool.digest != draw.pool_digest:
        raise ValidationError("冻结的人员库文件与承诺时的摘要不符，抽取已停止，请联系系统管理员。")
    return frame, pool


@paused_gc()  # tens of thousands of rows, teams and records made
def draw_execute_run(
    *,
    draw_id: int,
    actor: User,
    witness_input: str,
    witness_source: str,
    executed_at: datetime.datetime,
    progress: Progress | None = None,
) -> Draw:
    """Execute a draw: idempotent, and at most once (the row lock and the constraint).

    A retry after a crash recomputes exactly the same draw; a second request after the
    draw is executed returns the executed draw unchanged.
    """
    report = progress or (lambda *args, **kwargs: None)
    report(0, total=5, stage="读取冻结的抽取名单和人员库")
    draw = Draw.objects.select_related("task", "task__initiator").get(pk=draw_id)
    if draw.status == Draw.Status.EXECUTED:
        return draw
    frame, pool = _read_frozen(draw)
    sizes = selectors.draw_strata(draw)
    slots = [protocol.Slot.from_json(slot) for slot in draw.task_snapshot["slots"]]
    names = selectors.department_names()
    report(1, stage="计算种子和抽签值，抽取检查对象")
    try:
        selection = protocol.select_for_draw(
            frame=frame,
            sizes=sizes,
            server_secret=draw.server_secret,
            witness_input=witness_input,
            executed_at=executed_at,
            batch_size=draw.batch_size,
        )
    except protocol.ProtocolError as error:
        raise ValidationError(f"抽取未执行：{error.message}") from None
    del frame  # the frame's million keys are not needed any more
    report(2, stage="随机匹配执法检查人员，创建检查")
    # The matching is pure Python and the writes mostly wait for the database: the teams
    # are matched in a thread, a batch at a time, while the inspections are written and
    # then each batch's team members (the database checks each batch's keys, a statement
    # at a time, while the next batch is matched). A team that cannot be filled raises
    # here, inside the transaction, so nothing is stored.
    feed = _TeamFeed(
        seed=selection.seed,
        targets=selection.targets,
        slots=slots,
        pool=pool,
        department_names=names,
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="draw-matching") as executor:
        executor.submit(feed.run)
        try:
            with transaction.atomic():
                draw = Draw.objects.select_for_update().select_related("task").get(pk=draw_id)
                if draw.status == Draw.Status.EXECUTED:
                    return draw
                if draw.status != Draw.Status.PREPARED:
                    raise ValidationError("该抽取已取消，不能执行。")
                inspection_ids = _create_inspections(draw, selection)
                write_team = _assignment_writer(draw, pool, inspection_ids)
                teams: list[protocol.Team] = []
                for batch in feed.batches():
                    write_team(batch)
                    teams.extend(batch)
                execution = protocol.complete_execution(selection, teams)
                report(4, stage="写入检查组并公开服务器密钥")
                draw.status = Draw.Status.EXECUTED
                draw.executed_at = execution.executed_at
                draw.executed_by = actor
                draw.witness_input = execution.witness_input
                draw.witness_source = witness_source
                draw.seed = execution.seed
                draw.selected = [entry.as_record() for entry in execution.selected]
                draw.teams = [team.as_record() for team in execution.teams]
                draw.save()
                Task.objects.filter(pk=draw.task_id).update(
                    status=Task.Status.DRAWN, updated_at=timezone.now()
                )
                notice_events.draw_executed(draw=draw, actor=actor)
                audit_record(
                    action="draw.execute",
                    actor=actor,
                    role=_acting_role(actor),
                    object_type="随机抽取",
                    object_key=draw.task.code,
                    after={
                        "witness_input": draw.witness_input,
                        "witness_source": witness_source,
                        "seed": draw.seed,
                        "selected": len(draw.selected),
                    },
                )
        except protocol.ProtocolError as error:
            raise ValidationError(f"抽取未执行：{error.message}") from None
        finally:
            feed.stop()
    report(5, stage="抽取完成")
    return draw


def _create_inspections(draw: Draw, selection: protocol.Selection) -> dict[str, int]:
    """One inspection per selected target, in one visit with a joint task's inspection of
    the same target where the two tasks merged their visits (进一次门). Written with
    COPY: a large draw creates tens of thousands of rows. Returns key -> inspection id.

    Their keys are checked a statement at a time (luozhuang_dsj.lib.references), as each
    COPY ends, while the teams are still being matched."""
    task = draw.task
    keys = selection.targets
    targets = {
        code: (pk, risk) for code, pk, risk in fetch_by_keys(Target, "code", ["id", "risk_class"], keys)
    }
    joint_tasks = list(task.joint_visit_tasks.values_list("pk", flat=True))
    joint_visits = (
        dict(
            Inspection.objects.filter(
                task__in=joint_tasks,
                target_id__in=[targets[key][0] for key in keys],
                status__in=[Inspection.Status.PENDING, Inspection.Status.IN_PROGRESS],
            ).values_list("target__code", "visit_id")
        )
        if joint_tasks
        else {}
    )
    now = timezone.now()
    new_keys = [key for key in keys if key not in joint_visits]
    visit_ids = insert_returning_ids(
        Visit, ["target", "created_at"], [(targets[key][0], now) for key in new_keys]
    )
    visits = {**joint_visits, **dict(zip(new_keys, visit_ids, strict=True))}
    inspection_ids = insert_returning_ids(
        Inspection,
        [
            "task",
            "draw",
            "target",
            "visit",
            "stratum",
            "ticket",
            "position",
            "batch",
            "risk_class",
            "status",
            "created_at",
        ],
        [
            (
                task.pk,
                draw.pk,
                targets[entry.target][0],
                visits[entry.target],
                entry.stratum,
                entry.ticket,
                position,
                entry.batch,
                targets[entry.target][1],
                Inspection.Status.PENDING,
                now,
            )
            for position, entry in enumerate(selection.selected, start=1)
        ],
    )
    return dict(zip(keys, inspection_ids, strict=True))


class _TeamFeed:
    """The teams of a draw matched in a worker thread and handed to the caller's thread a
    batch at a time, in order; an error in the matching is raised in the caller's thread."""

    BATCH_SIZE = 1000

    def __init__(self, **matching: object) -> None:
        self.matching = matching
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            for batch in protocol.match_teams_in_batches(**self.matching, batch_size=self.BATCH_SIZE):
                if self.stopped.is_set():
                    return
                self.queue.put(batch)
        except BaseException as error:  # handed over to the caller's thread, and raised there
            self.queue.put(error)
        else:
            self.queue.put(None)

    def batches(self) -> Iterator[tuple[protocol.Team, ...]]:
        while (batch := self.queue.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch
            yield batch

    def stop(self) -> None:
        """Ends the matching early if the caller gave up (the draw was already executed)."""
        self.stopped.set()


def _assignment_writer(
    draw: Draw, pool: protocol.Pool, inspection_ids: dict[str, int]
) -> Callable[[Sequence[protocol.Team]], None]:
    """A function that writes every drawn inspector of some teams onto the inspection of
    the team's target, slot by slot."""
    slots = [protocol.Slot.from_json(slot) for slot in draw.task_snapshot["slots"]]
    inspectors = dict(
        Inspector.objects.filter(code__in=[entry.code for entry in pool.entries]).values_list("code", "pk")
    )
    departments = dict(draw.task.departments.values_list("department__code", "department_id"))

    def write(teams: Sequence[protocol.Team]) -> None:
        bulk_insert(
            InspectionAssignment,
            ["inspection", "inspector", "department", "slot", "is_expert", "is_active"],
            [
                (
                    inspection_ids[team.target],
                    inspectors[code],
                    departments.get(slot.department),
                    index,
                    slot.department is None,
                    True,
                )
                for team in teams
                for index, (slot, drawn) in enumerate(zip(slots, team.slots, strict=True))
                for code in drawn.inspectors
            ],
        )

    return write


# ---- after the draw ------------------------------------------------------------------------------------


def draw_adjust(
    *,
    actor: User,
    draw: Draw,
    target_key: str,
    inspector_out: str,
    reason: str,
    substitute: str | None = None,
) -> DrawAdjustment:
    """Replace one drawn inspector with a written reason (§3, adjustments). The teams stay
    locked; the adjustment is appended to the record. A named substitute needs the office."""
    if substitute:
        if not may_adjust_with_substitute(actor):
            raise PermissionDenied("指定替补人员须由联席会议办公室批准。")
    else:
        _require_manager(actor, draw.task)
    if draw.status != Draw.Status.EXECUTED:
        raise ValidationError("只有已执行的抽取可以调整检查人员。")
    _, pool = _read_frozen(draw)
    execution = selectors.draw_execution(draw)
    if execution is None:  # not reached: the draw is executed
        raise ValidationError("只有已执行的抽取可以调整检查人员。")
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        earlier = selectors.draw_adjustments(draw)
        inspection = Inspection.objects.filter(draw=draw, target__code=target_key).first()
        if inspection is None:
            raise ValidationError(f"检查对象 {target_key} 不在本次抽中名单中。")
        if inspection.status in (Inspection.Status.DONE, Inspection.Status.IMPOSSIBLE):
            raise ValidationError("该检查已经结束，不能再调整检查人员。")
        unavailable = _unavailable_today(pool)
        try:
            adjustment = protocol.replace_inspector(
                seed=draw.seed,
                slots=[protocol.Slot.from_json(slot) for slot in draw.task_snapshot["slots"]],
                pool=pool,
                teams=execution.teams,
                adjustments=earlier,
                target=target_key,
                out=inspector_out,
                reason=reason,
                at=timezone.now(),
                by=actor.username,
                substitute=substitute or None,
                unavailable=unavailable,
                department_names=selectors.department_names(),
            )
        except protocol.ProtocolError as error:
            raise ValidationError(error.message) from None
        position = (draw.adjustments.aggregate(last=Max("position"))["last"] or 0) + 1
        row = DrawAdjustment.objects.create(
            draw=draw,
            position=position,
            target_key=adjustment.target,
            department_code=adjustment.department or "",
            inspector_out=adjustment.out,
            inspector_in=adjustment.incoming,
            reason=adjustment.reason,
            named_substitute=bool(substitute),
            at=adjustment.at,
            by=actor,
        )
        out_assignment = inspection.assignments.get(inspector__code=adjustment.out, is_active=True)
        out_assignment.is_active = False
        out_assignment.save(update_fields=["is_active"])
        incoming = InspectionAssignment.objects.create(
            inspection=inspection,
            inspector=Inspector.objects.get(code=adjustment.incoming),
            department=out_assignment.department,
            slot=out_assignment.slot,
            is_expert=out_assignment.is_expert,
            adjustment=row,
        )
        notice_events.inspectors_assigned(
            inspection=inspection,
            inspector_ids=[incoming.inspector_id],
            actor=actor,
            why=f"抽取后人员调整：替换 {adjustment.out}（{adjustment.reason}）。",
        )
        audit_record(
            action="draw.adjust",
            actor=actor,
            role=Role.OFFICE if substitute else _acting_role(actor),
            object_type="随机抽取",
            object_key=draw.task.code,
            after=adjustment.as_record(),
        )
    return row


def _unavailable_today(pool: protocol.Pool) -> set[str]:
    """Inspectors who cannot serve now: out of post or absent today (the frozen pool said
    who was eligible at prepare time; an adjustment happens later)."""
    today = timezone.localdate()
    codes = [entry.code for entry in pool.entries]
    absent = Inspector.objects.filter(code__in=codes).filter(
        unavailable_periods__start__lte=today, unavailable_periods__end__gte=today
    )
    inactive = Inspector.objects.filter(code__in=codes, is_active=False)
    return set(absent.values_list("code", flat=True)) | set(inactive.values_list("code", flat=True))
