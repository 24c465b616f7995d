"""Evidence files (photos, PDFs) uploaded by users: what the bytes really are, or a refusal.

The type is read from the content (magic bytes and the structure behind them), never from
the file name or the browser's Content-Type. Only JPEG, PNG, WebP and PDF pass; SVG, HTML
and anything else are refused, and so is a PDF that carries scripts, launch actions or
embedded files. Every refusal is an `UploadError` with a Chinese sentence.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from typing import IO

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Names that make a PDF active: scripts, launching programs, embedded files, forms with scripts.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|AA)\b")
_CHUNK = 1024 * 1024


class UploadError(Exception):
    """A refused upload; the message is shown to the user as it is."""


@dataclass(frozen=True)
class Evidence:
    content_type: str
    size: int
    sha256: str


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _kind(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_PNG_MAGIC) and head[12:16] == b"IHDR":
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:15] == b"VP8":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def check_evidence(handle: IO[bytes], *, max_bytes: int) -> Evidence:
    """Read the whole file once: its size, its SHA-256 and (for PDF) the active content check."""
    handle.seek(0)
    head = handle.read(32)
    kind = _kind(head)
    if kind is None:
        if not head:
            raise UploadError("文件是空的（0 字节）。")
        raise UploadError("只能上传 JPEG、PNG、WebP 格式的照片或 PDF 文档；该文件的内容不是这几种格式。")
    digest = hashlib.sha256(head)
    size = len(head)
    tail = head
    active = False
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise UploadError(
                f"文件过大：超过单个附件上限 {megabytes(max_bytes)}。请压缩照片或拆分文档后上传。"
            )
        digest.update(chunk)
        if kind == PDF:
            # Keep a short overlap so that a name split across two chunks is still found.
            window = tail[-32:] + chunk
            active = active or bool(_PDF_ACTIVE.search(window))
            tail = chunk
    if size > max_bytes:
        raise UploadError(f"文件过大：超过单个附件上限 {megabytes(max_bytes)}。请压缩照片或拆分文档后上传。")
    if kind == PDF:
        active = active or bool(_PDF_ACTIVE.search(head))
        if active:
            raise UploadError(
                "PDF 文档含有脚本、自动操作或嵌入文件，为安全起见不予接收。请另存为普通 PDF 后上传。"
            )
    if kind == WEBP:
        declared = struct.unpack("<I", head[4:8])[0] + 8
        if declared != size:
            raise UploadError("WebP 图片不完整或已损坏，请重新拍摄或导出后上传。")
    if kind == JPEG and size < 4:
        raise UploadError("JPEG 图片不完整或已损坏。")
    handle.seek(0)
    return Evidence(content_type=kind, size=size, sha256=digest.hexdigest())
