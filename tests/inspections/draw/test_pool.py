import datetime

import pytest

from inspections.draw import PoolEntry, ProtocolError, Slot, build_pool, fits, parse_pool
from registry.models import Department, Inspector
from tests.inspections.draw.vectors import POOL_DIGEST, POOL_LINES, pool_entries


def test_a_pool_file_reads_back_into_the_same_pool():
    pool = build_pool(pool_entries())
    assert parse_pool(pool.content) == pool
    assert parse_pool(pool.content).digest == POOL_DIGEST
    assert pool.by_code["ZJ-02"].expertise == ("特种设备", "锅炉")


def test_lists_in_pool_entries_are_sorted_and_without_repeats():
    entry = PoolEntry("A-1", "SCJG", conflicts=["X-2", "X-1", "X-2"], expertise={"食品", "药品"})
    assert build_pool([entry]).content.decode("utf-8") == (
        '{"active":true,"certified":false,"code":"A-1","conflicts":["X-1","X-2"],"department":"SCJG",'
        '"expert":false,"expertise":["药品","食品"],"recent_targets":[]}\n'
    )


def test_an_empty_pool_is_an_empty_file():
    assert build_pool([]).content == b""
    assert parse_pool(b"").entries == ()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([PoolEntry("A-1", "SCJG"), PoolEntry("A-1", "JYJ")], "人员编号 A-1 在人员库中重复。"),
        ([PoolEntry("", "SCJG")], "人员（无编号）的“code”应为非空字符串。"),
        ([PoolEntry("A-1", "")], "人员 A-1 的“department”应为非空字符串。"),
        ([PoolEntry("A-1", "SCJG", active="yes")], "人员 A-1 的“active”应为 true 或 false。"),
        ([PoolEntry("A-1", "SCJG", conflicts=[""])], "人员 A-1 的“conflicts”应为非空字符串的列表。"),
    ],
)
def test_a_bad_pool_is_refused(entries, message):
    with pytest.raises(ProtocolError) as caught:
        build_pool(entries)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([POOL_LINES[1], POOL_LINES[0]], "人员库文件第 2 行未按人员编号排序，或人员编号 JYJ-01 重复。"),
        ([POOL_LINES[0], POOL_LINES[0]], "人员库文件第 2 行未按人员编号排序，或人员编号 JYJ-01 重复。"),
        (
            [POOL_LINES[0].replace(",", ", ")],
            "人员库文件第 1 行不是规范写法（键按字母排序、分隔符不含空格、中文不转义）。",
        ),
        (
            [POOL_LINES[3].replace("食品", "\\u98df\\u54c1")],
            "人员库文件第 1 行不是规范写法（键按字母排序、分隔符不含空格、中文不转义）。",
        ),
        (
            [
                '{"active":true,"certified":true,"code":"JYJ-01","conflicts":["B","A"],"department":"JYJ","expert":false,"expertise":[],"recent_targets":[]}'
            ],
            "人员库文件第 1 行的“conflicts”应按代码点排序且不重复。",
        ),
        (
            ['{"active":true,"code":"JYJ-01"}'],
            "人员库文件第 1 行应恰好包含这些键：active、certified、code、conflicts、department、expert、expertise、recent_targets。",
        ),
        (["not json"], "人员库文件第 1 行不是有效的 JSON。"),
    ],
)
def test_the_pool_parser_is_strict(lines, message):
    with pytest.raises(ProtocolError) as caught:
        parse_pool("".join(line + "\n" for line in lines).encode("utf-8"))
    assert caught.value.message == message


def test_the_pool_file_must_end_with_a_line_feed():
    with pytest.raises(ProtocolError) as caught:
        parse_pool(POOL_LINES[0].encode("utf-8"))
    assert caught.value.message == "人员库文件的最后一行没有以换行符（LF）结尾。"


def test_an_expired_certificate_is_simply_certified_false_and_misses_certified_slots():
    prepared_on = datetime.date(2027, 3, 1)
    department = Department(code="SCJG", name="罗庄区市场监督管理局", short_name="区市场监管局")
    expired = Inspector(
        code="SCJG-09",
        name="测试",
        department=department,
        category=Inspector.Category.CIVIL_SERVANT,
        certificate_number="3713110009",
        certificate_valid_until=datetime.date(2027, 2, 28),
    )
    valid = Inspector(
        code="SCJG-10",
        name="测试",
        department=department,
        category=Inspector.Category.CIVIL_SERVANT,
        certificate_number="3713110010",
        certificate_valid_until=prepared_on,
    )
    entries = [
        PoolEntry(inspector.code, "SCJG", certified=inspector.is_certified_on(prepared_on))
        for inspector in (expired, valid)
    ]
    pool = build_pool(entries)
    assert [(entry.code, entry.certified) for entry in parse_pool(pool.content).entries] == [
        ("SCJG-09", False),
        ("SCJG-10", True),
    ]
    assert [fits(entry, Slot("SCJG", 2)) for entry in pool.entries] == [False, True]
    assert [fits(entry, Slot("SCJG", 1, certified=False)) for entry in pool.entries] == [True, True]
