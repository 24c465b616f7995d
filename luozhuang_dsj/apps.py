from importlib import import_module

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


def require_defusedxml() -> None:
    """Refuse to start without defusedxml: openpyxl parses uploaded .xlsx XML with it (XML
    bombs, external entities) only when it is installed, and says nothing when it is not."""
    try:
        import defusedxml  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "缺少 defusedxml：上传的电子表格须用它解析以防 XML 炸弹，请安装依赖（pip install -e .）后再启动。"
        ) from None
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise ImproperlyConfigured(
            "openpyxl 未启用 defusedxml（环境变量 OPENPYXL_DEFUSEDXML 不得设为 False），拒绝启动。"
        )


class LuozhuangDsjConfig(AppConfig):
    name = "luozhuang_dsj"
    verbose_name = "平台基础"

    def ready(self) -> None:
        # Our receivers must be connected before axes's (imported with axes.signals), because
        # receivers run in the order connected (see signals.record_lockout).
        signals = import_module("luozhuang_dsj.signals")
        user_locked_out = import_module("axes.signals").user_locked_out
        user_locked_out.connect(signals.record_lockout, dispatch_uid="luozhuang_dsj.record_lockout")

        from luozhuang_dsj import audit_export, exports, imports  # noqa: F401  (register job handlers)

        require_defusedxml()
