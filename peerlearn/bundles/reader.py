"""Read and validate a course bundle folder into a :class:`CourseBundle`.

Validation is complete before anything touches the database, so a bad bundle can be
refused whole, with a message naming the file and the field a person has to fix.

A bundle holds its files itself. Bundles come from other people (a course repository, a
contributor's pull request, an unpacked archive), and a symbolic link in one could make an
outside file a public module or course image (``media/x.png -> /srv/app/.env``). So before
anything is read, every entry of the folder is checked: a link anywhere (file or folder),
or anything else that is neither a file nor a folder (a FIFO would block the import), is
refused by name. Each file is then opened without following a link (``O_NOFOLLOW``), so a
link put in place after the check is refused as well. Entries whose names start with a dot
are never read and so not checked (a ``.git`` folder may be large).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import warnings
from pathlib import Path
from typing import Any, TypeVar

import yaml
from babel import Locale, UnknownLocaleError
from PIL import Image

from peerlearn.bundles.assignment_reader import parse_assignment
from peerlearn.bundles.format import (
    ASSIGNMENT_SUFFIX,
    ASSIGNMENTS_DIR,
    COURSE_FIELDS,
    COURSE_FILE,
    ID_PATTERN,
    MAX_AUTHOR,
    MAX_MEDIA_PATH,
    MAX_SLUG,
    MAX_SUMMARY,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    MEDIA_DIR,
    MEDIA_EXTENSIONS,
    MEDIA_NAME_PATTERN,
    MODULE_FIELDS,
    MODULE_FILE_PATTERN,
    MODULES_DIR,
    REQUIRED_COURSE_FIELDS,
    SLUG_PATTERN,
    TAG_PATTERN,
    AssignmentFile,
    BundleError,
    CourseBundle,
    MediaFile,
    ModuleDoc,
)
from peerlearn.bundles.svg import SvgRefused, clean_svg
from peerlearn.bundles.yaml_limits import check_yaml_limits
from peerlearn.licences import LICENCES

DEFAULT_MEDIA_MAX_BYTES = 5 * 1024 * 1024


def find_bundles(path: Path) -> list[Path]:
    """A bundle folder itself, or every bundle folder directly inside ``path``."""
    if (path / COURSE_FILE).is_file():
        return [path]
    if not path.is_dir():
        raise BundleError(str(path), "no such folder")
    found = sorted(p for p in path.iterdir() if (p / COURSE_FILE).is_file())
    for folder in found:
        if folder.is_symlink():
            raise BundleError(str(folder), _LINK)
    if not found:
        raise BundleError(str(path), f"no {COURSE_FILE} here or in any folder inside")
    return found


def read_bundle(root: Path, media_max_bytes: int = DEFAULT_MEDIA_MAX_BYTES) -> CourseBundle:
    """Read the bundle at ``root``; raise :class:`BundleError` on the first problem."""
    _refuse_links(root)
    course_path = root / COURSE_FILE
    data = _load_yaml(course_path, _read_text(course_path))
    meta = _validate_course(str(course_path), data)
    modules = _read_modules(root / MODULES_DIR)
    media = _read_media(root / MEDIA_DIR, media_max_bytes)
    assignments = _read_assignments(root / ASSIGNMENTS_DIR, modules)
    return CourseBundle(
        **meta, modules=tuple(modules), media=tuple(media), assignments=tuple(assignments)
    )


_LINK = (
    "is a symbolic link; a bundle must hold its files itself, since a link can point "
    "outside the bundle"
)


def _refuse_links(root: Path) -> None:
    """Refuse the bundle if any entry in it is a link or neither a file nor a folder."""
    for folder, folders, files in os.walk(root, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted({*folders, *(name for name in files if not name.startswith("."))}):
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise BundleError(str(path), _LINK)
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise BundleError(str(path), "is neither a file nor a folder")


def _read_bytes(path: Path) -> bytes:
    """The bytes of the regular file at ``path``, never through a symbolic link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise BundleError(str(path), "file is missing") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise BundleError(str(path), _LINK) from None
        raise BundleError(str(path), f"cannot be read ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise BundleError(str(path), "is not a file")
        return file.read()


def _read_text(path: Path) -> str:
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleError(
            str(path), f"not valid UTF-8 text (bad byte at position {error.start})"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _load_yaml(path: Path, text: str) -> dict[str, Any]:
    """course.yml or a module's front matter, within :mod:`yaml_limits` (no deep nesting)."""
    check_yaml_limits(str(path), text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "cannot be parsed"
        raise BundleError(str(path), f"invalid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise BundleError(str(path), "must be a YAML mapping of field: value")
    return data


def _text(file: str, data: dict[str, Any], name: str, max_length: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BundleError(file, "must be non-empty text", name)
    if len(value) > max_length:
        raise BundleError(file, f"is longer than {max_length} characters", name)
    return value


def _identifier(file: str, data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BundleError(
            file, "must be 1-64 letters, digits, '.', '_' or '-' (a UUID is best)", name
        )
    return value


def _validate_course(file: str, data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(map(str, data)) - set(COURSE_FIELDS))
    if unknown:
        raise BundleError(file, f"unknown field; allowed: {', '.join(COURSE_FIELDS)}", unknown[0])
    missing = sorted(REQUIRED_COURSE_FIELDS - set(data))
    if missing:
        raise BundleError(file, "is required", missing[0])

    slug = _text(file, data, "slug", MAX_SLUG)
    if not SLUG_PATTERN.match(slug):
        raise BundleError(file, "use lowercase letters, digits and single hyphens", "slug")
    language = _text(file, data, "language", 20)
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise BundleError(file, f"unknown language code '{language}'", "language") from None
    licence = _text(file, data, "licence", 40)
    if licence not in LICENCES:
        raise BundleError(
            file, f"unknown licence '{licence}'; use one of {', '.join(LICENCES)}", "licence"
        )
    return {
        "id": _identifier(file, data, "id"),
        "slug": slug,
        "title": _text(file, data, "title", MAX_TITLE),
        "summary": _text(file, data, "summary", MAX_SUMMARY),
        "language": language,
        "licence": licence,
        "authors": _authors(file, data.get("authors")),
        "tags": _tags(file, data.get("tags")),
        "forked_from": _identifier(file, data, "forked_from") if "forked_from" in data else None,
        "translation_of": (
            _identifier(file, data, "translation_of") if "translation_of" in data else None
        ),
    }


def _authors(file: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise BundleError(file, "must be a list with at least one name", "authors")
    if not all(isinstance(name, str) and name.strip() for name in value):
        raise BundleError(file, "every author must be a non-empty name", "authors")
    if any(len(name) > MAX_AUTHOR for name in value):
        raise BundleError(file, f"an author name is longer than {MAX_AUTHOR} characters", "authors")
    return tuple(value)


def _tags(file: str, value: object) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list):
        raise BundleError(file, "must be a list of words", "tags")
    if len(value) > MAX_TAGS:
        raise BundleError(file, f"at most {MAX_TAGS} tags", "tags")
    for tag in value:
        if not (isinstance(tag, str) and TAG_PATTERN.match(tag) and len(tag) <= MAX_TAG):
            raise BundleError(file, f"'{tag}' is not a tag: use one lowercase word", "tags")
        if tag != tag.lower():
            raise BundleError(file, f"'{tag}' must be lowercase", "tags")
    if len(set(value)) != len(value):
        raise BundleError(file, "a tag is listed twice", "tags")
    return tuple(value)


def _read_modules(folder: Path) -> list[ModuleDoc]:
    if not folder.exists():
        return []
    modules: list[ModuleDoc] = []
    ids: dict[str, str] = {}
    positions: dict[int, str] = {}
    slugs: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        match = MODULE_FILE_PATTERN.match(path.name)
        if not match or not path.is_file():
            raise BundleError(str(path), "module files are named NN-slug.md (e.g. 01-intro.md)")
        if len(match.group(2)) > MAX_SLUG:
            raise BundleError(str(path), f"slug in the name is over {MAX_SLUG} characters")
        module = _read_module(path, int(match.group(1)), match.group(2))
        _claim(ids, module.id, "id", path)
        _claim(slugs, module.slug, "slug", path)
        _claim(positions, module.position, "number", path)
        modules.append(module)
    return modules


_Key = TypeVar("_Key", str, int)


def _claim(seen: dict[_Key, str], key: _Key, what: str, path: Path) -> None:
    """Record that the module file ``path`` uses ``key``; refuse a key another file has."""
    if key in seen:
        raise BundleError(
            str(path),
            f"{what} '{key}' is also used by {seen[key]}",
            "id" if what == "id" else None,
        )
    seen[key] = path.name


def _read_module(path: Path, position: int, slug: str) -> ModuleDoc:
    text = _read_text(path)
    if not text.startswith("---\n"):
        raise BundleError(str(path), "must start with a '---' front matter line")
    end = text.find("\n---\n", 3)
    if end == -1:
        raise BundleError(str(path), "front matter is not closed by a '---' line")
    meta = _load_yaml(path, text[4 : end + 1])
    file = str(path)
    unknown = sorted(set(map(str, meta)) - set(MODULE_FIELDS))
    if unknown:
        raise BundleError(file, f"unknown field; allowed: {', '.join(MODULE_FIELDS)}", unknown[0])
    body = text[end + len("\n---\n") :]
    return ModuleDoc(
        id=_identifier(file, meta, "id"),
        position=position,
        slug=slug,
        title=_text(file, meta, "title", MAX_TITLE),
        body=body,
    )


def _read_media(folder: Path, max_bytes: int) -> list[MediaFile]:
    if not folder.exists():
        return []
    media: list[MediaFile] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder.parent).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if not all(MEDIA_NAME_PATTERN.match(p) for p in path.relative_to(folder).parts):
            raise BundleError(str(path), "media names use letters, digits, '.', '_' and '-'")
        if len(relative) > MAX_MEDIA_PATH:
            raise BundleError(str(path), f"path is longer than {MAX_MEDIA_PATH} characters")
        if path.suffix.lower() not in MEDIA_EXTENSIONS:
            raise BundleError(
                str(path), f"media must be one of {', '.join(sorted(MEDIA_EXTENSIONS))}"
            )
        content = check_media(str(path), _read_bytes(path), max_bytes)
        media.append(MediaFile(path=relative, content=content))
    return media


def check_media(file: str, content: bytes, max_bytes: int = DEFAULT_MEDIA_MAX_BYTES) -> bytes:
    """The content a media file named ``file`` is stored with (an SVG reduced to its
    drawing), or :class:`BundleError` for one that is too large or not what its name
    says. Shared with the Markdown importer, which checks images before it copies them."""
    path = Path(file)
    if len(content) > max_bytes:
        raise BundleError(file, f"larger than {max_bytes // (1024 * 1024)} MB")
    if path.suffix.lower() == ".svg":
        return _clean_svg(path, content)
    _verify_image(path, content)
    return content


def _clean_svg(path: Path, content: bytes) -> bytes:
    """The SVG's drawing only (:mod:`peerlearn.bundles.svg`), or a clear refusal."""
    try:
        return clean_svg(content)
    except SvgRefused as refused:
        raise BundleError(str(path), refused.reason) from None


def _verify_image(path: Path, content: bytes) -> None:
    expected = MEDIA_EXTENSIONS[path.suffix.lower()].split("/")[1].upper()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind = image.format
                image.verify()
    except Exception:
        raise BundleError(str(path), "is not a readable image") from None
    if kind != expected:
        raise BundleError(str(path), f"contains {kind} data, not {expected}")


def _read_assignments(folder: Path, modules: list[ModuleDoc]) -> list[AssignmentFile]:
    """Every ``assignments/<slug>.yml``, checked against the modules of the same bundle.

    An assignment names its module by the module's ``id``; one that names a module the
    bundle does not have would be imported without a place in the course, so it is
    refused here, before anything is written.
    """
    if not folder.exists():
        return []
    module_ids = {module.id for module in modules}
    assignments: list[AssignmentFile] = []
    ids: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if not path.is_file() or not path.name.endswith(ASSIGNMENT_SUFFIX):
            raise BundleError(
                str(path), "assignment files are named <slug>.yml (e.g. gas-test.yml)"
            )
        text = _read_text(path)
        spec = parse_assignment(text, str(path), path.name.removesuffix(ASSIGNMENT_SUFFIX))
        if spec.module not in module_ids:
            raise BundleError(
                str(path), f"no module with id '{spec.module}' in this bundle", "module"
            )
        if spec.id in ids:
            raise BundleError(str(path), f"id '{spec.id}' is also used by {ids[spec.id]}", "id")
        ids[spec.id] = path.name
        assignments.append(AssignmentFile(slug=spec.slug, text=text, spec=spec))
    return assignments
