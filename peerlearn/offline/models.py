"""Built offline packages, kept in the database so that every app process and host serves
the same bytes without building them again."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from peerlearn.db import CreatedAtMixin
from peerlearn.extensions import Model


class OfflinePackage(CreatedAtMixin, Model):
    """One built zip, named by the fingerprint of its inputs (``PackageInputs``).

    A fingerprint names the bytes for good, so a row is never updated: a course that
    changes gets new fingerprints and new rows, and the oldest are pruned
    (``package.KEEP_PER_COURSE``).
    """

    __tablename__ = "offline_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
