"""Who may see and change tasks and draws.

A task belongs to its initiating department (发起部门): its staff and head prepare,
execute, cancel and adjust its draw. Participating departments and the office read it;
auditors read everything (they change nothing). The public side reads draws through the
disclosure app, never through these helpers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from inspections.models import Draw, Task
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
