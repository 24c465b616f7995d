#!/usr/bin/env python3
"""罗庄区“双随机、一公开”抽取记录核验程序（dsj-draw/1）.

用法：python verifier.py record.json frame.txt [pool.jsonl]

只用 Python 标准库（Python 3.8 或更高版本），单个文件即可运行。程序逐行输出核验结果，
最后一行是 OK（全部一致）或 “FAIL: 第一处不一致”。退出码 0 表示 OK，1 表示 FAIL。

The public verifier of dsj-draw/1 (docs/DRAW_PROTOCOL.md). It recomputes a draw from its
record, its frame file and (for the full record, or to check teams) its pool file.

This file is also the protocol's reference implementation: the platform's own draw code
(`inspections/draw/`) imports the functions below instead of keeping a second copy, so
what the platform does and what the public checks cannot drift apart. It must therefore
stay one self-contained file that imports nothing but the standard library.
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import itertools
import json
import operator
import re
import sys
from decimal import Decimal, InvalidOperation

FORMAT = "dsj-draw/1"
FORBIDDEN_IN_NAMES = ("\t", "\n", "|")
CREDIT_CODE_LENGTH = 18
EXPERT_LABEL = "专家和第三方人员"
POOL_KEYS = (
    "active",
    "certified",
    "code",
    "conflicts",
    "department",
    "expert",
    "expertise",
    "recent_targets",
)
RULE_NAMES = {
    "members": "部门人员",
    "active": "在岗",
    "certified": "持有效执法证",
    "expertise": "业务专长",
    "conflict": "回避",
    "team": "同组不重复",
}
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RATIO_TEXT = re.compile(r"\d{1,3}\.\d{2}")
_HASH = type(hashlib.sha256())


class ProtocolError(ValueError):
    """Something that breaks dsj-draw/1; the message is Chinese and meant for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InfeasibleError(ProtocolError):
    """A slot cannot be filled: names the target (None: every target), department and rule."""

    def __init__(
        self,
        *,
        target: str | None,
        department: str | None,
        label: str,
        rule: str,
        needed: int,
        available: int,
    ) -> None:
        who = f"检查对象 {target} " if target is not None else "任何检查对象都"
        super().__init__(
            f"{who}无法配齐“{label}”名额的检查人员：需要 {needed} 名，"
            f"按“{RULE_NAMES[rule]}”规则筛选后只剩 {available} 名。"
        )
        self.target = target
        self.department = department
        self.rule = rule
        self.needed = needed
        self.available = available


# --- Hashes -----------------------------------------------------------------------------


def sha256_hex(text: str) -> str:
    """H(s) of the protocol: the SHA-256 of the UTF-8 bytes, as 64 lowercase hex characters."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commitment_of(server_secret: str) -> str:
    return sha256_hex(server_secret)


def seed_of(server_secret: str, witness_input: str, frame_digest: str) -> str:
    return sha256_hex(server_secret + "|" + witness_input + "|" + frame_digest)


def ticket_of(seed: str, key: str) -> str:
    return sha256_hex(seed + "|" + key)


def is_hex64(value: object) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


# --- The frame ---------------------------------------------------------------------------


def check_name(value: object, what: str) -> None:
    """A stratum name or target key: a non-empty string without TAB, LF or “|”."""
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{what}不能为空。")
    for char in FORBIDDEN_IN_NAMES:
        if char in value:
            raise ProtocolError(f"{what}“{_visible(value)}”含有不允许的字符（制表符、换行符或“|”）。")


def check_stratum_keys(stratum: str, keys: list[str]) -> None:
    """The keys of one stratum, already sorted: valid, upper-case credit codes, no repeats.

    Whole-stratum string operations keep this fast for a million keys; the slow paths only
    run to name the offending key.
    """
    check_name(stratum, "层名称")
    if not keys:
        return
    text = "\n".join(keys)
    if keys[0] == "" or "\t" in text or "|" in text or text.count("\n") != len(keys) - 1:
        for key in keys:
            check_name(key, f"{stratum} 层的检查对象标识")
    if text != text.upper():
        for key in keys:
            if len(key) == CREDIT_CODE_LENGTH and key != key.upper():
                raise ProtocolError(f"检查对象标识 {key} 是 18 位的统一社会信用代码，必须为大写。")
    if any(map(operator.eq, keys, keys[1:])):
        repeated = next(a for a, b in zip(keys, keys[1:]) if a == b)
        raise ProtocolError(f"检查对象 {repeated} 在抽取名单中出现了不止一次。")


def check_frame_keys_unique(strata: dict[str, list[str]]) -> None:
    """A key appears at most once in the whole frame, not only within its stratum."""
    if len(strata) < 2:
        return
    total = sum(len(keys) for keys in strata.values())
    seen: set[str] = set()
    for keys in strata.values():
        seen.update(keys)
    if len(seen) == total:
        return
    where: dict[str, str] = {}
    for stratum in sorted(strata):
        for key in strata[stratum]:
            if key in where:
                raise ProtocolError(f"检查对象 {key} 同时出现在 {where[key]} 层和 {stratum} 层。")
            where[key] = stratum


def frame_serialise(strata: dict[str, list[str]]) -> bytes:
    """The frame file of already validated strata whose key lists are sorted."""
    parts = []
    for stratum in sorted(strata):
        keys = strata[stratum]
        if keys:
            prefix = stratum + "\t"
            parts.append(prefix + ("\n" + prefix).join(keys) + "\n")
    return "".join(parts).encode("utf-8")


def frame_parse(content: bytes) -> dict[str, list[str]]:
    """The strata of a frame file, checked strictly against §2; keys in file order."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"抽取名单文件不是有效的 UTF-8 编码（第 {error.start + 1} 字节）。") from None
    if not text:
        return {}
    if not text.endswith("\n"):
        raise ProtocolError("抽取名单文件的最后一行没有以换行符（LF）结尾。")
    strata: dict[str, list[str]] = {}
    current = None
    keys: list[str] = []
    for number, line in enumerate(text[:-1].split("\n"), 1):
        stratum, tab, key = line.partition("\t")
        if not tab:
            raise ProtocolError(f"抽取名单文件第 {number} 行没有制表符，应为“层名称<TAB>检查对象标识”。")
        if stratum != current:
            if current is not None and stratum < current:
                raise ProtocolError(f"抽取名单文件第 {number} 行未按（层名称、检查对象标识）排序。")
            if stratum in strata:
                raise ProtocolError(f"抽取名单文件第 {number} 行未按（层名称、检查对象标识）排序。")
            current = stratum
            keys = strata[stratum] = []
        keys.append(key)
    for stratum, stratum_keys in strata.items():
        check_stratum_keys(stratum, stratum_keys)
        if not all(map(operator.lt, stratum_keys, stratum_keys[1:])):
            raise ProtocolError(f"抽取名单文件中 {stratum} 层的检查对象未按代码点顺序排序。")
    check_frame_keys_unique(strata)
    return strata


# --- Sample sizes ------------------------------------------------------------------------


def ratio_parse(value: object) -> Decimal:
    """A sampling ratio in percent: 0 to 100 with at most two decimals."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ProtocolError("抽查比例必须是数字。")
    try:
        ratio = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ProtocolError(f"抽查比例“{value}”不是有效的数字。") from None
    if not ratio.is_finite():
        raise ProtocolError(f"抽查比例“{value}”不是有效的数字。")
    if ratio < 0:
        raise ProtocolError("抽查比例不能为负数。")
    if ratio > 100:
        raise ProtocolError("抽查比例不能超过 100%。")
    if ratio != ratio.quantize(Decimal("0.01")):
        raise ProtocolError(f"抽查比例“{value}”最多保留两位小数。")
    return ratio.quantize(Decimal("0.01"))


def ratio_text(ratio: Decimal) -> str:
    """How a ratio is written in the record: two decimals, e.g. "3.00"."""
    return f"{ratio:.2f}"


def sample_size_for_ratio(size: int, ratio: Decimal) -> int:
    """min(N, ceil(r × N / 100)) in exact integer arithmetic (r has at most two decimals)."""
    hundredths = int(ratio * 100)
    return min(size, -(-hundredths * size // 10000))


# --- Selection ---------------------------------------------------------------------------


def bottom_k(seed: str, keys: list[str], count: int) -> list[tuple[bytes, str]]:
    """The `count` keys with the smallest (ticket, key), ascending; tickets as raw digests.

    Raw SHA-256 digests order exactly like their lowercase hex, so comparing bytes is the
    protocol's comparison. Every ticket hashes the same 65 bytes `seed|` first: SHA-256
    absorbs them once (a copy of that state goes on with each key), so each ticket costs
    one compression instead of two. Pairs above the k-th smallest ticket seen so far are
    never kept: the candidates are cut back to k whenever they reach 2k.
    """
    if count <= 0 or not keys:
        return []
    start = hashlib.sha256((seed + "|").encode()).copy
    best: list[tuple[bytes, str]] = []
    keep = best.append
    limit = b"\xff" * (hashlib.sha256().digest_size + 1)  # above every digest
    for key in keys:
        state = start()
        state.update(key.encode())
        ticket = state.digest()
        if ticket <= limit:
            keep((ticket, key))
            if len(best) >= 2 * count:
                best.sort()
                del best[count:]
                limit = best[-1][0]
    best.sort()
    del best[count:]
    return best


def select(
    seed: str, strata: dict[str, list[str]], sample_sizes: dict[str, int]
) -> list[tuple[str, str, str]]:
    """Every stratum's bottom-k, together in ascending (ticket, key): (key, stratum, ticket)."""
    chosen = []
    for stratum in sorted(strata):
        for digest, key in bottom_k(seed, strata[stratum], sample_sizes.get(stratum, 0)):
            chosen.append((digest, key, stratum))
    chosen.sort()
    return [(key, stratum, digest.hex()) for digest, key, stratum in chosen]


def batch_of(index: int, batch_size: int) -> int:
    """The batch of the index-th (0-based) selected target."""
    return 1 + index // batch_size


# --- The pool ----------------------------------------------------------------------------


def pool_line(entry: dict) -> str:
    """One pool file line, without its LF."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_pool_entry(entry: object, where: str) -> None:
    if not isinstance(entry, dict) or sorted(entry) != list(POOL_KEYS):
        raise ProtocolError(f"{where}应恰好包含这些键：{'、'.join(POOL_KEYS)}。")
    for key in ("active", "certified", "expert"):
        if not isinstance(entry[key], bool):
            raise ProtocolError(f"{where}的“{key}”应为 true 或 false。")
    for key in ("code", "department"):
        if not isinstance(entry[key], str) or not entry[key]:
            raise ProtocolError(f"{where}的“{key}”应为非空字符串。")
    for key in ("conflicts", "expertise", "recent_targets"):
        items = entry[key]
        if not isinstance(items, list) or not all(isinstance(item, str) and item for item in items):
            raise ProtocolError(f"{where}的“{key}”应为非空字符串的列表。")
        if items != sorted(set(items)):
            raise ProtocolError(f"{where}的“{key}”应按代码点排序且不重复。")


def pool_serialise(entries: list[dict]) -> bytes:
    """The pool file of validated entries sorted by code."""
    return "".join(pool_line(entry) + "\n" for entry in entries).encode("utf-8")


def pool_parse(content: bytes) -> list[dict]:
    """The entries of a pool file, checked strictly against §3."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"人员库文件不是有效的 UTF-8 编码（第 {error.start + 1} 字节）。") from None
    if not text:
        return []
    if not text.endswith("\n"):
        raise ProtocolError("人员库文件的最后一行没有以换行符（LF）结尾。")
    entries = []
    previous = None
    for number, line in enumerate(text[:-1].split("\n"), 1):
        where = f"人员库文件第 {number} 行"
        try:
            entry = json.loads(line)
        except ValueError:
            raise ProtocolError(f"{where}不是有效的 JSON。") from None
        check_pool_entry(entry, where)
        if pool_line(entry) != line:
            raise ProtocolError(f"{where}不是规范写法（键按字母排序、分隔符不含空格、中文不转义）。")
        if previous is not None and entry["code"] <= previous:
            raise ProtocolError(f"{where}未按人员编号排序，或人员编号 {entry['code']} 重复。")
        previous = entry["code"]
        entries.append(entry)
    return entries


# --- Slots and matching ------------------------------------------------------------------


def slot_label(department: str | None, names: dict | None = None) -> str:
    if department is None:
        return EXPERT_LABEL
    return (names or {}).get(department, department)


def check_slots(slots: object, initiator: object, participants: object) -> None:
    """The department rules: initiator first, then each participant in order, then any
    expert slots; every team gets at least two certified enforcement officers, and
    experts never count toward them."""
    if not isinstance(initiator, str) or not initiator:
        raise ProtocolError("必须指定发起部门。")
    if not isinstance(participants, list) or not all(isinstance(code, str) and code for code in participants):
        raise ProtocolError("参与部门应为部门代码的列表。")
    if len(set(participants)) != len(participants) or initiator in participants:
        raise ProtocolError("参与部门不能重复，也不能包含发起部门。")
    if not isinstance(slots, list) or not slots:
        raise ProtocolError("检查组至少需要一个名额设置。")
    departments = []
    seen_expert = False
    certified_officers = 0
    for number, slot in enumerate(slots, 1):
        where = f"第 {number} 个名额"
        if not isinstance(slot, dict) or sorted(slot) != ["certified", "department", "expertise", "k"]:
            raise ProtocolError(f"{where}应恰好包含 department、k、certified、expertise。")
        department, k = slot["department"], slot["k"]
        if department is not None and (not isinstance(department, str) or not department):
            raise ProtocolError(f"{where}的部门应为部门代码，专家名额为 null。")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ProtocolError(f"{where}的人数应为正整数。")
        if not isinstance(slot["certified"], bool):
            raise ProtocolError(f"{where}的“是否持证”应为 true 或 false。")
        expertise = slot["expertise"]
        if not isinstance(expertise, list) or not all(isinstance(item, str) and item for item in expertise):
            raise ProtocolError(f"{where}的业务专长应为非空字符串的列表。")
        if expertise != sorted(set(expertise)):
            raise ProtocolError(f"{where}的业务专长应按代码点排序且不重复。")
        if department is None:
            if slot["certified"]:
                raise ProtocolError("专家和第三方人员不持执法证，专家名额不能要求持证。")
            seen_expert = True
            continue
        if seen_expert:
            raise ProtocolError("部门名额应排在专家名额之前。")
        departments.append(department)
        if slot["certified"]:
            certified_officers += k
    if departments != [initiator, *participants]:
        raise ProtocolError("部门名额应依次为发起部门和各参与部门（按任务所列顺序），每个部门一个名额。")
    if certified_officers < 2:
        raise ProtocolError(
            "每个检查组至少需要两名持有效执法证的执法人员（两名以上执法人员），专家和第三方人员不计入；"
            f"当前名额设置只保证 {certified_officers} 名。"
        )


def fits(entry: dict, slot: dict) -> bool:
    """§3: active, expert exactly for the expert pool, the slot's department, certified
    where the slot says so, and every expertise the slot lists."""
    department = slot["department"]
    if not entry["active"] or entry["expert"] != (department is None):
        return False
    if department is not None and entry["department"] != department:
        return False
    if slot["certified"] and not entry["certified"]:
        return False
    expertise = entry["expertise"]
    return all(item in expertise for item in slot["expertise"])


def misfit_reason(entry: dict, slot: dict, names: dict | None = None) -> str | None:
    """Why an inspector does not fit a slot, in Chinese; None when it fits."""
    department = slot["department"]
    if department is None and not entry["expert"]:
        return "不是专家或第三方人员"
    if department is not None and entry["expert"]:
        return "是专家或第三方人员，不能占用部门执法人员名额"
    if department is not None and entry["department"] != department:
        return f"不属于{slot_label(department, names)}"
    if not entry["active"]:
        return "不在岗"
    if slot["certified"] and not entry["certified"]:
        return "没有有效执法证"
    missing = [item for item in slot["expertise"] if item not in entry["expertise"]]
    if missing:
        return f"不具备业务专长（{'、'.join(missing)}）"
    return None


def slot_stages(slot: dict, pool: list[dict], conflicted: set | frozenset) -> list[tuple[str, list[str]]]:
    """The inspectors left after each of a slot's rules in turn, for naming the one that ran dry."""
    department = slot["department"]
    remaining = [
        entry
        for entry in pool
        if entry["expert"] == (department is None)
        and (department is None or entry["department"] == department)
    ]
    stages = [("members", remaining)]
    remaining = [entry for entry in remaining if entry["active"]]
    stages.append(("active", remaining))
    if slot["certified"]:
        remaining = [entry for entry in remaining if entry["certified"]]
        stages.append(("certified", remaining))
    if slot["expertise"]:
        remaining = [
            entry for entry in remaining if all(item in entry["expertise"] for item in slot["expertise"])
        ]
        stages.append(("expertise", remaining))
    remaining = [entry for entry in remaining if entry["code"] not in conflicted]
    stages.append(("conflict", remaining))
    return [(rule, [entry["code"] for entry in entries]) for rule, entries in stages]


def index_by_target(pool: list[dict], field: str, targets: set | frozenset | dict | None = None) -> dict:
    """target key -> set of inspector codes listing it in `field` (conflicts, recent_targets)."""
    index: dict[str, set] = {}
    for entry in pool:
        for target in entry[field]:
            if targets is None or target in targets:
                index.setdefault(target, set()).add(entry["code"])
    return index


class Matcher:
    """§3 inspector matching, target by target, keeping every inspector's load.

    Per slot the fitting inspectors sit in buckets by load. The smallest
    (load, H(seed|key|code), code) is always in the lowest bucket holding an eligible
    inspector, so only that bucket's eligible members are hashed for a target.
    """

    def __init__(self, seed: str, slots: list[dict], pool: list[dict], names: dict | None = None) -> None:
        self.seed = seed
        self.slots = slots
        self.pool = pool
        self.names = names
        self.by_code = {entry["code"]: entry for entry in pool}
        self.code_bytes = {code: code.encode("utf-8") for code in self.by_code}
        self.fitting = [frozenset(entry["code"] for entry in pool if fits(entry, slot)) for slot in slots]
        self.slots_of: dict[str, list[int]] = {}
        for index, fitting in enumerate(self.fitting):
            for code in fitting:
                self.slots_of.setdefault(code, []).append(index)
        self.loads = dict.fromkeys(self.slots_of, 0)
        self.levels = [{0: set(fitting)} if fitting else {} for fitting in self.fitting]
        self.conflicts = index_by_target(pool, "conflicts")
        self.recent = index_by_target(pool, "recent_targets")

    def smallest(self, target: str, codes: list[str] | set[str], count: int) -> list[str]:
        """The `count` codes of equal load with the smallest (H(seed|key|code), code), in order.

        SHA-256 absorbs the shared `seed|key|` once; each code goes on from a copy of that
        state (the same digest as hashing the whole text, for half the work), the loops run
        by map() rather than by Python statements. A bucket holds at most the pool's size:
        sorting it all beats a heap of the few wanted."""
        shared = hashlib.sha256((self.seed + "|" + target + "|").encode("utf-8"))
        states = list(map(_HASH.copy, itertools.repeat(shared, len(codes))))
        collections.deque(map(_HASH.update, states, map(self.code_bytes.__getitem__, codes)), maxlen=0)
        ranked = list(zip(map(_HASH.digest, states), codes))
        if count == 1:
            return [min(ranked)[1]]
        ranked.sort()
        return [code for _, code in ranked[:count]]

    def pick(self, target: str, slot_index: int, count: int, excluded: set) -> list[str]:
        """The `count` eligible inspectors with the smallest (load, hash, code), in pick order.

        `excluded` holds only inspectors of this slot that are not eligible (usually none).
        """
        picked: list[str] = []
        levels = self.levels[slot_index]
        for load in sorted(levels):
            bucket = levels[load]
            candidates = [code for code in bucket if code not in excluded] if excluded else bucket
            if candidates:
                picked.extend(self.smallest(target, candidates, count - len(picked)))
                if len(picked) == count:
                    break
        return picked

    def move(self, code: str, change: int) -> None:
        """Change an inspector's load and its place in every slot's buckets."""
        old = self.loads[code]
        new = old + change
        self.loads[code] = new
        for index in self.slots_of[code]:
            levels = self.levels[index]
            bucket = levels[old]
            bucket.discard(code)
            if not bucket:
                del levels[old]
            levels.setdefault(new, set()).add(code)

    def fail(self, target: str, slot_index: int, team: set) -> InfeasibleError:
        slot = self.slots[slot_index]
        stages = slot_stages(slot, self.pool, self.conflicts.get(target, frozenset()))
        stages.append(("team", [code for code in stages[-1][1] if code not in team]))
        rule, codes = next((rule, codes) for rule, codes in stages if len(codes) < slot["k"])
        return InfeasibleError(
            target=target,
            department=slot["department"],
            label=slot_label(slot["department"], self.names),
            rule=rule,
            needed=slot["k"],
            available=len(codes),
        )

    def team_for(self, target: str) -> list[tuple[list[str], bool]]:
        """Fill every slot for one target; loads are incremented as inspectors are picked."""
        conflicted = self.conflicts.get(target, frozenset())
        recent = self.recent.get(target, frozenset())
        team: set[str] = set()
        result = []
        for index, slot in enumerate(self.slots):
            count, fitting = slot["k"], self.fitting[index]
            hard = fitting.intersection(team)
            if conflicted:
                hard |= fitting.intersection(conflicted)
            if len(fitting) - len(hard) < count:
                raise self.fail(target, index, team)
            strict = hard | fitting.intersection(recent) if recent else hard
            relaxed = len(fitting) - len(strict) < count
            picked = self.pick(target, index, count, hard if relaxed else strict)
            for code in picked:
                self.move(code, 1)
            team.update(picked)
            result.append((picked, relaxed))
        return result


def match_teams(
    seed: str, targets: list[str], slots: list[dict], pool: list[dict], names: dict | None = None
) -> list[list[tuple[list[str], bool]]]:
    """Teams for the selected targets (in ascending ticket order): per target, per slot,
    (inspector codes in pick order, rotation relaxed)."""
    matcher = Matcher(seed, slots, pool, names)
    return [matcher.team_for(target) for target in targets]


# --- Verifying a record ------------------------------------------------------------------


def _visible(text: str) -> str:
    return text.replace("\t", "\\t").replace("\n", "\\n")


def _field(obj: object, key: str, kinds: tuple, where: str, optional: bool = False):
    if not isinstance(obj, dict):
        raise ProtocolError(f"记录格式错误：{where}应为 JSON 对象。")
    value = obj.get(key)
    if value is None and optional:
        return None
    if key not in obj:
        raise ProtocolError(f"记录格式错误：{where}缺少“{key}”。")
    if isinstance(value, bool) and bool not in kinds:
        raise ProtocolError(f"记录格式错误：{where}的“{key}”类型不正确。")
    if not isinstance(value, kinds):
        raise ProtocolError(f"记录格式错误：{where}的“{key}”类型不正确。")
    return value


def _time(record: dict, key: str, where: str = "记录") -> datetime.datetime:
    value = _field(record, key, (str,), where)
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError(f"记录格式错误：{where}的“{key}”不是 ISO 8601 时间：{value}") from None
    if moment.tzinfo is None:
        raise ProtocolError(f"记录格式错误：{where}的“{key}”没有时区：{value}")
    return moment


def _hex(record: dict, key: str) -> str:
    value = _field(record, key, (str,), "记录")
    if not is_hex64(value):
        raise ProtocolError(f"记录格式错误：“{key}”应为 64 位小写十六进制字符。")
    return value


EXECUTION_KEYS = ("executed_at", "witness_input", "server_secret", "seed", "selected", "teams", "adjustments")


def verify_record(record: object, frame_bytes: bytes, pool_bytes: bytes | None = None):
    """Check a record (full or public) against §2–§5. Yields one Chinese finding per step;
    raises ProtocolError with the first discrepancy."""
    if not isinstance(record, dict):
        raise ProtocolError("记录格式错误：记录应为 JSON 对象。")
    if record.get("format") != FORMAT:
        raise ProtocolError(f"记录格式应为 {FORMAT}，实际为 {record.get('format')!r}。")
    task = _field(record, "task", (dict,), "记录")
    code = _field(task, "code", (str,), "task")
    title = _field(task, "title", (str,), "task")
    yield f"核验 {FORMAT} 抽取记录：任务 {code} {title}"
    slots = _field(task, "slots", (list,), "task")
    initiator = _field(task, "initiator", (str,), "task")
    participants = _field(task, "participants", (list,), "task")
    check_slots(slots, initiator, participants)
    yield f"名额设置符合规则：{len(slots)} 个名额，发起部门 {initiator} 在先，每组至少两名持证执法人员。"

    committed_at = _time(record, "committed_at")
    scheduled_for = _time(record, "scheduled_for")
    if scheduled_for < committed_at:
        raise ProtocolError("预定抽取时间早于承诺时间。")
    commitment = _hex(record, "commitment")
    frame_digest = _hex(record, "frame_digest")
    pool_digest = _hex(record, "pool_digest")
    batch_size = _field(record, "batch_size", (int,), "记录")
    if batch_size < 1:
        raise ProtocolError("记录格式错误：“batch_size”应为正整数。")

    executed = record.get("executed_at") is not None
    if not executed:
        for key in EXECUTION_KEYS[1:]:
            if record.get(key) not in (None, []):
                raise ProtocolError(f"记录格式错误：尚未执行的抽取不应有“{key}”。")
    else:
        server_secret = _hex(record, "server_secret")
        if sha256_hex(server_secret) != commitment:
            raise ProtocolError("承诺值与公开的服务器密钥不符：commitment ≠ H(server_secret)。")
        yield "承诺值一致：commitment = H(server_secret)。"

    actual_frame_digest = hashlib.sha256(frame_bytes).hexdigest()
    if actual_frame_digest != frame_digest:
        raise ProtocolError(f"抽取名单文件的摘要 {actual_frame_digest} 与记录中的 frame_digest 不符。")
    strata = frame_parse(frame_bytes)
    candidates = sum(len(keys) for keys in strata.values())
    yield f"抽取名单文件摘要一致，格式正确：{candidates} 个检查对象，{len(strata)} 个层。"

    sample_sizes = {}
    record_strata = _field(record, "strata", (list,), "记录")
    for entry in record_strata:
        name = _field(entry, "name", (str,), "strata")
        where = f"{name} 层"
        size = _field(entry, "size", (int,), where)
        sample_size = _field(entry, "sample_size", (int,), where)
        ratio_value = _field(entry, "ratio_percent", (str,), where, optional=True)
        if name in sample_sizes:
            raise ProtocolError(f"记录格式错误：{where}重复出现。")
        actual = len(strata.get(name, ()))
        if size != actual:
            raise ProtocolError(f"{where}的总数应为 {actual}（据抽取名单文件），记录中为 {size}。")
        if ratio_value is not None:
            if _RATIO_TEXT.fullmatch(ratio_value) is None:
                raise ProtocolError(f"记录格式错误：{where}的抽查比例应写成两位小数，如“3.00”。")
            expected = sample_size_for_ratio(size, ratio_parse(ratio_value))
            if sample_size != expected:
                raise ProtocolError(
                    f"{where}的抽取数量应为 {expected}（{size} × {ratio_value}% 向上取整），记录中为 {sample_size}。"
                )
        elif not 0 <= sample_size <= size:
            raise ProtocolError(f"{where}的抽取数量 {sample_size} 应在 0 到总数 {size} 之间。")
        sample_sizes[name] = sample_size
    missing = sorted(set(strata) - set(sample_sizes))
    if missing:
        raise ProtocolError(f"抽取名单文件中的 {missing[0]} 层没有出现在记录的 strata 中。")
    yield (
        "各层总数与抽取数量符合规则："
        + "；".join(
            "{} 层 {} 个，{}抽取 {} 个".format(
                entry["name"],
                entry["size"],
                f"比例 {entry['ratio_percent']}%，"
                if entry.get("ratio_percent") is not None
                else "固定数量，",
                entry["sample_size"],
            )
            for entry in record_strata
        )
        + "。"
    )

    pool = None
    if pool_bytes is not None:
        actual_pool_digest = hashlib.sha256(pool_bytes).hexdigest()
        if actual_pool_digest != pool_digest:
            raise ProtocolError(f"人员库文件的摘要 {actual_pool_digest} 与记录中的 pool_digest 不符。")
        pool = pool_parse(pool_bytes)
        yield f"人员库文件摘要一致，格式正确：{len(pool)} 名人员。"

    if not executed:
        yield "该抽取尚未执行：服务器密钥未公开，承诺值、随机种子和抽取结果待执行后核验。"
        return

    executed_at = _time(record, "executed_at")
    if executed_at < scheduled_for:
        raise ProtocolError("抽取执行时间早于预定抽取时间。")
    witness_input = _field(record, "witness_input", (str,), "记录")
    seed = _hex(record, "seed")
    expected_seed = seed_of(server_secret, witness_input, frame_digest)
    if seed != expected_seed:
        raise ProtocolError("随机种子与 H(server_secret|witness_input|frame_digest) 不符。")
    yield f"随机种子一致（见证输入“{witness_input}”）。"

    expected = select(seed, strata, sample_sizes)
    selected = _field(record, "selected", (list,), "记录")
    stratum_of = {}
    for stratum, keys in strata.items():
        for key in keys:
            stratum_of[key] = stratum
    listed: dict[str, dict] = {}
    for entry in selected:
        target = _field(entry, "target", (str,), "selected")
        where = f"抽中对象 {target}"
        stratum = _field(entry, "stratum", (str,), where)
        _field(entry, "ticket", (str,), where)
        _field(entry, "batch", (int,), where)
        if target in listed:
            raise ProtocolError(f"检查对象 {target} 在抽中名单中出现了不止一次。")
        if target not in stratum_of:
            raise ProtocolError(f"抽中的检查对象 {target} 不在抽取名单文件中。")
        if stratum_of[target] != stratum:
            raise ProtocolError(
                f"检查对象 {target} 在抽取名单中属于 {stratum_of[target]} 层，记录写为 {stratum} 层。"
            )
        listed[target] = entry
    for stratum in sorted(strata):
        should = {key for key, name, _ in expected if name == stratum}
        has = {key for key, entry in listed.items() if entry["stratum"] == stratum}
        if should != has:
            extra = sorted(has - should)
            if extra:
                raise ProtocolError(f"{stratum} 层抽中的检查对象与重新计算不符：{extra[0]} 不应被抽中。")
            raise ProtocolError(
                f"{stratum} 层抽中的检查对象与重新计算不符：{sorted(should - has)[0]} 应被抽中。"
            )
        yield f"{stratum} 层抽中的 {len(should)} 个检查对象与重新计算一致。"
    for key, _, ticket in expected:
        if listed[key]["ticket"] != ticket:
            raise ProtocolError(f"检查对象 {key} 的抽签值应为 {ticket}，记录中为 {listed[key]['ticket']}。")
    if [entry["target"] for entry in selected] != [key for key, _, _ in expected]:
        raise ProtocolError("抽中名单没有按抽签值从小到大排列。")
    for index, (key, _, _) in enumerate(expected):
        if listed[key]["batch"] != batch_of(index, batch_size):
            raise ProtocolError(
                f"检查对象 {key} 的批次应为 {batch_of(index, batch_size)}，记录中为 {listed[key]['batch']}。"
            )
    yield f"全部 {len(expected)} 个抽签值和批次号（每批 {batch_size} 个）一致。"

    targets = [key for key, _, _ in expected]
    teams = _field(record, "teams", (list,), "记录")
    public = _check_team_shapes(teams, targets, slots)
    yield "检查组与抽中名单、名额设置一一对应（{}）。".format(
        "公开版记录：只含部门和人数" if public else "完整记录"
    )
    adjustments = _field(record, "adjustments", (list,), "记录")

    if pool is None:
        if not public:
            yield "未提供人员库文件：检查人员的匹配和调整未核验。"
        _check_adjustment_shapes(adjustments, teams, public, executed_at)
        yield f"{len(adjustments)} 条调整记录的对象、部门和时间符合规则。"
        return

    if not public:
        for team in teams:
            _check_team_rules(team, slots, pool)
        yield "没有检查组违反回避、执法资格、部门和业务专长规则，每组至少两名持证执法人员。"
    recomputed = match_teams(seed, targets, slots, pool)
    for team, expected_team in zip(teams, recomputed):
        for number, (slot, record_slot, (codes, relaxed)) in enumerate(
            zip(slots, team["slots"], expected_team), 1
        ):
            label = slot_label(slot["department"])
            where = f"检查对象 {team['target']} 的第 {number} 个名额（{label}）"
            if not public and record_slot["inspectors"] != codes:
                raise ProtocolError(
                    f"{where}应为 {'、'.join(codes)}，记录中为 {'、'.join(record_slot['inspectors'])}。"
                )
            if record_slot["rotation_relaxed"] != relaxed:
                raise ProtocolError(f"{where}的轮换放宽标记应为 {str(relaxed).lower()}。")
    yield f"全部 {len(teams)} 个检查组与按规则重新匹配的结果一致。"
    if public:
        _check_adjustment_shapes(adjustments, teams, public, executed_at)
        yield f"{len(adjustments)} 条调整记录的对象、部门和时间符合规则（公开版不含人员身份）。"
    else:
        _check_adjustments(adjustments, teams, slots, pool, executed_at)
        yield f"{len(adjustments)} 条调整记录符合规则：替补人员符合名额条件且无回避关系。"


def _check_team_shapes(teams: list, targets: list[str], slots: list[dict]) -> bool:
    """Teams follow the selected order and the slots; returns whether the record is public."""
    if len(teams) != len(targets):
        raise ProtocolError(f"检查组应有 {len(targets)} 个（每个抽中对象一个），记录中有 {len(teams)} 个。")
    public = None
    for team, target in zip(teams, targets):
        team_target = _field(team, "target", (str,), "teams")
        if team_target != target:
            raise ProtocolError(f"检查组应按抽中顺序排列：此处应为 {target}，记录中为 {team_target}。")
        team_slots = _field(team, "slots", (list,), f"检查对象 {target} 的检查组")
        if len(team_slots) != len(slots):
            raise ProtocolError(
                f"检查对象 {target} 的检查组应有 {len(slots)} 个名额，记录中有 {len(team_slots)} 个。"
            )
        members: set[str] = set()
        for slot, team_slot in zip(slots, team_slots):
            where = f"检查对象 {target} 的检查组"
            if "department" not in team_slot or team_slot["department"] != slot["department"]:
                raise ProtocolError(f"{where}的名额部门与任务名额设置不符。")
            _field(team_slot, "rotation_relaxed", (bool,), where)
            is_public = "inspectors" not in team_slot
            if public is None:
                public = is_public
            elif public != is_public:
                raise ProtocolError("记录格式错误：检查组中混有完整记录和公开版记录的写法。")
            if is_public:
                count = _field(team_slot, "count", (int,), where)
                if count != slot["k"]:
                    raise ProtocolError(
                        f"{where}中{slot_label(slot['department'])}应有 {slot['k']} 人，记录中为 {count} 人。"
                    )
                continue
            inspectors = _field(team_slot, "inspectors", (list,), where)
            if len(inspectors) != slot["k"] or not all(isinstance(code, str) for code in inspectors):
                raise ProtocolError(f"{where}中{slot_label(slot['department'])}应有 {slot['k']} 名检查人员。")
            for code in inspectors:
                if code in members:
                    raise ProtocolError(f"{where}中检查人员 {code} 出现了不止一次。")
                members.add(code)
    return bool(public)


def _check_team_rules(team: dict, slots: list[dict], pool: list[dict]) -> None:
    by_code = {entry["code"]: entry for entry in pool}
    target = team["target"]
    certified = 0
    for slot, team_slot in zip(slots, team["slots"]):
        for code in team_slot["inspectors"]:
            entry = by_code.get(code)
            if entry is None:
                raise ProtocolError(f"检查对象 {target} 的检查组中的 {code} 不在人员库中。")
            reason = misfit_reason(entry, slot)
            if reason is not None:
                raise ProtocolError(f"检查对象 {target} 的检查组中的 {code} {reason}。")
            if target in entry["conflicts"]:
                raise ProtocolError(f"检查对象 {target} 的检查组中的 {code} 与该对象有回避关系。")
            if entry["certified"] and not entry["expert"]:
                certified += 1
    if certified < 2:
        raise ProtocolError(
            f"检查对象 {target} 的检查组只有 {certified} 名持有效执法证的执法人员，少于两名。"
        )


def _check_adjustment_shapes(
    adjustments: list, teams: list, public: bool, executed_at: datetime.datetime
) -> None:
    departments = {team["target"]: [slot.get("department") for slot in team["slots"]] for team in teams}
    previous = executed_at
    for number, adjustment in enumerate(adjustments, 1):
        where = f"第 {number} 条调整记录"
        target = _field(adjustment, "target", (str,), where)
        if "department" not in adjustment:
            raise ProtocolError(f"记录格式错误：{where}缺少“department”。")
        department = adjustment["department"]
        moment = _time(adjustment, "at", where)
        if target not in departments:
            raise ProtocolError(f"{where}的检查对象 {target} 不在抽中名单中。")
        if department not in departments[target]:
            raise ProtocolError(f"{where}的部门 {department} 不在该检查对象的检查组中。")
        if moment < previous:
            raise ProtocolError(f"{where}的时间早于抽取执行时间或前一条调整记录。")
        previous = moment
        if not public:
            for key in ("out", "in", "reason", "by"):
                if not _field(adjustment, key, (str,), where):
                    raise ProtocolError(f"记录格式错误：{where}的“{key}”不能为空。")


def _check_adjustments(
    adjustments: list, teams: list, slots: list[dict], pool: list[dict], executed_at: datetime.datetime
) -> None:
    """Each incoming inspector fits the slot, has no conflict and is not already on the team."""
    _check_adjustment_shapes(adjustments, teams, False, executed_at)
    by_code = {entry["code"]: entry for entry in pool}
    current = {team["target"]: [list(slot["inspectors"]) for slot in team["slots"]] for team in teams}
    for number, adjustment in enumerate(adjustments, 1):
        where = f"第 {number} 条调整记录"
        target, out, incoming = adjustment["target"], adjustment["out"], adjustment["in"]
        team = current[target]
        index = next(
            (
                index
                for index, codes in enumerate(team)
                if out in codes and slots[index]["department"] == adjustment.get("department")
            ),
            None,
        )
        if index is None:
            raise ProtocolError(f"{where}调出的 {out} 不在检查对象 {target} 该部门的名额中。")
        entry = by_code.get(incoming)
        if entry is None:
            raise ProtocolError(f"{where}调入的 {incoming} 不在人员库中。")
        reason = misfit_reason(entry, slots[index])
        if reason is not None:
            raise ProtocolError(f"{where}调入的 {incoming} {reason}。")
        if target in entry["conflicts"]:
            raise ProtocolError(f"{where}调入的 {incoming} 与检查对象 {target} 有回避关系。")
        if any(incoming in codes for codes in team):
            raise ProtocolError(f"{where}调入的 {incoming} 已在该检查组中。")
        team[index][team[index].index(out)] = incoming


# --- Command line ------------------------------------------------------------------------


def run(arguments: list[str], write) -> bool:
    """Verify the files named in `arguments`, writing each line with `write`; True for OK."""
    if len(arguments) not in (2, 3):
        write("用法：python verifier.py record.json frame.txt [pool.jsonl]")
        write("FAIL: 参数错误：需要抽取记录和抽取名单文件，人员库文件可选。")
        return False
    try:
        contents = []
        for path in arguments:
            with open(path, "rb") as handle:
                contents.append(handle.read())
    except OSError as error:
        write(f"FAIL: 无法读取文件 {error.filename}：{error.strerror}")
        return False
    try:
        record = json.loads(contents[0].decode("utf-8-sig"))
    except ValueError:
        write("FAIL: 抽取记录不是有效的 UTF-8 JSON 文件。")
        return False
    try:
        for finding in verify_record(record, contents[1], contents[2] if len(contents) == 3 else None):
            write(finding)
    except ProtocolError as error:
        write(f"FAIL: {error.message}")
        return False
    write("OK")
    return True


def main(argv: list[str] | None = None) -> int:
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(errors="replace")

    def write(line: str) -> None:
        stdout.write(line + "\n")

    return 0 if run(sys.argv[1:] if argv is None else argv, write) else 1


if __name__ == "__main__":
    sys.exit(main())
