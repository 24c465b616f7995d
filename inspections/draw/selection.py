"""Selection of targets (bottom-k per stratum) and batch order (§3)."""

from __future__ import annotations

import os
import pickle  # nosec B403  # only between this process and its own fork, never from outside
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .frame import Frame
from .sizes import StratumSize
from .verifier import ProtocolError, batch_of, bottom_k, is_hex64

# From this many keys on, half of every stratum's tickets are computed in a forked second
# process (a frame of a million keys: about 0.35 s of its 1 s). Below it the fork costs
# more than it saves.
TWO_PROCESSES_FROM = 200_000


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
    sample_sizes = {stratum.name: stratum.sample_size for stratum in sizes}
    strata = frame.keys_by_stratum()
    if sum(map(len, strata.values())) >= TWO_PROCESSES_FROM and hasattr(os, "fork"):
        bottoms = _bottom_k_in_two_processes(seed, strata, sample_sizes)
    else:
        bottoms = _bottom_k(seed, strata, sample_sizes)
    chosen = sorted((digest, key, name) for name, best in bottoms.items() for digest, key in best)
    return tuple(
        Selected(target=key, stratum=stratum, ticket=digest.hex(), batch=batch_of(index, batch_size))
        for index, (digest, key, stratum) in enumerate(chosen)
    )


Bottoms = dict[str, list[tuple[bytes, str]]]  # per stratum, its k smallest (ticket, key)


def _bottom_k(seed: str, strata: Mapping[str, Sequence[str]], sample_sizes: Mapping[str, int]) -> Bottoms:
    """Each stratum's bottom-k (the protocol's selection, as the verifier computes it)."""
    return {name: bottom_k(seed, keys, sample_sizes.get(name, 0)) for name, keys in strata.items()}


def _bottom_k_in_two_processes(
    seed: str, strata: Mapping[str, Sequence[str]], sample_sizes: Mapping[str, int]
) -> Bottoms:
    """The same as `_bottom_k`, with the second half of every stratum hashed in a forked
    child on the machine's other core: the k smallest of a stratum are the k smallest of
    its two halves' k smallest. The child sends back only those (a few thousand pairs) and
    ends with os._exit, so it touches nothing of the parent's (no database connection,
    no cleanup). Should the child fail in any way, its half is computed here: the result
    is the same, only slower."""
    halves = {name: len(keys) // 2 for name, keys in strata.items()}

    def second_halves() -> dict[str, Sequence[str]]:
        return {name: keys[halves[name] :] for name, keys in strata.items()}

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(_bottom_k(seed, second_halves(), sample_sizes)))
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    ours = _bottom_k(seed, {name: keys[: halves[name]] for name, keys in strata.items()}, sample_sizes)
    with os.fdopen(reader, "rb") as pipe:
        received = pipe.read()
    try:
        _, status = os.waitpid(pid, 0)
        succeeded = os.waitstatus_to_exitcode(status) == 0
    except ChildProcessError:  # already reaped by the host's SIGCHLD handler (a worker pool)
        succeeded = bool(received)
    theirs = None
    if succeeded:
        try:
            theirs = pickle.loads(received)  # noqa: S301  # nosec B301  # written by our own fork
        except Exception:  # a child cut short: its half is computed here instead
            theirs = None
    if theirs is None:
        theirs = _bottom_k(seed, second_halves(), sample_sizes)
    return {name: sorted(ours[name] + theirs[name])[: sample_sizes.get(name, 0)] for name in strata}
