"""Sample sizes per stratum: a fixed count or a ratio in percent (§2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .verifier import ProtocolError, ratio_parse, ratio_text, sample_size_for_ratio


@dataclass(frozen=True)
class StratumSize:
    """One stratum's size N and sample size n, and how n was fixed.

    `ratio_percent` is set for a ratio stratum; for a fixed count it is None and `count`
    holds the requested count (the sample size is that count capped at N). The record
    writes a fixed-count stratum with `"ratio_percent": null`.
    """

    name: str
    size: int
    sample_size: int
    ratio_percent: Decimal | None = None
    count: int | None = None

    def as_record(self) -> dict:
        return {
            "name": self.name,
            "size": self.size,
            "ratio_percent": None if self.ratio_percent is None else ratio_text(self.ratio_percent),
            "sample_size": self.sample_size,
        }


def parse_ratio_percent(value: object) -> Decimal:
    """A ratio in percent from a form or a plan (str, int, Decimal): 0–100, ≤ two decimals."""
    return ratio_parse(value)


def stratum_size(
    name: str, size: int, *, ratio_percent: object | None = None, count: object | None = None
) -> StratumSize:
    """The sample size of a stratum of `size` candidates from exactly one of a ratio or a count."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ProtocolError(f"{name} 层的总数必须是非负整数。")
    if (ratio_percent is None) == (count is None):
        raise ProtocolError(f"{name} 层应当设置抽查比例或抽取数量中的一项（且只能一项）。")
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ProtocolError(f"{name} 层的抽取数量必须是非负整数。")
        return StratumSize(name=name, size=size, sample_size=min(count, size), count=count)
    try:
        ratio = ratio_parse(ratio_percent)
    except ProtocolError as error:
        raise ProtocolError(f"{name} 层：{error.message}") from None
    return StratumSize(
        name=name, size=size, sample_size=sample_size_for_ratio(size, ratio), ratio_percent=ratio
    )


def check_within_cap(stratum: StratumSize, *, cap_percent: object, matter: str) -> None:
    """A general matter's (一般检查事项) cap: a ratio must not exceed it, nor may a fixed
    count sample more than the cap's ratio would. Key matters have no cap: don't call this."""
    cap = ratio_parse(cap_percent)
    if stratum.ratio_percent is not None:
        if stratum.ratio_percent > cap:
            raise ProtocolError(
                f"一般检查事项“{matter}”的抽查比例上限为 {ratio_text(cap)}%，"
                f"{stratum.name} 层设置的 {ratio_text(stratum.ratio_percent)}% 超过了上限。"
            )
        return
    limit = sample_size_for_ratio(stratum.size, cap)
    if stratum.sample_size > limit:
        raise ProtocolError(
            f"一般检查事项“{matter}”的抽查比例上限为 {ratio_text(cap)}%，{stratum.name} 层共 {stratum.size} 个对象，"
            f"最多抽取 {limit} 个，设置的 {stratum.sample_size} 个超过了上限。"
        )
