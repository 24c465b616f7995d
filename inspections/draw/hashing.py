"""Server secret, commitment, witness input, seed and tickets (§2).

The witness input (见证输入) is used exactly as entered after stripping leading and
trailing whitespace (Python's `str.strip()`, which includes the full-width space U+3000);
nothing else is changed — no case folding, no full-width to half-width conversion, no
removal of inner spaces. It must be non-empty and contain no “|” and no control
characters (TAB, LF, CR …), so that what is hashed is exactly what the record shows.
"""

from __future__ import annotations

import secrets
import unicodedata

from .verifier import ProtocolError, commitment_of, is_hex64, seed_of, ticket_of

__all__ = ["commitment_of", "compute_seed", "new_server_secret", "normalise_witness_input", "ticket_of"]


def new_server_secret() -> str:
    """32 bytes from the operating system's CSPRNG, as 64 lowercase hex characters."""
    return secrets.token_bytes(32).hex()


def normalise_witness_input(value: object) -> str:
    if not isinstance(value, str):
        raise ProtocolError("见证输入必须是文字。")
    text = value.strip()
    if not text:
        raise ProtocolError("见证输入不能为空。")
    if "|" in text:
        raise ProtocolError("见证输入不能包含竖线“|”。")
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ProtocolError("见证输入不能包含制表符、换行符等控制字符。")
    return text


def compute_seed(*, server_secret: str, witness_input: str, frame_digest: str) -> str:
    """seed = H(server_secret | witness_input | frame_digest); the witness input must
    already be normalised (what is hashed is what the record stores)."""
    if not is_hex64(server_secret):
        raise ProtocolError("服务器密钥应为 64 位小写十六进制字符。")
    if not is_hex64(frame_digest):
        raise ProtocolError("抽取名单摘要应为 64 位小写十六进制字符。")
    if normalise_witness_input(witness_input) != witness_input:
        raise ProtocolError("见证输入首尾不能有空白字符。")
    return seed_of(server_secret, witness_input, frame_digest)
