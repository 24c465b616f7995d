from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from luozhuang_dsj.forms import DepartmentForm
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from registry import services
from registry.models import Department


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The office keeps the list of member departments (成员单位)."""
    department = get_object_or_404(Department, code=code) if code else None
    initial = services.department_snapshot(department) if department else {"is_active": True}
    form = DepartmentForm(request.POST or None, initial=initial)
    if department:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.department_save(
                actor=request.user,
                department=department,
                code=data["code"],
                name=data["name"],
                short_name=data["short_name"],
                is_active=data["is_active"],
                note=data["note"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存成员单位“{data['short_name']}”。")
            return redirect("office-home")
    return render(request, "registry/department_form.html", {"form": form, "department": department})
