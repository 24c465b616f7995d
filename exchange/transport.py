"""Delivering one envelope to the provincial platform (docs/EXCHANGE.md, "Transport").

- `directory`: the envelope is written to a temporary file in the outbox, flushed to disk
  and renamed to `<kind>-<message_id>.json` (a rename is atomic: the provincial front-end
  machine never picks up half a file). Sending the same message again rewrites the same name.
- `http`: the envelope is POSTed as JSON to EXCHANGE_URL with `Authorization: Bearer
  <EXCHANGE_TOKEN>` and `Idempotency-Key: <message_id>`; any 2xx answer is a delivery.

Either raises `TransportError` (a Chinese sentence) when the message did not get through.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings


class TransportError(Exception):
    pass


def _directory_send(envelope: dict[str, Any]) -> None:
    outbox = Path(settings.EXCHANGE_OUTBOX_DIR)
    name = f"{envelope['kind']}-{envelope['message_id']}.json"
    data = json.dumps(envelope, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=outbox, prefix=".sending-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, outbox / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise TransportError(f"无法写入发送目录 {outbox}：{error.strerror or error}") from error


def _http_send(envelope: dict[str, Any]) -> None:
    url = settings.EXCHANGE_URL
    # Settings refuse any scheme but https (http only with DEBUG); urlopen would also open file: URLs.
    if not url.startswith(("https://", "http://")):
        raise TransportError("省工作平台接收地址（EXCHANGE_URL）未配置或不是 https 地址。")
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(envelope, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {settings.EXCHANGE_TOKEN}",
            "Idempotency-Key": envelope["message_id"],
        },
    )
    try:
        # The URL's scheme is checked above (and in settings): not a file: or custom scheme.
        with urllib.request.urlopen(request, timeout=settings.EXCHANGE_TIMEOUT) as response:  # noqa: S310  # nosec B310
            response.read(1024)
    except urllib.error.HTTPError as error:
        body = error.read(300).decode("utf-8", "replace")
        raise TransportError(f"省工作平台拒收（HTTP {error.code}）：{body}".strip()) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise TransportError(f"无法连接省工作平台：{reason}") from error


TRANSPORTS = {"directory": _directory_send, "http": _http_send}


def send(envelope: dict[str, Any]) -> None:
    TRANSPORTS[settings.EXCHANGE_TRANSPORT](envelope)


def describe() -> str:
    if settings.EXCHANGE_TRANSPORT == "http":
        return f"HTTP 推送至 {settings.EXCHANGE_URL}"
    return f"写入发送目录 {settings.EXCHANGE_OUTBOX_DIR}（由省工作平台前置机收取）"
