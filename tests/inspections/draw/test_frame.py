import hashlib

import pytest

from inspections.draw import (
    ProtocolError,
    build_frame,
    build_frame_from_lines,
    build_frame_from_strata,
    load_committed_frame,
    parse_frame,
)
from tests.inspections.draw.vectors import FRAME_BYTES, FRAME_DIGEST, PAIRS


def test_a_frame_file_reads_back_into_the_same_frame():
    frame = parse_frame(FRAME_BYTES)
    assert frame == build_frame(PAIRS)
    assert frame.keys_by_stratum() == {
        "A": ("91371311MA3C4X0K1A", "91371311MA3C4X0K3G", "92371311MA3D7Y2P54"),
        "B": ("91371311MA3C4X0K2D", "91371311MA3C4X0K4K", "XM-2027-0003"),
    }
    assert (frame.digest, frame.size) == (FRAME_DIGEST, 6)


def test_strata_are_ordered_by_code_point_not_by_locale():
    frame = build_frame([("ALL", "b-1"), ("ALL", "B-2"), ("ALL", "a-3"), ("ALL", "一号场所"), ("ALL", "Z-4")])
    assert frame.content.decode("utf-8") == "ALL\tB-2\nALL\tZ-4\nALL\ta-3\nALL\tb-1\nALL\t一号场所\n"


def test_keys_grouped_by_stratum_give_the_same_frame_and_empty_strata_are_left_out():
    grouped = {"B": ["XM-2027-0003", "91371311MA3C4X0K4K", "91371311MA3C4X0K2D"], "A": [], "C": []}
    grouped["A"] = ["92371311MA3D7Y2P54", "91371311MA3C4X0K1A", "91371311MA3C4X0K3G"]
    frame = build_frame_from_strata(grouped)
    assert (frame.content, frame.sizes) == (FRAME_BYTES, {"A": 3, "B": 3})


@pytest.mark.parametrize(
    "pairs",
    [
        PAIRS,
        [],
        [("ALL", "b-1"), ("ALL", "B-2"), ("ALL", "一号场所")],
        # A name sorting before TAB puts its lines before a shorter name's: still sorted by name.
        [("A", "K2"), ("A\x01", "K1"), ("A", "K3"), ("AB", "K4")],
    ],
)
def test_lines_give_the_same_frame_as_pairs(pairs):
    lines = [f"{stratum}\t{key}" for stratum, key in reversed(pairs)]
    assert build_frame_from_lines(lines) == build_frame(pairs)
    lines = [f"{stratum}\t{key}" for stratum, key in reversed(pairs)]
    assert build_frame_from_lines(lines, keys_unique=True) == build_frame(pairs)


def test_a_key_in_two_strata_is_refused_unless_the_caller_vouches_for_unique_keys():
    with pytest.raises(ProtocolError, match="X-1"):
        build_frame_from_lines(["A\tX-1", "B\tX-1"])
    with pytest.raises(ProtocolError, match="X-1"):  # within one stratum: always refused
        build_frame_from_lines(["A\tX-1", "A\tX-1"], keys_unique=True)


def test_a_line_without_a_tab_is_refused_even_beside_one_with_two():
    # Split at every TAB and LF, these two lines would still give names and keys in turn.
    with pytest.raises(ProtocolError, match="A 层的检查对象标识不能为空。"):
        build_frame_from_lines(["A", "B\tX-1\tX-2"])


def test_an_empty_frame_is_an_empty_file():
    frame = build_frame([])
    assert (frame.content, frame.size) == (b"", 0)
    assert parse_frame(b"") == frame


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("A", "X-1"), ("A", "X-1")], "检查对象 X-1 在抽取名单中出现了不止一次。"),
        ([("A", "X-1"), ("B", "X-1")], "检查对象 X-1 同时出现在 A 层和 B 层。"),
        (
            [("A", "91371311ma3c4x0k1a")],
            "检查对象标识 91371311ma3c4x0k1a 是 18 位的统一社会信用代码，必须为大写。",
        ),
        ([("A", "X|1")], "A 层的检查对象标识“X|1”含有不允许的字符（制表符、换行符或“|”）。"),
        ([("A", "X\t1")], "A 层的检查对象标识“X\\t1”含有不允许的字符（制表符、换行符或“|”）。"),
        ([("A", "X\n1")], "A 层的检查对象标识“X\\n1”含有不允许的字符（制表符、换行符或“|”）。"),
        ([("A", "")], "A 层的检查对象标识不能为空。"),
        ([("", "X-1")], "层名称不能为空。"),
        ([("A|B", "X-1")], "层名称“A|B”含有不允许的字符（制表符、换行符或“|”）。"),
        ([("A", None), ("A", "X-1")], "A 层的检查对象标识必须是字符串。"),
        ([("A", 17)], "A 层的检查对象标识必须是字符串。"),
    ],
)
def test_a_bad_frame_is_refused_with_a_chinese_message(pairs, message):
    with pytest.raises(ProtocolError) as caught:
        build_frame(pairs)
    assert caught.value.message == message
    if all(isinstance(key, str) for _, key in pairs):
        with pytest.raises(ProtocolError) as caught:
            build_frame_from_lines([f"{stratum}\t{key}" for stratum, key in pairs])
        assert caught.value.message == message


def test_lower_case_keys_that_are_not_credit_codes_are_kept_as_they_are():
    frame = build_frame([("ALL", "site-0042"), ("ALL", "91371311MA3C4X0K1A")])
    assert frame.content == b"ALL\t91371311MA3C4X0K1A\nALL\tsite-0042\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"A\tX-1", "抽取名单文件的最后一行没有以换行符（LF）结尾。"),
        (b"A\tX-2\nA\tX-1\n", "抽取名单文件中 A 层的检查对象未按代码点顺序排序。"),
        (b"B\tX-1\nA\tX-2\n", "抽取名单文件第 2 行未按（层名称、检查对象标识）排序。"),
        (b"A\tX-1\nB\tX-2\nA\tX-3\n", "抽取名单文件第 3 行未按（层名称、检查对象标识）排序。"),
        (b"A\tX-1\nA X-2\n", "抽取名单文件第 2 行没有制表符，应为“层名称<TAB>检查对象标识”。"),
        (b"A\tX-1\r\n", None),
        (b"A\tX-1\nA\tX-1\n", "检查对象 X-1 在抽取名单中出现了不止一次。"),
        (b"A\tX\t1\n", "A 层的检查对象标识“X\\t1”含有不允许的字符（制表符、换行符或“|”）。"),
        (b"A\tX-1\n\n", "抽取名单文件第 2 行没有制表符，应为“层名称<TAB>检查对象标识”。"),
        (b"A\t\xff\n", "抽取名单文件不是有效的 UTF-8 编码（第 3 字节）。"),
    ],
)
def test_the_frame_parser_is_strict(content, message):
    if message is None:
        # A CR is not forbidden by the protocol, but it is part of the key, so the file
        # describes a different frame from the LF-only one.
        assert parse_frame(content).keys_by_stratum() == {"A": ("X-1\r",)}
        return
    with pytest.raises(ProtocolError) as caught:
        parse_frame(content)
    assert caught.value.message == message


def test_a_committed_frame_loads_back_into_the_same_frame():
    frame = build_frame([("B", "K3"), ("A", "K2"), ("A", "K1"), ("ALL", "Z")])
    loaded = load_committed_frame(frame.content, frame.digest, frame.sizes)
    assert loaded == frame


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda content, sizes: (content + b"A\tK9\n", sizes), "摘要不符"),
        (lambda content, sizes: (content, {**sizes, "A": 1, "B": 2}), "位置或户数与承诺时不符"),
        (lambda content, sizes: (content, {**sizes, "A": 3}), "行数与承诺时各层的户数之和不符"),
    ],
)
def test_a_committed_frame_that_does_not_match_its_commitment_is_refused(change, message):
    frame = build_frame([("A", "K1"), ("A", "K2"), ("B", "K3")])
    content, sizes = change(frame.content, frame.sizes)
    digest = frame.digest if content == frame.content else "0" * 64
    with pytest.raises(ProtocolError, match=message):
        load_committed_frame(content, digest, sizes)


def test_the_keys_of_some_strata_behave_as_the_set_of_those_keys():
    frame = build_frame([*PAIRS, ("C", "ZZ-1"), ("C", "AA-2")])
    keys = frame.keys_in({"A", "C", "D"})
    expected = {key for name, key in [*PAIRS, ("C", "ZZ-1"), ("C", "AA-2")] if name in {"A", "C"}}
    assert set(keys) == expected
    assert len(keys) == len(expected) == 5
    assert keys == expected
    for key in ["91371311MA3C4X0K1A", "AA-2", "ZZ-1", "91371311MA3C4X0K2D", "XM-2027-0003", "", "ZZZ", "0"]:
        assert (key in keys) == (key in expected)
    assert 17 not in keys
    assert None not in keys
    assert len(frame.keys_in(set())) == 0


def test_a_committed_frame_with_a_line_of_another_stratum_inside_a_block_is_refused():
    content = b"A\tK1\nB\tK3\nA\tK4\nB\tK2\n"  # the sizes say three A lines, then one B
    digest = hashlib.sha256(content).hexdigest()
    with pytest.raises(ProtocolError, match="位置或户数与承诺时不符"):
        load_committed_frame(content, digest, {"A": 3, "B": 1})
