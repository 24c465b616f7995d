"""Selection of targets (bottom-k per stratum) and batch order (§3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .frame import Frame
from .sizes import StratumSize
from .verifier import ProtocolError, batch_of, is_hex64, select


@dataclass(frozen=True)
class Selected:
    target: str
    stratum: str
    ticket: str
    batch: int

    def as_record(self) -> dict:
        return {"target": self.target, "stratum": self.stratum, "ticket": self.ticket, "batch": self.batch}


def check_sizes(frame: Frame, sizes: Sequence[StratumSize]) -> None:
    """Every frame stratum has exactly one size entry with the frame's count; extra
    entries are allowed only for empty strata."""
    frame_sizes = frame.sizes
    seen = set()
    for stratum in sizes:
        if stratum.name in seen:
            raise ProtocolError(f"{stratum.name} 层的抽取数量重复设置。")
        seen.add(stratum.name)
        actual = frame_sizes.get(stratum.name, 0)
        if stratum.size != actual:
            raise ProtocolError(
                f"{stratum.name} 层在抽取名单中有 {actual} 个对象，抽取数量却按 {stratum.size} 个计算。"
            )
        if not 0 <= stratum.sample_size <= stratum.size:
            raise ProtocolError(f"{stratum.name} 层的抽取数量应在 0 到 {stratum.size} 之间。")
    missing = sorted(set(frame_sizes) - seen)
    if missing:
        raise ProtocolError(f"{missing[0]} 层没有设置抽取数量。")


def select_targets(
    *, seed: str, frame: Frame, sizes: Sequence[StratumSize], batch_size: int
) -> tuple[Selected, ...]:
    """All selected targets in ascending (ticket, key) order, each with its batch."""
    if not is_hex64(seed):
        raise ProtocolError("随机种子应为 64 位小写十六进制字符。")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ProtocolError("每批数量必须是正整数。")
    check_sizes(frame, sizes)
    chosen = select(seed, frame.keys_by_stratum(), {stratum.name: stratum.sample_size for stratum in sizes})
    return tuple(
        Selected(target=key, stratum=stratum, ticket=ticket, batch=batch_of(index, batch_size))
        for index, (key, stratum, ticket) in enumerate(chosen)
    )
