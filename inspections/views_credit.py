"""Staff pages for credit risk classes (信用风险分类) and the serious-dishonesty list (联合惩戒).

The office recomputes, overrides and keeps the list; every department reads them (the
flags also show on the target page and in every draw's frame preview)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import services_credit
from inspections.forms import CreditOverrideForm, DishonestyForm, DishonestyRemoveForm, ReasonForm
from inspections.models import CreditOverride, DishonestyListing, TargetCredit
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent
from registry.models import Target, TargetChange
from registry.permissions import get_target_for_user

READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)


def _form_errors(form, error: ValidationError) -> None:  # type: ignore[no-untyped-def]
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(*READERS)
@require_GET
def credit_home(request: HttpRequest) -> HttpResponse:
    """The classes now, the last runs, the overrides in force and the latest changes."""
    classes = dict(Target.objects.order_by().values_list("risk_class").annotate(number=Count("pk")))
    rules = dict(TargetCredit.objects.order_by().values_list("rule").annotate(number=Count("pk")))
    context = {
        "classes": classes,
        "rules": [(TargetCredit.RULES[key], rules.get(key, 0)) for key in TargetCredit.RULES],
        "runs": AuditEvent.objects.filter(action="credit.recompute").order_by("-id")[:10],
        "overrides": CreditOverride.objects.filter(lifted_at__isnull=True)
        .select_related("target", "created_by")
        .order_by("-created_at")[:100],
        "changes": Paginator(
            TargetChange.objects.filter(source=TargetChange.Source.CREDIT)
            .select_related("target", "user")
            .order_by("-at", "-id"),
            30,
        ).get_page(request.GET.get("page")),
        "is_office": request.user.has_role(Role.OFFICE),
    }
    return render(request, "inspections/credit_home.html", context)


@role_required(Role.OFFICE)
@require_POST
def credit_recompute(request: HttpRequest) -> HttpResponse:
    job = services_credit.credit_recompute_start(actor=request.user)
    return redirect("job-detail", pk=job.pk)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def credit_override(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_target_for_user(user=request.user, pk=pk)
    form = CreditOverrideForm(request.POST or None, initial={"risk_class": target.risk_class})
    if request.method == "POST" and form.is_valid():
        try:
            services_credit.credit_override(
                actor=request.user,
                target=target,
                risk_class=form.cleaned_data["risk_class"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "已人工调整信用风险分类；撤销前按规则重新计算时保持不变。")
            return redirect("target-detail", pk=target.pk)
    current = CreditOverride.objects.filter(target=target, lifted_at__isnull=True).first()
    return render(
        request, "inspections/credit_override.html", {"target": target, "form": form, "current": current}
    )


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def credit_override_lift(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(
        CreditOverride.objects.select_related("target"), pk=pk, lifted_at__isnull=True
    )
    form = ReasonForm(request.POST or None, label="撤销理由")
    if request.method == "POST" and form.is_valid():
        try:
            target = services_credit.credit_override_lift(
                actor=request.user, override=override, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已撤销人工调整，按规则重新计算为 {target.get_risk_class_display()}。")
            return redirect("target-detail", pk=target.pk)
    return render(request, "inspections/credit_override_lift.html", {"override": override, "form": form})


@role_required(*READERS)
@require_GET
def dishonesty_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show_all = request.GET.get("show") == "all"
    listings = DishonestyListing.objects.select_related("target", "created_by").order_by("-listed_on", "-pk")
    if not show_all:
        listings = listings.filter(DishonestyListing.in_force_q(today))
    context = {
        "page": Paginator(listings, 30).get_page(request.GET.get("page")),
        "show_all": show_all,
        "today": today,
        "is_office": request.user.has_role(Role.OFFICE),
    }
    return render(request, "inspections/dishonesty_list.html", context)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def dishonesty_create(request: HttpRequest) -> HttpResponse:
    form = DishonestyForm(request.POST or None, initial={"listed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            listing = services_credit.dishonesty_add(
                actor=request.user, target=form.cleaned_data["target"], data=form.listing_data()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已将{listing.target.name}列入严重违法失信名单，各部门均可看到提示。")
            return redirect("dishonesty-list")
    return render(request, "inspections/dishonesty_form.html", {"form": form})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def dishonesty_remove(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(
        DishonestyListing.objects.select_related("target"), pk=pk, removed_on__isnull=True
    )
    form = DishonestyRemoveForm(request.POST or None, initial={"removed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services_credit.dishonesty_remove(
                actor=request.user,
                listing=listing,
                removed_on=form.cleaned_data["removed_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已将{listing.target.name}移出严重违法失信名单。")
            return redirect("dishonesty-list")
    return render(request, "inspections/dishonesty_remove.html", {"listing": listing, "form": form})
