"""Typed readers for settings taken from the environment.

Every reader rejects a bad value with `SettingsError`, whose message names the variable;
`manage.py`, `wsgi.py` and the Celery app print that one line instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(f"环境变量 {name} 配置错误：{problem}")


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    return (os.environ if environ is None else environ).get(name)


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value.strip()


def env_required(name: str, *, environ: Mapping[str, str] | None = None, why: str = "") -> str:
    value = env_str(name, environ=environ)
    if not value:
        raise SettingsError(name, f"未设置。{why}".rstrip("。") + "。")
    return value


def env_bool(name: str, default: bool = False, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingsError(name, f"应为 true/false（或 1/0），实际为 {value!r}。")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise SettingsError(name, f"应为整数，实际为 {value!r}。") from None
    if minimum is not None and number < minimum:
        raise SettingsError(name, f"不能小于 {minimum}，实际为 {number}。")
    if maximum is not None and number > maximum:
        raise SettingsError(name, f"不能大于 {maximum}，实际为 {number}。")
    return number


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise SettingsError(name, f"应为逗号分隔的非空列表，实际为 {value!r}。")
    return items


def env_database(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse DATABASE_URL: postgres://user:pass@host:port/name or sqlite:///path."""
    import dj_database_url

    url = env_str(name, environ=environ) or default
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise SettingsError(name, f"只支持 postgres:// 或 sqlite:/// 地址，实际为 {url!r}。")
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
        port = urlsplit(url).port  # raises ValueError on a non-numeric port
    except ValueError:
        raise SettingsError(name, f"无法解析数据库地址 {url!r}：主机、端口或数据库名格式错误。") from None
    if not config.get("NAME"):
        raise SettingsError(name, f"数据库地址 {url!r} 缺少数据库名。")
    if scheme != "sqlite" and port is not None and not 0 < port < 65536:
        raise SettingsError(name, f"端口号 {port} 无效。")
    return dict(config)


def env_redis_url(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    url = env_str(name, environ=environ)
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise SettingsError(name, f"应为 redis://主机:端口/库号 形式的地址，实际为 {url!r}。")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port lazily
    except ValueError:
        raise SettingsError(name, f"端口号无效：{url!r}。") from None
    return url


def env_encryption_keys(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> tuple[str, dict[str, bytes]]:
    """Parse `id:base64key[,id:base64key...]`: the first key encrypts, every key decrypts.

    Keys are 32 random bytes (AES-256), urlsafe-base64 encoded; the id is stored with each
    value so that an old key can be retired after `manage.py field_keys_rotate`.
    """
    import base64
    import binascii

    text = env_str(name, environ=environ) or default
    if not text:
        raise SettingsError(
            name, "未设置。关闭 DEBUG 时必须提供字段加密密钥（可用 manage.py field_key_new 生成）。"
        )
    keys: dict[str, bytes] = {}
    current = ""
    for entry in text.split(","):
        key_id, _, encoded = entry.strip().partition(":")
        if not key_id or not key_id.isalnum() or not encoded:
            raise SettingsError(name, "格式应为 编号:密钥[,编号:密钥…]，编号只含字母和数字。")
        try:
            key = base64.b64decode(encoded.encode("ascii"), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise SettingsError(name, f"密钥 {key_id} 不是有效的 base64 编码。") from None
        if len(key) != 32:
            raise SettingsError(name, f"密钥 {key_id} 长度应为 32 字节（256 位），实际为 {len(key)} 字节。")
        if key_id in keys:
            raise SettingsError(name, f"密钥编号 {key_id} 重复。")
        keys[key_id] = key
        current = current or key_id
    return current, keys
