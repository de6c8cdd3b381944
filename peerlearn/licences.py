"""Content licences a course may carry, by SPDX id.

Only licences that let a community copy, adapt and share a course are offered: the point
of the platform is that a Rwandan group may fork a Bolivian manual.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    spdx: str
    name: str
    url: str


LICENCES: dict[str, Licence] = {
    lic.spdx: lic
    for lic in (
        Licence(
            "CC-BY-SA-4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        Licence(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        Licence(
            "CC0-1.0",
            "Creative Commons Zero 1.0 (public domain dedication)",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        Licence(
            "CC-BY-NC-SA-4.0",
            "Creative Commons Attribution-NonCommercial-ShareAlike 4.0",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        ),
    )
}
DEFAULT_LICENCE = "CC-BY-SA-4.0"

#: Which licences a fork may carry, by the licence of what it forks. ShareAlike must stay
#: ShareAlike; Attribution may add ShareAlike; CC0 content may be relicensed freely.
FORK_LICENCES: dict[str, tuple[str, ...]] = {
    "CC-BY-SA-4.0": ("CC-BY-SA-4.0",),
    "CC-BY-4.0": ("CC-BY-4.0", "CC-BY-SA-4.0"),
    "CC-BY-NC-SA-4.0": ("CC-BY-NC-SA-4.0",),
    "CC0-1.0": ("CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-SA-4.0"),
}


def fork_licences(parent: str) -> tuple[str, ...]:
    """Licences a fork of a course under ``parent`` may choose, the parent's own first."""
    return FORK_LICENCES.get(parent, (parent,))
