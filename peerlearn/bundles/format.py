"""The in-memory shape of a course bundle, independent of files and of the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerlearn.bundles.assignment_spec import AssignmentSpec

COURSE_FILE = "course.yml"
MODULES_DIR = "modules"
MEDIA_DIR = "media"
ASSIGNMENTS_DIR = "assignments"
ASSIGNMENT_SUFFIX = ".yml"

#: Keys of course.yml in the order the writer emits them.
COURSE_FIELDS = (
    "id", "slug", "title", "summary", "language", "licence", "authors", "tags",
    "forked_from", "translation_of",
)  # fmt: skip
REQUIRED_COURSE_FIELDS = frozenset(COURSE_FIELDS[:8])
MODULE_FIELDS = ("id", "title")

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_PATTERN = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")
MODULE_FILE_PATTERN = re.compile(r"^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
MEDIA_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MEDIA_EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                    ".webp": "image/webp", ".gif": "image/gif",
                    ".svg": "image/svg+xml"}  # fmt: skip

MAX_TITLE = 200
MAX_AUTHOR = 200
MAX_MEDIA_PATH = 255
MAX_SUMMARY = 2000
MAX_SLUG = 80
MAX_TAGS = 12
MAX_TAG = 40


class BundleError(Exception):
    """A bundle that cannot be imported, with the file and field at fault.

    ``message`` is English, for operators and the command line. A reader whose errors are
    also shown in the browser adds a stable ``code`` and the ``params`` its sentence needs,
    so the page can say the same thing in the reader's language
    (``bundles.assignment_messages.describe``).
    """

    def __init__(
        self,
        file: str,
        message: str,
        field: str | None = None,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.file = file
        self.field = field
        self.message = message
        self.code = code
        self.params: dict[str, Any] = dict(params) if params else {}
        where = f"{file}: field '{field}'" if field else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ModuleDoc:
    """One module file: ``modules/NN-slug.md``."""

    id: str
    position: int
    slug: str
    title: str
    body: str

    @property
    def filename(self) -> str:
        return f"{self.position:02d}-{self.slug}.md"


@dataclass(frozen=True)
class MediaFile:
    """An image the modules reference by its path relative to the bundle (``media/x.png``)."""

    path: str
    content: bytes

    @property
    def content_type(self) -> str:
        suffix = self.path[self.path.rfind(".") :].lower()
        return MEDIA_EXTENSIONS[suffix]


@dataclass(frozen=True)
class AssignmentFile:
    """One assignment file: ``assignments/<slug>.yml``.

    ``text`` is kept exactly as read (after the reader drops a byte order mark and turns
    CRLF into LF), so that importing and exporting gives back the same bytes; ``spec`` is
    what the text means, checked by ``assignment_reader.parse_assignment``.
    """

    slug: str
    text: str
    spec: AssignmentSpec

    @property
    def path(self) -> str:
        return f"{ASSIGNMENTS_DIR}/{self.slug}{ASSIGNMENT_SUFFIX}"


@dataclass(frozen=True)
class CourseBundle:
    id: str
    slug: str
    title: str
    summary: str
    language: str
    licence: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    forked_from: str | None = None
    translation_of: str | None = None
    modules: tuple[ModuleDoc, ...] = ()
    media: tuple[MediaFile, ...] = field(default=())
    assignments: tuple[AssignmentFile, ...] = field(default=())
