"""The search index: one ``SearchEntry`` per searchable object (a document, an incoming document,
a notice …), written only by ``services.index_upsert`` / ``index_delete``.

``terms`` holds the text segmented with rjieba (``cut_for_search``), one space between words; the
database's full-text index is built over it: an external-content FTS5 table ``search_fts`` kept
in step by triggers on SQLite, a generated ``tsv`` column with a GIN index on PostgreSQL (both
created in migration 0002 for their vendor only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    kind = models.CharField(_("类别"), max_length=64)  # a registered kind, e.g. documents.document
    object_id = models.PositiveBigIntegerField()
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    title = models.CharField(_("标题"), max_length=300)
    number = models.CharField(_("文号"), max_length=64, blank=True)
    body = models.TextField(_("正文"), blank=True)  # plain text, for snippets
    attachments_text = models.TextField(_("附件文本"), blank=True)
    year = models.PositiveIntegerField(_("年度"), null=True, blank=True)
    doc_type = models.CharField(_("文种"), max_length=16, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    terms = models.TextField(blank=True)  # segmented words, space separated, lower case
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_object_unique")
        ]
        indexes = [
            models.Index(fields=["county", "-date", "-id"], name="search_entry_county_date"),
            models.Index(fields=["county", "year", "-date", "-id"], name="search_entry_year_date"),
            models.Index(fields=["unit", "-date", "-id"], name="search_entry_unit_date"),
        ]

    def __str__(self) -> str:
        return self.title
