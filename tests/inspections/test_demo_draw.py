import io
import json

from django.core.management import call_command

from inspections.draw import verifier
from inspections.models import Draw


def test_demo_draw_runs_a_stratified_draw_on_the_demo_data_and_its_files_verify(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--targets", "600", "--inspectors", "80", "--seed", "5", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_draw", "--out", str(tmp_path / "draw"), stdout=out)
    # seed_demo drew its own demo task already; demo_draw's is the latest.
    draw = Draw.objects.order_by("-committed_at").first()
    assert draw.status == Draw.Status.EXECUTED
    record = json.loads((tmp_path / "draw" / "record.json").read_text(encoding="utf-8"))
    frame = (tmp_path / "draw" / "frame.txt").read_bytes()
    pool = (tmp_path / "draw" / "pool.jsonl").read_bytes()
    assert record["task"]["slots"][0]["department"] == "SCJG"
    assert len(record["task"]["slots"]) == 3 and record["task"]["slots"][-1]["department"] is None
    assert {row["name"] for row in record["strata"]} == {"A", "B", "C", "D"}
    assert len(record["selected"]) == len(draw.selected) > 0
    assert out.getvalue().startswith(f"任务 {draw.task.code}：抽取名单 {draw.frame_size} 户")
    lines = list(verifier.verify_record(record, frame, pool))
    assert lines[0].startswith("核验 dsj-draw/1 抽取记录")
