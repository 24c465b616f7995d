from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from luozhuang_dsj.lib.access import public
from registry.models import Department


@public
def home(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.filter(is_active=True).order_by("-is_office", "code")
    return render(request, "public/home.html", {"departments": departments})
