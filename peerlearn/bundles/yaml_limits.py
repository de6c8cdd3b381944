"""Limits every bundle and assignment YAML text must meet before it is loaded.

PyYAML builds documents recursively, so text nested a thousand levels deep (``[[[[…]]]]``,
``a: {a: {a: …}}``, or the same in block style) costs seconds of CPU and then fails with a
``RecursionError`` that no caller expects; and aliases (``&a``/``*a``) let a few hundred
bytes stand for a billion values ("billion laughs") that later code may walk. So the text
is first read as a stream of parser events, which needs no recursion, and refused as soon
as it goes deeper than :data:`MAX_DEPTH` or, counting each alias as the whole value it
repeats, holds more than :data:`MAX_NODES` values. Stopping at the first event over a limit
keeps the check cheap whatever the input: the parser never gets deeper than the limit.

The events are read twice when PyYAML has its C parser (libyaml): first by it, which refuses
a hostile text in milliseconds, then by the pure-Python parser that the loaders use, because
only that one is sure to see the same structure the loader will build. Its cost for a
refused text is bounded by the limits (at worst about half a second, for a thousand ``[``
on one line, which its look-ahead for keys reads a thousand times).

The limits are far above anything a real file needs: an assignment is at most five levels
deep (file, rubric, criterion, levels, level) and, at the format's own maximums, holds
about 1,500 values; ``course.yml`` and a module's front matter need two levels. Anchors
and aliases stay allowed within the limits (an author may reuse one list of levels), but an
alias inside the value it names is refused, since it makes a value that contains itself.

Pure: no Flask, no database. Errors are :class:`BundleError` with a ``code`` (and the
``params`` of its sentence) so the assignment editor can say the same in the maintainer's
language (``bundles.assignment_messages``).
"""

from __future__ import annotations

import yaml

from peerlearn.bundles.format import BundleError

#: Nesting levels a YAML text may have; an assignment needs 5, course.yml 2.
MAX_DEPTH = 20
#: Values (scalars, lists and mappings, each alias counted as what it repeats) in one text:
#: three times the largest assignment the format allows (about 1,650 values).
MAX_NODES = 5_000
#: Characters in one YAML text: the largest assignment the format allows (a 20,000
#: character prompt and 20 criteria of 10 levels with 2,000 character descriptions, about
#: 504,000 characters) with room for its keys. Pure-Python parsing costs about a second
#: per million characters, and a text is parsed twice (this check, then the loader).
MAX_CHARS = 600_000

_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
#: libyaml first when PyYAML was built with it (fast), then the parser the loaders use.
_PARSERS: tuple[type, ...] = (
    (yaml.CSafeLoader, yaml.SafeLoader) if yaml.__with_libyaml__ else (yaml.SafeLoader,)
)


def check_yaml_limits(file: str, text: str) -> None:
    """Raise :class:`BundleError` if ``text`` is too long, too deep or expands too far.

    Syntax errors are left to the loader that runs next (it reports them with the same
    parser, in the same words); this check only stops at them.
    """
    if len(text) > MAX_CHARS:
        raise BundleError(
            file,
            f"the YAML text is longer than {MAX_CHARS} characters",
            code="yaml_too_long",
            params={"max": MAX_CHARS},
        )
    for loader in _PARSERS:
        _scan(file, text, loader)


def _line(event: yaml.Event) -> int:
    """The line, counted from 1, where ``event`` starts."""
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def _scan(file: str, text: str, loader: type) -> None:
    """Walk the events of ``text`` with ``loader``'s parser, stopping at the first limit."""
    #: (anchor, value count before it) of each list or mapping that is still open.
    open_values: list[tuple[str | None, int]] = []
    #: Values each finished anchor stands for, so an alias counts as all of them.
    sizes: dict[str, int] = {}
    count = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, _OPENING):
                count += 1
                open_values.append((event.anchor, count - 1))
                if len(open_values) > MAX_DEPTH:
                    line = _line(event)
                    raise BundleError(
                        file,
                        f"nested more than {MAX_DEPTH} levels deep (at line {line})",
                        code="yaml_too_deep",
                        params={"max": MAX_DEPTH, "line": line},
                    )
            elif isinstance(event, _CLOSING):
                anchor, before = open_values.pop()
                if anchor is not None:
                    sizes[anchor] = count - before
            elif isinstance(event, yaml.ScalarEvent):
                count += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for anchor, _ in open_values):
                    line = _line(event)
                    raise BundleError(
                        file,
                        f"the alias *{event.anchor} at line {line} is inside the value it "
                        "names, which would make a value that contains itself",
                        code="yaml_alias_loop",
                        params={"alias": event.anchor, "line": line},
                    )
                count += sizes.get(event.anchor or "", 1)
            if count > MAX_NODES:
                line = _line(event)
                raise BundleError(
                    file,
                    f"holds more than {MAX_NODES} values, counting each alias as the values "
                    f"it repeats (at line {line})",
                    code="yaml_too_many_values",
                    params={"max": MAX_NODES, "line": line},
                )
    except yaml.YAMLError:
        return
