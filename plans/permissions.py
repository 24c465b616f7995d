"""Who may see and change matter lists, the no-penalty list and plans.

The `may_*` predicates are the rules; views use them to show or hide actions and get a
403 from the `get_*_for_user` helpers, and services check them again (one door per write).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans.models import AnnualPlan, ExemptionItem, Matter, PlanItem, PlanRevision
from registry.models import Department

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)
PLANNING_ROLES = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)


def is_office(user: User) -> bool:
    return user_has_role(user, Role.OFFICE)


def is_department_member(user: User, department: Department) -> bool:
    return user_has_role(user, *DEPARTMENT_ROLES) and user.department_id == department.pk


def is_department_head(user: User, department: Department) -> bool:
    return user_has_role(user, Role.DEPT_HEAD) and user.department_id == department.pk


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# ---- matters -------------------------------------------------------------------------------------


def may_view_matters(user: User, department: Department) -> bool:
    return is_office(user) or is_department_member(user, department)


def may_edit_matters(user: User, department: Department) -> bool:
    return is_department_member(user, department)


def may_publish_matter_list(user: User, department: Department) -> bool:
    return is_department_head(user, department)


def get_matter_for_user(*, user: User, pk: int, change: bool = False) -> Matter:
    matter = Matter.objects.select_related("department", "catalog_item__edition").filter(pk=pk).first()
    if matter is None or not may_view_matters(user, matter.department):
        raise Http404("没有找到该抽查事项。")
    if change:
        require(may_edit_matters(user, matter.department), "只有本部门工作人员可以修改本部门的抽查事项。")
    return matter


def get_department_for_matters(*, user: User, code: str | None) -> Department:
    """The department whose list a page shows: one's own, or for the office any department."""
    if code is None:
        return user.department
    department = Department.objects.filter(code=code).first()
    if department is None or not may_view_matters(user, department):
        raise Http404("没有找到该部门的抽查事项清单。")
    return department


# ---- no-penalty list -------------------------------------------------------------------------------


def may_edit_exemptions(user: User) -> bool:
    return is_office(user)


def get_exemption_for_user(*, user: User, pk: int) -> ExemptionItem:
    item = ExemptionItem.objects.select_related("department").filter(pk=pk).first()
    if item is None:
        raise Http404("没有找到该免罚清单事项。")
    require(may_edit_exemptions(user), "只有联席会议办公室可以维护轻微违法免罚清单。")
    return item


# ---- plans --------------------------------------------------------------------------------------------


def may_view_plan(user: User, plan: AnnualPlan) -> bool:
    if is_office(user):
        return True
    if plan.is_joint:
        return user_has_role(user, *DEPARTMENT_ROLES)
    return is_department_member(user, plan.department)


def may_edit_plan(user: User, plan: AnnualPlan) -> bool:
    """Drafting and revising: the office for the joint plan, the department for its own."""
    if plan.is_joint:
        return is_office(user)
    return is_department_member(user, plan.department)


def may_submit_plan(user: User, plan: AnnualPlan) -> bool:
    return not plan.is_joint and is_department_head(user, plan.department)


def may_review_plan(user: User, plan: AnnualPlan) -> bool:
    """Filing (备案) or returning a department plan."""
    return not plan.is_joint and is_office(user)


def may_approve_plan(user: User, plan: AnnualPlan) -> bool:
    """Recording the joint meeting's approval of the joint plan."""
    return plan.is_joint and is_office(user)


def may_publish_plan(user: User, plan: AnnualPlan) -> bool:
    if plan.is_joint:
        return is_office(user)
    return is_department_head(user, plan.department)


def get_plan_for_user(*, user: User, pk: int) -> AnnualPlan:
    plan = AnnualPlan.objects.select_related("department").filter(pk=pk).first()
    if plan is None or not may_view_plan(user, plan):
        raise Http404("没有找到该年度计划。")
    return plan


def get_plan_item_for_user(*, user: User, plan: AnnualPlan, pk: int) -> PlanItem:
    item = PlanItem.objects.filter(plan=plan, pk=pk).select_related("initiator").first()
    if item is None:
        raise Http404("没有找到该抽查任务。")
    require(may_edit_plan(user, plan), "您无权修改该年度计划。")
    return item


def get_plan_revision_for_user(*, user: User, plan: AnnualPlan, number: int) -> PlanRevision:
    revision = plan.revisions.filter(number=number).first()
    if revision is None:
        raise Http404("没有找到该修订版本。")
    return revision
