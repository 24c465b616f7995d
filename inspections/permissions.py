"""Who may see and change tasks and draws.

A task belongs to its initiating department (发起部门): its staff and head prepare,
execute, cancel and adjust its draw. Participating departments and the office read it;
auditors read everything (they change nothing). The public side reads draws through the
disclosure app, never through these helpers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from inspections.models import (
    CaseLead,
    Draw,
    FollowUp,
    Inspection,
    InspectionAssignment,
    MatterResult,
    ResultAttachment,
    Task,
    TaskDepartment,
)
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)


def may_manage_task(user: User, task: Task) -> bool:
    return user_has_role(user, *DEPARTMENT_ROLES) and user.department_id == task.initiator_id


def may_read_full_record(user: User) -> bool:
    """The full record and the pool file name inspectors: the office (and, on their own
    pages, the auditors) only."""
    return user_has_role(user, Role.OFFICE)


def may_adjust_with_substitute(user: User) -> bool:
    return user_has_role(user, Role.OFFICE)


def visible_tasks(user: User) -> QuerySet[Task]:
    tasks = Task.objects.select_related("initiator")
    if user_has_role(user, Role.OFFICE, Role.AUDITOR):
        return tasks
    if user_has_role(user, *DEPARTMENT_ROLES):
        return tasks.filter(
            Q(initiator=user.department) | Q(departments__department=user.department)
        ).distinct()
    return tasks.none()


def get_task_for_user(*, user: User, pk: int, change: bool = False) -> Task:
    task = visible_tasks(user).filter(pk=pk).first()
    if task is None:
        raise Http404("没有找到该抽查任务。")
    if change and not may_manage_task(user, task):
        raise PermissionDenied("只有发起部门的工作人员可以办理本任务的抽取。")
    return task


def get_draw_for_user(*, user: User, pk: int, change: bool = False) -> Draw:
    draw = Draw.objects.select_related("task", "task__initiator").filter(pk=pk).first()
    if draw is None or not visible_tasks(user).filter(pk=draw.task_id).exists():
        raise Http404("没有找到该抽取。")
    if change and not (may_manage_task(user, draw.task) or may_adjust_with_substitute(user)):
        raise PermissionDenied("只有发起部门的工作人员可以办理本任务的抽取。")
    return draw


# ---- inspections, results, follow-ups, leads (issue 6) ---------------------------------------------
#
# - An inspection belongs to its task's departments: their staff and heads read it, the
#   initiating department schedules and closes it (joint summary); the office reads all.
#   Inspectors read the inspections they serve on (active assignment), nothing else.
# - A result is entered by a team member of the matter's department (谁检查、谁录入). A draft
#   (and its attachments) is seen only by that department: its staff and head and its team
#   members on the inspection. Once submitted, every department reads it (互认共享) with its
#   attachments, and so does the whole team; only the department head changes it.
# - A follow-up is seen by the department that found the problem and the one handling it
#   (the receiving department of a hand-off); the handling department acts on it.
# - A lead is seen by the department that registered it and the one it is assigned to; the
#   office sees and assigns every lead.


def is_department_user(user: User, department_id: int | None) -> bool:
    return (
        department_id is not None
        and user_has_role(user, *DEPARTMENT_ROLES)
        and user.department_id == department_id
    )


def is_department_head(user: User, department_id: int | None) -> bool:
    return (
        department_id is not None
        and user_has_role(user, Role.DEPT_HEAD)
        and user.department_id == department_id
    )


def serving_assignments(user: User, inspection: Inspection) -> QuerySet[InspectionAssignment]:
    if not user_has_role(user, Role.INSPECTOR):
        return InspectionAssignment.objects.none()
    return InspectionAssignment.objects.filter(inspection=inspection, inspector__user=user, is_active=True)


def is_team_member(user: User, inspection: Inspection, *, department_id: int | None = None) -> bool:
    assignments = serving_assignments(user, inspection)
    if department_id is not None:
        assignments = assignments.filter(department_id=department_id)
    return assignments.exists()


def visible_inspections(user: User) -> QuerySet[Inspection]:
    inspections = Inspection.objects.select_related("task", "target", "visit")
    if user_has_role(user, Role.OFFICE):
        return inspections
    condition = Q(pk__in=[])
    if user_has_role(user, *DEPARTMENT_ROLES):
        condition |= Exists(
            TaskDepartment.objects.filter(task=OuterRef("task_id"), department_id=user.department_id)
        )
    if user_has_role(user, Role.INSPECTOR):
        condition |= Exists(
            InspectionAssignment.objects.filter(
                inspection=OuterRef("pk"), inspector__user=user, is_active=True
            )
        )
    return inspections.filter(condition)


def may_manage_inspection(user: User, inspection: Inspection) -> bool:
    """Scheduling and the joint summary belong to the initiating department."""
    return is_department_user(user, inspection.task.initiator_id)


def get_inspection_for_user(*, user: User, pk: int, change: bool = False) -> Inspection:
    inspection = visible_inspections(user).filter(pk=pk).first()
    if inspection is None:
        raise Http404("没有找到该检查。")
    if change and not may_manage_inspection(user, inspection):
        raise PermissionDenied("只有发起部门的工作人员可以安排和办结本检查。")
    return inspection


def may_enter_result(user: User, inspection: Inspection, department_id: int) -> bool:
    """谁检查、谁录入: a serving team member of the matter's department."""
    return is_team_member(user, inspection, department_id=department_id)


def visible_results(user: User) -> QuerySet[MatterResult]:
    results = MatterResult.objects.select_related("inspection", "matter", "department", "target")
    own_team = InspectionAssignment.objects.filter(
        inspection=OuterRef("inspection_id"), inspector__user=user, is_active=True
    )
    condition = Q(pk__in=[])
    if user_has_role(user, Role.OFFICE):
        condition |= Q(status__in=MatterResult.ENTERED)
    if user_has_role(user, *DEPARTMENT_ROLES):
        condition |= Q(status__in=MatterResult.ENTERED) | Q(department_id=user.department_id)
    if user_has_role(user, Role.INSPECTOR):
        condition |= Q(status__in=MatterResult.ENTERED) & Exists(own_team)
        condition |= Exists(own_team.filter(department_id=OuterRef("department_id")))
    return results.filter(condition)


def get_result_for_user(*, user: User, pk: int, change: bool = False) -> MatterResult:
    """`change`: the department head's changes after submission (approve, return, amend)."""
    result = visible_results(user).filter(pk=pk).first()
    if result is None:
        raise Http404("没有找到该检查结果。")
    if change and not is_department_head(user, result.department_id):
        raise PermissionDenied("提交后的检查结果只能由本部门负责人审核或修改。")
    return result


def get_attachment_for_user(*, user: User, result_pk: int, pk: int) -> ResultAttachment:
    result = get_result_for_user(user=user, pk=result_pk)
    attachment = result.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("没有找到该附件。")
    return attachment


def may_change_attachments(user: User, result: MatterResult) -> bool:
    """A draft's team member, or the department head at any time (audited)."""
    if is_department_head(user, result.department_id):
        return True
    return result.status == MatterResult.Status.DRAFT and may_enter_result(
        user, result.inspection, result.department_id
    )


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.select_related("target", "department", "origin_department", "result")
    if user_has_role(user, Role.OFFICE):
        return follow_ups
    if user_has_role(user, *DEPARTMENT_ROLES):
        return follow_ups.filter(
            Q(department_id=user.department_id) | Q(origin_department_id=user.department_id)
        )
    return follow_ups.none()


def get_follow_up_for_user(*, user: User, pk: int, change: bool = False) -> FollowUp:
    follow_up = visible_follow_ups(user).filter(pk=pk).first()
    if follow_up is None:
        raise Http404("没有找到该后续处置。")
    if change and not is_department_user(user, follow_up.department_id):
        raise PermissionDenied("只有承办部门可以办理该后续处置。")
    return follow_up


def visible_leads(user: User) -> QuerySet[CaseLead]:
    leads = CaseLead.objects.select_related("target", "department", "registering_department", "task")
    if user_has_role(user, Role.OFFICE):
        return leads
    if user_has_role(user, *DEPARTMENT_ROLES):
        return leads.filter(
            Q(department_id=user.department_id) | Q(registering_department_id=user.department_id)
        )
    return leads.none()


def may_assign_lead(user: User, lead: CaseLead) -> bool:
    """The office assigns any lead; a department assigns its own leads to its own staff."""
    return user_has_role(user, Role.OFFICE) or is_department_user(user, lead.department_id)


def get_lead_for_user(*, user: User, pk: int, change: bool = False) -> CaseLead:
    lead = visible_leads(user).filter(pk=pk).first()
    if lead is None:
        raise Http404("没有找到该线索。")
    if change and not is_department_user(user, lead.department_id):
        raise PermissionDenied("只有承办部门可以办理该线索。")
    return lead
