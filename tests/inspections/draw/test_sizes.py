from decimal import Decimal

import pytest

from inspections.draw import ProtocolError, StratumSize, check_within_cap, parse_ratio_percent, stratum_size


@pytest.mark.parametrize(
    ("size", "ratio", "expected"),
    [
        (1200, "3", 36),
        (1200, "3.00", 36),
        (1201, "3", 37),  # 36.03 rounds up
        (100, "0.01", 1),
        (99, "1.01", 1),  # 0.9999 rounds up to 1
        (99, "1.02", 2),  # 1.0098 rounds up to 2
        (3, "50", 2),
        (0, "50", 0),
        (7, "100", 7),
        (7, "0", 0),
        (10000, "0.07", 7),  # exactly 7: in floats 0.07 × 10000 / 100 is 7.000000000000001, ceil 8
    ],
)
def test_a_ratio_gives_the_ceiling_of_r_times_n_over_100(size, ratio, expected):
    stratum = stratum_size("A", size, ratio_percent=ratio)
    assert stratum == StratumSize("A", size, expected, ratio_percent=Decimal(ratio).quantize(Decimal("0.01")))


def test_a_ratio_may_be_given_as_int_or_decimal():
    assert stratum_size("A", 50, ratio_percent=10).sample_size == 5
    assert stratum_size("A", 50, ratio_percent=Decimal("12.5")).sample_size == 7


def test_a_fixed_count_is_capped_at_the_stratum_size_and_written_without_a_ratio():
    assert stratum_size("D", 12, count=30) == StratumSize("D", 12, 12, count=30)
    assert stratum_size("D", 12, count=5).as_record() == {
        "name": "D",
        "size": 12,
        "ratio_percent": None,
        "sample_size": 5,
    }


@pytest.mark.parametrize(
    ("ratio", "message"),
    [
        ("-1", "A 层：抽查比例不能为负数。"),
        ("100.01", "A 层：抽查比例不能超过 100%。"),
        ("3.005", "A 层：抽查比例“3.005”最多保留两位小数。"),
        ("三", "A 层：抽查比例“三”不是有效的数字。"),
        ("NaN", "A 层：抽查比例“NaN”不是有效的数字。"),
        ("Infinity", "A 层：抽查比例“Infinity”不是有效的数字。"),
        (True, "A 层：抽查比例必须是数字。"),
        ([3], "A 层：抽查比例必须是数字。"),
    ],
)
def test_bad_ratios_are_refused(ratio, message):
    with pytest.raises(ProtocolError) as caught:
        stratum_size("A", 100, ratio_percent=ratio)
    assert caught.value.message == message


def test_trailing_zeros_beyond_two_decimals_are_still_two_decimals():
    assert parse_ratio_percent("3.000") == Decimal("3.00")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "A 层应当设置抽查比例或抽取数量中的一项（且只能一项）。"),
        ({"ratio_percent": "3", "count": 3}, "A 层应当设置抽查比例或抽取数量中的一项（且只能一项）。"),
        ({"count": -1}, "A 层的抽取数量必须是非负整数。"),
        ({"count": 2.0}, "A 层的抽取数量必须是非负整数。"),
        ({"count": True}, "A 层的抽取数量必须是非负整数。"),
    ],
)
def test_a_stratum_needs_exactly_one_valid_rule(kwargs, message):
    with pytest.raises(ProtocolError) as caught:
        stratum_size("A", 100, **kwargs)
    assert caught.value.message == message


def test_a_general_matters_cap_refuses_a_higher_ratio_and_accepts_an_equal_one():
    check_within_cap(stratum_size("A", 1000, ratio_percent="5"), cap_percent="5", matter="食品经营许可事项")
    with pytest.raises(ProtocolError) as caught:
        check_within_cap(
            stratum_size("A", 1000, ratio_percent="5.01"), cap_percent="5", matter="食品经营许可事项"
        )
    assert (
        caught.value.message
        == "一般检查事项“食品经营许可事项”的抽查比例上限为 5.00%，A 层设置的 5.01% 超过了上限。"
    )


def test_a_fixed_count_may_not_sample_more_than_the_cap_would():
    check_within_cap(stratum_size("B", 101, count=6), cap_percent="5", matter="广告发布")
    with pytest.raises(ProtocolError) as caught:
        check_within_cap(stratum_size("B", 101, count=7), cap_percent="5", matter="广告发布")
    assert caught.value.message == (
        "一般检查事项“广告发布”的抽查比例上限为 5.00%，B 层共 101 个对象，最多抽取 6 个，设置的 7 个超过了上限。"
    )
