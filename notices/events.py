"""The events that notify someone, and who they notify. Services call these inside the
transaction of the change (before its audit event, which stays the last step).

| event | kind | recipients |
| --- | --- | --- |
| a department plan submitted | plan.submitted | the office |
| a department plan returned with comments | plan.returned | the plan department's staff and heads |
| a draw committed (scheduled) | draw.scheduled | staff and heads of the task's departments (initiating and participating) |
| a committed draw cancelled | draw.cancelled | the same |
| a draw executed | draw.executed | each drawn inspector with a login account; the task departments' staff and heads not already told as inspectors |
| plan deadline in 3 working days | plan.due | see `notices.reminders` |
| result publication due in 3 working days | publication.due | the publishing department's staff and heads (`notices.reminders`) |
| task ending in 3 working days with results not entered | result.due | each task department still missing results: its staff and heads |
| follow-up measure or hand-off answer due in 3 working days | followup.due | the handling (receiving) department's staff and heads |

| an inspector put on a team after the draw (adjustment, case check) | inspection.assigned | that inspector's login account |
| a finding handed off (移交) | handoff.received | the receiving department's staff and heads |
| an objection filed on a published result (异议) | objection.filed | the publishing department's staff and heads |

The actor is never among the recipients. Issue 7 adds objection.filed here (see
docs/CONVENTIONS.md, "Notifications").
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.models import User
from notices import selectors
from notices.models import Notification
from notices.services import notify

if TYPE_CHECKING:
    from disclosure.models import Objection
    from inspections.models import Draw, FollowUp, Inspection
    from plans.models import AnnualPlan


def _when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# ---- plans --------------------------------------------------------------------------------------


def plan_submitted(*, plan: AnnualPlan, actor: User) -> None:
    department = plan.department
    late = plan.submitted_at and timezone.localtime(plan.submitted_at).date() > plan.due_date
    notify(
        recipients=selectors.office_people(excluding=actor),
        kind=Notification.Kind.PLAN_SUBMITTED,
        title=f"{department.short_name}报送了{plan.year}年度抽查计划，待备案",
        body=(
            f"{plan.title}（第{plan.revision}版）由{actor.name}于{_when(plan.submitted_at)}报送。"
            + ("已超过1月31日的报送期限。" if late else "")
            + "请审核后备案或退回修改。"
        ),
        link=reverse("plan-detail", args=[plan.pk]),
    )


def plan_returned(*, plan: AnnualPlan, actor: User) -> None:
    notify(
        recipients=selectors.department_people([plan.department], excluding=actor),
        kind=Notification.Kind.PLAN_RETURNED,
        title=f"{plan.year}年度抽查计划被联席会议办公室退回修改",
        body=f"退回意见：{plan.return_comment}\n请按意见修改后由部门负责人重新报送。",
        link=reverse("plan-detail", args=[plan.pk]),
    )


# ---- draws ----------------------------------------------------------------------------------------


def _task_department_ids(draw: Draw) -> list[int]:
    return [draw.task.initiator_id, *draw.task.departments.values_list("department_id", flat=True)]


def _task_line(draw: Draw) -> str:
    task = draw.task
    return f"{task.code} {task.title}（发起部门：{task.initiator.short_name}）"


def draw_scheduled(*, draw: Draw, actor: User) -> None:
    notify(
        recipients=selectors.department_people(_task_department_ids(draw), excluding=actor),
        kind=Notification.Kind.DRAW_SCHEDULED,
        title=f"随机抽取已公示承诺：{draw.task.title}",
        body=(
            f"{_task_line(draw)}\n计划抽取时间：{_when(draw.scheduled_for)}；抽取范围 {draw.frame_size} 户，"
            f"拟抽取 {draw.sample_total} 户。\n承诺值：{draw.commitment}"
        ),
        link=reverse("draw-detail", args=[draw.pk]),
    )


def draw_cancelled(*, draw: Draw, actor: User) -> None:
    notify(
        recipients=selectors.department_people(_task_department_ids(draw), excluding=actor),
        kind=Notification.Kind.DRAW_CANCELLED,
        title=f"随机抽取已取消：{draw.task.title}",
        body=f"{_task_line(draw)}\n取消理由（已向社会公开）：{draw.cancel_reason}",
        link=reverse("draw-detail", args=[draw.pk]),
    )


def draw_executed(*, draw: Draw, actor: User) -> None:
    """Call after the draw's inspections and teams are written."""
    from inspections.models import InspectionAssignment

    assigned = dict(
        InspectionAssignment.objects.filter(
            inspection__draw=draw, is_active=True, inspector__user__isnull=False
        )
        .order_by()
        .values_list("inspector__user")
        .annotate(inspections=Count("inspection", distinct=True))
    )
    inspectors = User.objects.filter(pk__in=list(assigned), is_active=True).exclude(pk=actor.pk)
    by_count: dict[int, list[User]] = {}
    for user in inspectors.order_by("pk"):
        by_count.setdefault(assigned[user.pk], []).append(user)
    for count, users in sorted(by_count.items()):
        notify(
            recipients=users,
            kind=Notification.Kind.DRAW_EXECUTED,
            title=f"您被随机选派参加检查：{draw.task.title}",
            body=(
                f"{_task_line(draw)}\n抽取时间：{_when(draw.executed_at)}；您参加其中 {count} 户的检查。"
                "请在“我的检查”中查看检查对象和同组人员。"
            ),
            link=reverse("inspector-home"),
        )
    notify(
        recipients=selectors.department_people(_task_department_ids(draw), excluding=actor).exclude(
            pk__in=list(assigned)
        ),
        kind=Notification.Kind.DRAW_EXECUTED,
        title=f"随机抽取已执行：{draw.task.title}",
        body=f"{_task_line(draw)}\n抽取时间：{_when(draw.executed_at)}；抽中 {len(draw.selected)} 户。",
        link=reverse("draw-detail", args=[draw.pk]),
    )


# ---- disclosure (issue 7) ------------------------------------------------------------------------


def objection_filed(*, objection: Objection) -> None:
    """Filed by a member of the public (no actor): the publishing department's people."""
    row = objection.published_result
    notify(
        recipients=selectors.department_people([objection.department_id]),
        kind=Notification.Kind.OBJECTION_FILED,
        title=f"收到对公开检查结果的异议：{row.target_name}",
        body=(
            f"受理编号 {objection.reference}；抽查事项：{row.matter_name}；公开结果：{row.result_label}。"
            "请核实后由部门负责人维持或更正。"
        ),
        link=reverse("objection-detail", args=[objection.pk]),
    )


# ---- inspections (issue 6) ------------------------------------------------------------------------


def inspectors_assigned(*, inspection: Inspection, inspector_ids: list[int], actor: User, why: str) -> None:
    """Inspectors put on a team after the draw: a replacement (调整) or a case check's team."""
    notify(
        recipients=selectors.inspector_accounts(inspector_ids, excluding=actor),
        kind=Notification.Kind.INSPECTION_ASSIGNED,
        title=f"您被派参加检查：{inspection.target.name}",
        body=f"{why}\n抽查任务：{inspection.task.code} {inspection.task.title}。请在“我的检查”中查看。",
        link=reverse("inspector-home"),
    )


def handoff_received(*, follow_up: FollowUp, actor: User) -> None:
    """A finding handed to the competent or approving department (谁审批、谁监管，谁主管、谁监管)."""
    due = f"请于 {follow_up.accept_deadline:%Y-%m-%d} 前接收或退回。" if follow_up.accept_deadline else ""
    notify(
        recipients=selectors.department_people([follow_up.department_id], excluding=actor),
        kind=Notification.Kind.HANDOFF_RECEIVED,
        title=f"收到移交：{follow_up.target.name}",
        body=f"{follow_up.origin_department.short_name}移交的检查发现需要贵单位后续监管。{due}",
        link=reverse("follow-up-detail", args=[follow_up.pk]),
    )
