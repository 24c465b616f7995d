import copy
import io

import pytest
from django.core.management import CommandError, call_command

from tests.inspections.draw.draws import write_files
from tests.inspections.draw.vectors import tiny_draw


def test_verify_draw_prints_the_verifiers_findings_and_ok(tmp_path):
    frame, pool, _, _, record = tiny_draw()
    out = io.StringIO()
    call_command("verify_draw", *write_files(tmp_path, record, frame.content, pool.content), stdout=out)
    lines = out.getvalue().splitlines()
    assert (lines[0], lines[-1], len(lines)) == (
        "核验 dsj-draw/1 抽取记录：任务 LZ-2027-SJ-001 2027 年食品经营者联合抽查",
        "OK",
        15,
    )


def test_verify_draw_without_the_pool_still_checks_the_selection(tmp_path):
    frame, _, _, _, record = tiny_draw()
    out = io.StringIO()
    call_command("verify_draw", *write_files(tmp_path, record, frame.content), stdout=out)
    assert out.getvalue().splitlines()[-2:] == ["0 条调整记录的对象、部门和时间符合规则。", "OK"]


def test_verify_draw_ends_with_fail_and_a_non_zero_exit_code_on_a_changed_record(tmp_path):
    frame, pool, _, _, record = tiny_draw()
    record = copy.deepcopy(record)
    record["witness_input"] = "有人改过的见证输入"
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_draw", *write_files(tmp_path, record, frame.content, pool.content), stdout=out)
    assert caught.value.returncode == 1
    assert (
        out.getvalue().splitlines()[-1]
        == "FAIL: 随机种子与 H(server_secret|witness_input|frame_digest) 不符。"
    )
