"""The archive (归档): one record per archived subject (a document, an incoming document …) with
its retention period (保管期限). An archived subject is read-only; the record is never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Retention(models.TextChoices):
    """文书档案保管期限: 永久, or 定期 30 年 / 10 年 (机关文件材料归档范围和文书档案保管期限规定,
    国家档案局令第8号, 第六条)."""

    PERMANENT = "permanent", _("永久")
    Y30 = "30y", _("30年")
    Y10 = "10y", _("10年")


class ArchiveRecord(models.Model):
    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="archive_records", verbose_name=_("立档单位")
    )
    subject_type = models.CharField(_("类别"), max_length=64)  # a registered kind
    subject_id = models.PositiveBigIntegerField()
    year = models.PositiveIntegerField(_("年度"))
    doc_type = models.CharField(_("文种"), max_length=16, blank=True)
    number = models.CharField(_("文号"), max_length=64, blank=True)
    title = models.CharField(_("题名"), max_length=300)
    retention = models.CharField(_("保管期限"), max_length=12, choices=Retention.choices)
    archived_at = models.DateTimeField(_("归档时间"))
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("归档人"),
    )

    class Meta:
        verbose_name = _("档案")
        verbose_name_plural = _("档案")
        ordering = ["-year", "-archived_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="archive_record_subject_unique"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "-year", "-archived_at"], name="archive_unit_year"),
            models.Index(fields=["county", "-year", "-archived_at"], name="archive_county_year"),
            models.Index(fields=["number"], name="archive_number"),
        ]

    def __str__(self) -> str:
        return self.title
