"""The public verifier: OK on honest records, FAIL with the first discrepancy otherwise."""

import ast
import copy
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import inspections.draw.verifier as verifier_module
from inspections.draw import build_frame, build_pool, public_record
from inspections.draw.verifier import run
from tests.inspections.draw.draws import DEPARTMENT_NAMES, medium_draw, medium_record, write_files
from tests.inspections.draw.test_adjustments import replace
from tests.inspections.draw.vectors import FRAME_BYTES, PAIRS, tiny_draw

VERIFIER = Path(verifier_module.__file__)
FRAME_WITHOUT_PROJECT = FRAME_BYTES.replace(b"B\tXM-2027-0003\n", b"")


def verify(tmp_path, record, frame, pool=None):
    lines = []
    ok = run(write_files(tmp_path, record, frame, pool), lines.append)
    assert lines[-1] == "OK" if ok else lines[-1].startswith("FAIL: ")
    assert [line for line in lines if line == "OK" or line.startswith("FAIL")] == [lines[-1]]
    return lines


def test_an_honest_full_record_verifies_with_every_step_reported(tmp_path):
    frame, pool, _, _, record = tiny_draw()
    assert verify(tmp_path, record, frame.content, pool.content) == [
        "核验 dsj-draw/1 抽取记录：任务 LZ-2027-SJ-001 2027 年食品经营者联合抽查",
        "名额设置符合规则：3 个名额，发起部门 SCJG 在先，每组至少两名持证执法人员。",
        "承诺值一致：commitment = H(server_secret)。",
        "抽取名单文件摘要一致，格式正确：6 个检查对象，2 个层。",
        "各层总数与抽取数量符合规则：A 层 3 个，比例 50.00%，抽取 2 个；B 层 3 个，固定数量，抽取 1 个。",
        "人员库文件摘要一致，格式正确：10 名人员。",
        "随机种子一致（见证输入“福彩3D 2027057期 518”）。",
        "A 层抽中的 2 个检查对象与重新计算一致。",
        "B 层抽中的 1 个检查对象与重新计算一致。",
        "全部 3 个抽签值和批次号（每批 2 个）一致。",
        "检查组与抽中名单、名额设置一一对应（完整记录）。",
        "没有检查组违反回避、执法资格、部门和业务专长规则，每组至少两名持证执法人员。",
        "全部 3 个检查组与按规则重新匹配的结果一致。",
        "0 条调整记录符合规则：替补人员符合名额条件且无回避关系。",
        "OK",
    ]


def test_a_full_record_without_the_pool_verifies_everything_but_the_teams(tmp_path):
    frame, _, _, _, record = tiny_draw()
    lines = verify(tmp_path, record, frame.content)
    assert lines[-3:] == [
        "未提供人员库文件：检查人员的匹配和调整未核验。",
        "0 条调整记录的对象、部门和时间符合规则。",
        "OK",
    ]


def test_the_public_record_verifies_with_and_without_the_pool(tmp_path):
    draw = medium_draw()
    record = medium_record(draw, [replace(draw)])
    public = public_record(record, department_names=DEPARTMENT_NAMES)
    with_pool = verify(tmp_path, public, draw.frame.content, draw.pool.content)
    assert with_pool[-4:] == [
        "检查组与抽中名单、名额设置一一对应（公开版记录：只含部门和人数）。",
        "全部 58 个检查组与按规则重新匹配的结果一致。",
        "1 条调整记录的对象、部门和时间符合规则（公开版不含人员身份）。",
        "OK",
    ]
    assert verify(tmp_path, public, draw.frame.content)[-2:] == [
        "1 条调整记录的对象、部门和时间符合规则。",
        "OK",
    ]


def test_a_record_with_adjustments_verifies(tmp_path):
    draw = medium_draw()
    first = replace(draw)
    second = replace(draw, [first], out=first.incoming, reason="临时申报回避")
    record = medium_record(draw, [first, second])
    assert verify(tmp_path, record, draw.frame.content, draw.pool.content)[-2:] == [
        "2 条调整记录符合规则：替补人员符合名额条件且无回避关系。",
        "OK",
    ]


def test_the_record_published_before_the_draw_verifies_what_it_can(tmp_path):
    frame, pool, _, _, record = tiny_draw()
    prepared = {key: value for key, value in record.items() if key in list(record)[:9]}
    lines = verify(tmp_path, prepared, frame.content, pool.content)
    assert lines[-2:] == ["该抽取尚未执行：服务器密钥未公开，承诺值、随机种子和抽取结果待执行后核验。", "OK"]
    assert "承诺值一致：commitment = H(server_secret)。" not in lines
    nulls = dict(prepared, executed_at=None, seed=None, selected=None)
    assert verify(tmp_path, nulls, frame.content)[-1] == "OK"


def tampered_tiny(change):
    frame, pool, _, _, record = tiny_draw()
    record = copy.deepcopy(record)
    contents = {"frame": frame.content, "pool": pool.content}
    change(record, contents)
    return record, contents


def set_witness(record, contents):
    record["witness_input"] = "福彩3D 2027057期 519"


def set_commitment(record, contents):
    record["commitment"] = "0" * 64


def swap_selection(record, contents):
    # 92371311MA3D7Y2P54 is in stratum A but was not drawn.
    record["selected"][2]["target"] = "92371311MA3D7Y2P54"


def set_batch(record, contents):
    record["selected"][1]["batch"] = 2


def set_ticket(record, contents):
    record["selected"][0]["ticket"] = "f" * 64


def set_order(record, contents):
    record["selected"][0], record["selected"][1] = record["selected"][1], record["selected"][0]


def set_sample_size(record, contents):
    record["strata"][0]["sample_size"] = 1


def set_fixed_count_too_big(record, contents):
    record["strata"][1]["sample_size"] = 4


def set_stratum(record, contents):
    record["selected"][0]["stratum"] = "B"


def set_team(record, contents):
    # SCJG-03 fits the SCJG slot and has no conflict with 3G, but it served 3G last time.
    record["teams"][0]["slots"][0]["inspectors"] = ["SCJG-02", "SCJG-03"]


def set_team_order(record, contents):
    record["teams"][0]["slots"][0]["inspectors"] = ["SCJG-01", "SCJG-02"]


def set_conflicted_team(record, contents):
    record["teams"][2]["slots"][1]["inspectors"] = ["JYJ-01"]
    record["teams"][1]["slots"][1]["inspectors"] = ["JYJ-01"]


def set_uncertified_team(record, contents):
    record["teams"][0]["slots"][0]["inspectors"] = ["SCJG-02", "SCJG-04"]


def set_expert_in_department_slot(record, contents):
    record["teams"][0]["slots"][1]["inspectors"] = ["ZJ-02"]


def set_wrong_expertise(record, contents):
    record["teams"][0]["slots"][2]["inspectors"] = ["ZJ-03"]


def set_rotation_flag(record, contents):
    record["teams"][1]["slots"][1]["rotation_relaxed"] = False


def set_frame(record, contents):
    contents["frame"] = FRAME_WITHOUT_PROJECT


def set_frame_and_digest(record, contents):
    frame = build_frame([pair for pair in PAIRS if pair[1] != "XM-2027-0003"])
    contents["frame"] = frame.content
    record["frame_digest"] = frame.digest
    record["strata"][1]["size"] = 2


def set_pool(record, contents):
    contents["pool"] = contents["pool"].replace(b'"conflicts":["91371311MA3C4X0K1A"]', b'"conflicts":[]')


def set_pool_and_digest(record, contents):
    from tests.inspections.draw.vectors import pool_entries

    entries = [entry for entry in pool_entries() if entry.code != "SCJG-01"]
    pool = build_pool(entries)
    contents["pool"] = pool.content
    record["pool_digest"] = pool.digest


def set_executed_too_early(record, contents):
    record["executed_at"] = "2027-03-02T09:59:59+08:00"


def set_missing_seed(record, contents):
    del record["seed"]


def set_format(record, contents):
    record["format"] = "dsj-draw/2"


def set_slots(record, contents):
    record["task"]["slots"][0]["k"] = 1
    record["task"]["slots"][1]["certified"] = False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_witness, "随机种子与 H(server_secret|witness_input|frame_digest) 不符。"),
        (set_commitment, "承诺值与公开的服务器密钥不符：commitment ≠ H(server_secret)。"),
        (swap_selection, "A 层抽中的检查对象与重新计算不符：92371311MA3D7Y2P54 不应被抽中。"),
        (set_batch, "检查对象 91371311MA3C4X0K2D 的批次应为 1，记录中为 2。"),
        (
            set_ticket,
            "检查对象 91371311MA3C4X0K3G 的抽签值应为 64555c1d3a6d2172b11bde54164adf36b3c39a741905e1d636384043bb5c3ecd，记录中为 "
            + "f" * 64
            + "。",
        ),
        (set_order, "抽中名单没有按抽签值从小到大排列。"),
        (set_sample_size, "A 层的抽取数量应为 2（3 × 50.00% 向上取整），记录中为 1。"),
        (set_fixed_count_too_big, "B 层的抽取数量 4 应在 0 到总数 3 之间。"),
        (set_stratum, "检查对象 91371311MA3C4X0K3G 在抽取名单中属于 A 层，记录写为 B 层。"),
        (
            set_team,
            "检查对象 91371311MA3C4X0K3G 的第 1 个名额（SCJG）应为 SCJG-02、SCJG-01，记录中为 SCJG-02、SCJG-03。",
        ),
        (
            set_team_order,
            "检查对象 91371311MA3C4X0K3G 的第 1 个名额（SCJG）应为 SCJG-02、SCJG-01，记录中为 SCJG-01、SCJG-02。",
        ),
        (set_conflicted_team, "检查对象 91371311MA3C4X0K2D 的检查组中的 JYJ-01 与该对象有回避关系。"),
        (set_uncertified_team, "检查对象 91371311MA3C4X0K3G 的检查组中的 SCJG-04 没有有效执法证。"),
        (
            set_expert_in_department_slot,
            "检查对象 91371311MA3C4X0K3G 的检查组中的 ZJ-02 是专家或第三方人员，不能占用部门执法人员名额。",
        ),
        (set_wrong_expertise, "检查对象 91371311MA3C4X0K3G 的检查组中的 ZJ-03 不具备业务专长（特种设备）。"),
        (set_rotation_flag, "检查对象 91371311MA3C4X0K2D 的第 2 个名额（JYJ）的轮换放宽标记应为 true。"),
        (
            set_frame,
            f"抽取名单文件的摘要 {hashlib.sha256(FRAME_WITHOUT_PROJECT).hexdigest()} 与记录中的 frame_digest 不符。",
        ),
        (set_frame_and_digest, "随机种子与 H(server_secret|witness_input|frame_digest) 不符。"),
        (set_pool, None),
        (set_pool_and_digest, "检查对象 91371311MA3C4X0K3G 的检查组中的 SCJG-01 不在人员库中。"),
        (set_executed_too_early, "抽取执行时间早于预定抽取时间。"),
        (set_missing_seed, "记录格式错误：记录缺少“seed”。"),
        (set_format, "记录格式应为 dsj-draw/1，实际为 'dsj-draw/2'。"),
        (
            set_slots,
            "每个检查组至少需要两名持有效执法证的执法人员（两名以上执法人员），专家和第三方人员不计入；当前名额设置只保证 1 名。",
        ),
    ],
)
def test_any_tampering_makes_the_verifier_fail_with_the_first_discrepancy(tmp_path, change, message):
    record, contents = tampered_tiny(change)
    lines = verify(tmp_path, record, contents["frame"], contents["pool"])
    if message is None:
        assert lines[-1].startswith("FAIL: 人员库文件的摘要 ")
        assert lines[-1].endswith(" 与记录中的 pool_digest 不符。")
    else:
        assert lines[-1] == f"FAIL: {message}"


def test_a_changed_team_in_a_bigger_draw_is_caught(tmp_path):
    draw = medium_draw()
    record = copy.deepcopy(draw.record)
    team = record["teams"][7]
    drawn = team["slots"][0]["inspectors"]
    spare = next(
        entry.code
        for entry in draw.pool.entries
        if entry.department == "SCJG"
        and entry.certified
        and not entry.expert
        and team["target"] not in entry.conflicts
        and entry.code not in drawn
    )
    team["slots"][0]["inspectors"] = [spare, drawn[1]]
    lines = verify(tmp_path, record, draw.frame.content, draw.pool.content)
    assert lines[-1] == (
        f"FAIL: 检查对象 {team['target']} 的第 1 个名额（SCJG）应为 {'、'.join(drawn)}，记录中为 {spare}、{drawn[1]}。"
    )


def test_an_adjustment_bringing_in_someone_with_a_conflict_is_caught(tmp_path):
    draw = medium_draw()
    conflicted, team = next(
        (entry.code, team)
        for team in draw.execution.teams
        for entry in draw.pool.entries
        if entry.department == "SCJG" and team.target in entry.conflicts
    )
    adjustment = replace(draw, target=team.target, out=team.slots[0].inspectors[0]).as_record()
    record = copy.deepcopy(draw.record)
    record["adjustments"] = [dict(adjustment, **{"in": conflicted})]
    lines = verify(tmp_path, record, draw.frame.content, draw.pool.content)
    assert lines[-1] == f"FAIL: 第 1 条调整记录调入的 {conflicted} 与检查对象 {team.target} 有回避关系。"


def test_an_adjustment_before_the_draw_or_of_someone_not_on_the_team_is_caught(tmp_path):
    draw = medium_draw()
    adjustment = replace(draw).as_record()
    record = copy.deepcopy(draw.record)
    record["adjustments"] = [dict(adjustment, at="2027-04-08T09:00:00+08:00")]
    assert verify(tmp_path, record, draw.frame.content, draw.pool.content)[-1] == (
        "FAIL: 第 1 条调整记录的时间早于抽取执行时间或前一条调整记录。"
    )
    record["adjustments"] = [dict(adjustment, out="SCJG-99")]
    assert verify(tmp_path, record, draw.frame.content, draw.pool.content)[-1] == (
        f"FAIL: 第 1 条调整记录调出的 SCJG-99 不在检查对象 {adjustment['target']} 该部门的名额中。"
    )


def test_a_public_record_with_a_wrong_head_count_is_caught(tmp_path):
    frame, pool, _, _, record = tiny_draw()
    public = public_record(record, department_names={"SCJG": "区市场监管局"})
    public["teams"][0]["slots"][0]["count"] = 1
    assert verify(tmp_path, public, frame.content, pool.content)[-1] == (
        "FAIL: 检查对象 91371311MA3C4X0K3G 的检查组中SCJG应有 2 人，记录中为 1 人。"
    )


def test_unreadable_input_ends_in_a_single_fail_line(tmp_path):
    frame, _, _, _, _ = tiny_draw()
    (tmp_path / "frame.txt").write_bytes(frame.content)
    (tmp_path / "record.json").write_text("{not json", encoding="utf-8")
    lines = []
    assert run([str(tmp_path / "record.json"), str(tmp_path / "frame.txt")], lines.append) is False
    assert lines == ["FAIL: 抽取记录不是有效的 UTF-8 JSON 文件。"]
    lines = []
    assert run([str(tmp_path / "missing.json"), str(tmp_path / "frame.txt")], lines.append) is False
    assert lines == [f"FAIL: 无法读取文件 {tmp_path / 'missing.json'}：No such file or directory"]
    lines = []
    assert run([str(tmp_path / "frame.txt")], lines.append) is False
    assert lines == [
        "用法：python verifier.py record.json frame.txt [pool.jsonl]",
        "FAIL: 参数错误：需要抽取记录和抽取名单文件，人员库文件可选。",
    ]
    (tmp_path / "record.json").write_text("[1, 2]", encoding="utf-8")
    lines = []
    assert run([str(tmp_path / "record.json"), str(tmp_path / "frame.txt")], lines.append) is False
    assert lines == ["FAIL: 记录格式错误：记录应为 JSON 对象。"]


def test_the_verifier_imports_only_the_standard_library():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the verifier must not use relative imports"
            modules.add(node.module.split(".")[0])
    assert modules <= sys.stdlib_module_names | {"__future__"}
    assert modules == {
        "__future__",
        "collections",
        "datetime",
        "decimal",
        "hashlib",
        "itertools",
        "json",
        "operator",
        "re",
        "sys",
    }


def test_the_verifier_runs_alone_in_an_isolated_python_and_sets_the_exit_code(tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(VERIFIER, alone / "verifier.py")
    draw = medium_draw()
    paths = write_files(
        tmp_path, public_record(draw.record, department_names=DEPARTMENT_NAMES), draw.frame.content
    )

    def verifier(*arguments):
        return subprocess.run(
            [sys.executable, "-I", "verifier.py", *arguments],
            cwd=alone,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
            check=False,
        )

    honest = verifier(*paths)
    assert (honest.returncode, honest.stdout.splitlines()[-1], honest.stderr) == (0, "OK", "")
    record = json.loads(Path(paths[0]).read_text(encoding="utf-8"))
    record["selected"][3]["batch"] = 2
    Path(paths[0]).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tampered = verifier(*paths)
    assert tampered.returncode == 1
    assert (
        tampered.stdout.splitlines()[-1]
        == f"FAIL: 检查对象 {record['selected'][3]['target']} 的批次应为 1，记录中为 2。"
    )
    assert tampered.stderr == ""
