"""Access: the exchange belongs to the joint-meeting office (no department owns its rows);
auditors read what it did in the audit trail (三员分立: no business pages)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from exchange.models import ExchangeItem, InboundFile
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User


def _office_only(user: User) -> None:
    if not user_has_role(user, Role.OFFICE):
        raise Http404("没有找到该记录。")


def get_item_for_user(*, user: User, pk: int) -> ExchangeItem:
    _office_only(user)
    return get_object_or_404(ExchangeItem, pk=pk)


def get_inbound_for_user(*, user: User, pk: int) -> InboundFile:
    _office_only(user)
    return get_object_or_404(InboundFile.objects.select_related("batch", "uploaded_by"), pk=pk)
