import pytest

from inspections.draw import ProtocolError, compute_seed, new_server_secret, normalise_witness_input
from tests.inspections.draw.vectors import FRAME_DIGEST, SECRET, SEED, WITNESS


def test_a_server_secret_is_64_lowercase_hex_characters_and_never_repeats():
    secrets = {new_server_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(secret) == 64 and set(secret) <= set("0123456789abcdef") for secret in secrets)


def test_the_witness_input_is_kept_as_entered_apart_from_surrounding_whitespace():
    assert normalise_witness_input("\u3000 03 15 22 27 31 09+12 \n") == "03 15 22 27 31 09+12"
    assert normalise_witness_input("０３ 15") == "０３ 15"
    assert normalise_witness_input("Abc") == "Abc"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("   ", "见证输入不能为空。"),
        ("", "见证输入不能为空。"),
        ("03|15", "见证输入不能包含竖线“|”。"),
        ("03\t15", "见证输入不能包含制表符、换行符等控制字符。"),
        ("03\n15", "见证输入不能包含制表符、换行符等控制字符。"),
        ("03\r15", "见证输入不能包含制表符、换行符等控制字符。"),
        (518, "见证输入必须是文字。"),
    ],
)
def test_a_bad_witness_input_is_refused(value, message):
    with pytest.raises(ProtocolError) as caught:
        normalise_witness_input(value)
    assert caught.value.message == message


def test_the_seed_refuses_a_witness_input_that_was_not_normalised():
    assert compute_seed(server_secret=SECRET, witness_input=WITNESS, frame_digest=FRAME_DIGEST) == SEED
    with pytest.raises(ProtocolError) as caught:
        compute_seed(server_secret=SECRET, witness_input=WITNESS + " ", frame_digest=FRAME_DIGEST)
    assert caught.value.message == "见证输入首尾不能有空白字符。"


@pytest.mark.parametrize(
    ("secret", "digest", "message"),
    [
        (SECRET.upper(), FRAME_DIGEST, "服务器密钥应为 64 位小写十六进制字符。"),
        (SECRET[:-1], FRAME_DIGEST, "服务器密钥应为 64 位小写十六进制字符。"),
        (SECRET, FRAME_DIGEST + "0", "抽取名单摘要应为 64 位小写十六进制字符。"),
    ],
)
def test_the_seed_refuses_malformed_hex(secret, digest, message):
    with pytest.raises(ProtocolError) as caught:
        compute_seed(server_secret=secret, witness_input=WITNESS, frame_digest=digest)
    assert caught.value.message == message
