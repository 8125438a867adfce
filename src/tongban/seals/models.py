"""Electronic seals (电子印章): a county CA and one seal certificate per unit.

国务院令第716号 gives electronic seals the effect of paper ones; GB/T 33481 describes them. Here a
unit's seal is a red seal image stamped on the PDF plus a PAdES signature made with the unit's
certificate, issued by the county CA. Private keys are stored encrypted (AES-GCM, ``seals.crypto``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CertificateAuthority(models.Model):
    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    name = models.CharField(_("名称"), max_length=200)
    serial = models.CharField(_("序列号"), max_length=64)
    cert_pem = models.TextField(_("证书"))
    key_encrypted = models.BinaryField(_("私钥（加密）"))
    not_before = models.DateTimeField(_("生效时间"))
    not_after = models.DateTimeField(_("失效时间"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("印章根证书")
        verbose_name_plural = _("印章根证书")
        constraints = [
            models.UniqueConstraint(
                fields=["county"], condition=Q(is_active=True), name="seals_one_active_ca_per_county"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SealCertificate(models.Model):
    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="seal_certificates", verbose_name=_("单位")
    )
    ca = models.ForeignKey(CertificateAuthority, on_delete=models.PROTECT, related_name="certificates")
    subject = models.CharField(_("证书主体"), max_length=200)
    serial = models.CharField(_("序列号"), max_length=64, db_index=True)
    cert_pem = models.TextField(_("证书"))
    key_encrypted = models.BinaryField(_("私钥（加密）"))
    seal_png = models.BinaryField(_("印章图像"), blank=True)
    not_before = models.DateTimeField(_("生效时间"))
    not_after = models.DateTimeField(_("失效时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("印章证书")
        verbose_name_plural = _("印章证书")
        ordering = ["unit_id", "-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(revoked_at__isnull=True), name="seals_one_live_cert_per_unit"
            ),
            models.UniqueConstraint(fields=["ca", "serial"], name="seals_cert_serial_unique"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
