"""The office's own records: the assessment weights of each year (docs/ASSESSMENT.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.lookups import Exact

# The metrics of the assessment, in the order of every table and export, with their
# default weights (sum 100). docs/ASSESSMENT.md defines each one.
METRICS: list[tuple[str, str, int]] = [
    ("plan", "年度计划按时报送", 15),
    ("tasks", "抽查任务完成", 20),
    ("entry", "检查结果按时录入", 20),
    ("publication", "检查结果按时公开", 20),
    ("joint", "部门联合抽查占比", 10),
    ("follow_up", "后续处置按期办结", 15),
]
METRIC_LABELS = {key: label for key, label, _ in METRICS}
DEFAULT_WEIGHTS = {key: weight for key, _, weight in METRICS}


class AssessmentWeights(models.Model):
    """The weights of one year's assessment, set by the office. A year without a row uses
    the defaults (DEFAULT_WEIGHTS)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    plan = models.PositiveSmallIntegerField("年度计划按时报送", default=DEFAULT_WEIGHTS["plan"])
    tasks = models.PositiveSmallIntegerField("抽查任务完成", default=DEFAULT_WEIGHTS["tasks"])
    entry = models.PositiveSmallIntegerField("检查结果按时录入", default=DEFAULT_WEIGHTS["entry"])
    publication = models.PositiveSmallIntegerField("检查结果按时公开", default=DEFAULT_WEIGHTS["publication"])
    joint = models.PositiveSmallIntegerField("部门联合抽查占比", default=DEFAULT_WEIGHTS["joint"])
    follow_up = models.PositiveSmallIntegerField("后续处置按期办结", default=DEFAULT_WEIGHTS["follow_up"])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(
                    models.F("plan")
                    + models.F("tasks")
                    + models.F("entry")
                    + models.F("publication")
                    + models.F("joint")
                    + models.F("follow_up"),
                    100,
                ),
                name="assessment_weights_sum_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年度考核权重"

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key, _, _ in METRICS}
