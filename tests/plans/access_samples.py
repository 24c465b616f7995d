"""URL samples for the access matrix (see tests/access/samples.py): matter lists, the
no-penalty list and annual plans.

The rules they express (plans/permissions.py):
- A department's matter list, matters and plan are its own: its staff and head open them,
  another department's are not found (404). The office reads every department's list and
  plan (`other_visible`), but changes none of them: its own plan is the district joint plan,
  which belongs to no department, so its editing samples have no `other` (the office's 403
  on a department plan is tested in tests/plans/test_plan_access.py).
- The provincial list and the no-penalty list are the district's, kept by the office.
- Published lists and plans are public.
"""

from luozhuang_dsj.lib.roles import Role
from plans.models import AnnualPlan
from tests.access.samples import UrlSample, url_sample
from tests.plans.helpers import (
    YEAR,
    catalog_item,
    current_catalog,
    department_matter,
    department_plan_at,
    exemption_of,
    joint_plan_at,
    published_matter_list,
)

Status = AnnualPlan.Status


def _is_office(ctx):
    return ctx.user is not None and ctx.user.has_role(Role.OFFICE)


# ---- the provincial list ------------------------------------------------------------------------


@url_sample("catalog-edition")
def _catalog_edition(ctx):
    # One list for the whole province, imported by the office: no department owns an edition.
    return UrlSample(own={"number": current_catalog().number})


@url_sample("matter-claim")
def _catalog_item(ctx):
    # Any department may claim any item of the current provincial list.
    current_catalog()
    return UrlSample(own={"item_pk": catalog_item("广告发布单位的检查").pk})


# ---- department matter lists --------------------------------------------------------------------


def _department_list(ctx):
    department_matter(ctx.own)
    department_matter(ctx.other)
    return UrlSample(
        own={"code": ctx.own.code}, other={"code": ctx.other.code}, other_visible=_is_office(ctx)
    )


url_sample("matter-list-of")(_department_list)
url_sample("matter-list-export")(_department_list)


@url_sample("matter-list-version")
def _matter_list_version(ctx):
    own, other = published_matter_list(ctx.own), published_matter_list(ctx.other)
    return UrlSample(
        own={"code": ctx.own.code, "number": own.number},
        other={"code": ctx.other.code, "number": other.number},
        other_visible=_is_office(ctx),
    )


@url_sample("matter-detail")
def _matter(ctx):
    return UrlSample(
        own={"pk": department_matter(ctx.own).pk},
        other={"pk": department_matter(ctx.other).pk},
        other_visible=_is_office(ctx),
    )


def _matter_to_change(ctx, *, active=True):
    # Only the department's own staff and head change its matters (the office is refused by role).
    return UrlSample(
        own={"pk": department_matter(ctx.own, active=active).pk},
        other={"pk": department_matter(ctx.other, active=active).pk},
    )


url_sample("matter-adjust")(_matter_to_change)
url_sample("matter-follow")(_matter_to_change)
url_sample("matter-withdraw")(_matter_to_change)


@url_sample("matter-restore")
def _withdrawn_matter(ctx):
    return _matter_to_change(ctx, active=False)


# ---- the no-penalty list -------------------------------------------------------------------------


@url_sample("exemption-edit")
def _exemption(ctx):
    # The district's list: the office keeps the items of every implementing department.
    return UrlSample(
        own={"pk": exemption_of(ctx.own).pk}, other={"pk": exemption_of(ctx.other).pk}, other_visible=True
    )


# ---- annual plans ----------------------------------------------------------------------------------


@url_sample("plan-create")
def _plan_scope(ctx):
    # The office drafts the joint plan, a department its own plan (each refused the other: 403).
    return UrlSample(
        own={"scope": AnnualPlan.Scope.JOINT if _is_office(ctx) else AnnualPlan.Scope.DEPARTMENT}
    )


@url_sample("plan-filing")
def _filing_year(ctx):
    return UrlSample(own={"year": YEAR})


def _plan_to_read(ctx, status=Status.DRAFT, joint_status=Status.DRAFT):
    """Reading: the office opens the joint plan and every department's plan; a department
    its own plan only."""
    if _is_office(ctx):
        return joint_plan_at(joint_status), department_plan_at(ctx.other, status), True
    return department_plan_at(ctx.own, status), department_plan_at(ctx.other, status), False


def _plan_to_change(ctx, status=Status.DRAFT, joint_status=Status.DRAFT):
    """Changing: the office changes the joint plan, a department its own plan."""
    if _is_office(ctx):
        return joint_plan_at(joint_status), None
    return department_plan_at(ctx.own, status), department_plan_at(ctx.other, status)


def _plan_sample(own, other, other_visible=False, **kwargs):
    return UrlSample(
        own={"pk": own.pk, **kwargs},
        other={"pk": other.pk, **kwargs} if other else None,
        other_visible=other_visible,
    )


@url_sample("plan-detail")
def _plan(ctx):
    return _plan_sample(*_plan_to_read(ctx))


url_sample("plan-export")(_plan)


@url_sample("plan-revision")
def _plan_revision(ctx):
    # Revision 1 is frozen when a department plan is filed or the joint plan approved.
    return _plan_sample(*_plan_to_read(ctx, Status.FILED, Status.APPROVED), number=1)


url_sample("plan-revision-export")(_plan_revision)


@url_sample("plan-edit")
def _plan_to_edit(ctx):
    return _plan_sample(*_plan_to_change(ctx))


url_sample("plan-item-create")(_plan_to_edit)


@url_sample("plan-matter-options")
def _plan_matter_options(ctx):
    own, other = _plan_to_change(ctx)
    sample = _plan_sample(own, other)
    return UrlSample(own=sample.own, other=sample.other, query="prefix=initiator")


def _plan_item(ctx):
    own, other = _plan_to_change(ctx)
    return UrlSample(
        own={"pk": own.pk, "item_pk": own.items.get().pk},
        other={"pk": other.pk, "item_pk": other.items.get().pk} if other else None,
    )


url_sample("plan-item-edit")(_plan_item)
url_sample("plan-item-delete")(_plan_item)


@url_sample("plan-submit")
def _plan_to_submit(ctx):
    # The department head submits the department's own draft (the office is refused by role).
    return _plan_sample(department_plan_at(ctx.own), department_plan_at(ctx.other))


def _plan_to_review(ctx):
    # The office files or returns the plan any department has submitted.
    return _plan_sample(
        department_plan_at(ctx.own, Status.SUBMITTED), department_plan_at(ctx.other, Status.SUBMITTED), True
    )


url_sample("plan-file")(_plan_to_review)
url_sample("plan-return")(_plan_to_review)


@url_sample("plan-approve")
def _joint_plan_to_approve(ctx):
    # The joint meeting's approval is recorded on the joint plan, which no department owns.
    return UrlSample(own={"pk": joint_plan_at().pk})


@url_sample("plan-publish")
def _plan_to_publish(ctx):
    # The office publishes the approved joint plan, a department head the filed department plan.
    return _plan_sample(*_plan_to_change(ctx, Status.FILED, Status.APPROVED))


@url_sample("plan-revise")
def _plan_to_revise(ctx):
    return _plan_sample(*_plan_to_change(ctx, Status.FILED, Status.APPROVED))


# ---- the public side: published material, whoever asks ---------------------------------------


@url_sample("public-matter-list")
def _public_matter_list(ctx):
    return UrlSample(own={"code": published_matter_list(ctx.own).department.code})


@url_sample("public-matter-list-version")
def _public_matter_list_version(ctx):
    version = published_matter_list(ctx.own)
    return UrlSample(own={"code": version.department.code, "number": version.number})


url_sample("public-matter-list-export")(_public_matter_list_version)


@url_sample("public-plan")
def _public_plan(ctx):
    return UrlSample(own={"pk": department_plan_at(ctx.own, Status.PUBLISHED).pk})


@url_sample("public-plan-revision")
def _public_plan_revision(ctx):
    return UrlSample(own={"pk": joint_plan_at(Status.PUBLISHED).pk, "number": 1})


url_sample("public-plan-export")(_public_plan_revision)
