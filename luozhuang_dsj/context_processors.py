"""The staff navigation: each role sees the entries it may open, nothing else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from luozhuang_dsj.lib.roles import Role

# (label, url name, roles that see it); order is the order of the menu.
STAFF_MENU: list[tuple[str, str, frozenset[str]]] = [
    ("办公室工作台", "office-home", frozenset({Role.OFFICE})),
    ("工作进度", "dashboard-home", frozenset({Role.OFFICE})),
    ("本部门", "department-home", frozenset({Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("事项清单", "matter-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("年度计划", "plan-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("省级清单", "catalog-editions", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("免罚清单", "exemption-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("抽查任务", "task-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("检查工作", "inspection-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("检查结果", "result-list", frozenset({Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("结果互认", "shared-results", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("结果公开", "publication-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("异议处理", "objection-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("后续处置", "follow-up-list", frozenset({Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("移交接收", "handover-list", frozenset({Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("个案线索", "lead-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("信用风险分类", "credit-home", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("失信名单", "dishonesty-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("检查对象名录库", "target-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("分库", "sub-registry-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("执法检查人员", "inspector-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("考核评估", "assessment-home", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("年度工作总结", "report-summary", frozenset({Role.OFFICE})),
    ("履职记录", "duty-list", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD, Role.INSPECTOR})),
    ("省平台交换", "exchange-home", frozenset({Role.OFFICE})),
    ("导入记录", "import-history", frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD})),
    ("我的检查", "inspector-home", frozenset({Role.INSPECTOR})),
    ("回避申报", "my-conflicts", frozenset({Role.INSPECTOR})),
    ("审计日志", "audit-home", frozenset({Role.AUDITOR})),
    ("审计链校验", "audit-verify", frozenset({Role.AUDITOR})),
    ("抽取记录", "audit-draw-list", frozenset({Role.AUDITOR})),
    ("用户管理", "sysadmin-home", frozenset({Role.SYSADMIN})),
    ("账号安全", "security-home", frozenset({Role.SECURITY_ADMIN})),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_menu": []}
    menu = []
    seen: set[str] = set()
    for label, url_name, roles in STAFF_MENU:
        if user.roles & roles and url_name not in seen:
            seen.add(url_name)
            url = reverse(url_name)
            menu.append({"label": label, "url": url, "active": False})
    # The entry whose address is the longest prefix of the page's (工作进度 under 办公室工作台).
    matches = [item for item in menu if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"staff_menu": menu}
