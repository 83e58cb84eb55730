"""Crisis and support lines per region, chosen from the member's locale.

Data lives in `knowledge/resources.yaml` so a community can localise it without code. An unknown
locale or region always falls back to the international entry, never to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.core.reply import CrisisType, Resource
from bot.knowledge.schema import MENTION_PATTERN, is_https_url
from bot.knowledge.yamlsource import Located, Problem, field_name

RESOURCE_KINDS = ("crisis", "support", "substance_use", "poison", "directory", "abuse")

# Which kinds of line a crisis reply shows, by crisis type, in order of usefulness.
CRISIS_KINDS: dict[CrisisType, tuple[str, ...]] = {
    CrisisType.SELF_HARM: ("crisis",),
    # Poison control and urgent-care advice lines (e.g. NHS 111) come before crisis lines.
    CrisisType.MEDICAL_EMERGENCY: ("poison", "support", "crisis"),
    CrisisType.ABUSE: ("abuse", "crisis"),
    CrisisType.VIOLENCE: ("crisis",),
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    emergency: str  # e.g. "911"
    lines: tuple[Resource, ...]

    def emergency_resource(self) -> Resource:
        return Resource(name="Emergency services", reach=f"Call {self.emergency}", kind="emergency")

    def of_kinds(self, kinds: Iterable[str]) -> tuple[Resource, ...]:
        out: list[Resource] = []
        for kind in kinds:
            out.extend(line for line in self.lines if line.kind == kind)
        return tuple(out)


@dataclass(frozen=True)
class ResourceDirectory:
    regions: dict[str, Region]
    locales: dict[str, str]  # Discord locale -> region code
    fallback: str

    def region_for(self, *candidates: str | None) -> Region:
        """First candidate that names a known locale or region code wins; else the fallback."""
        for candidate in candidates:
            if not candidate:
                continue
            code = self.locales.get(candidate) or self.locales.get(candidate.split("-")[0])
            if code is None and candidate.upper() in self.regions:
                code = candidate.upper()
            if code in self.regions:
                return self.regions[code]
        return self.regions[self.fallback]

    def crisis_resources(self, region: Region, crisis: CrisisType) -> tuple[Resource, ...]:
        """Emergency number first, then the lines that fit this crisis, then a directory."""
        lines = region.of_kinds(CRISIS_KINDS[crisis])
        if not lines:
            lines = self.regions[self.fallback].of_kinds(("crisis", "directory"))
        directory = () if region.code == self.fallback else self._directory()
        return (region.emergency_resource(), *lines, *directory)

    def all_resources(self, region: Region) -> tuple[Resource, ...]:
        directory = () if region.code == self.fallback else self._directory()
        return (region.emergency_resource(), *region.lines, *directory)

    def _directory(self) -> tuple[Resource, ...]:
        return self.regions[self.fallback].of_kinds(("directory",))[:1]


def parse_resources(src: Located) -> tuple[ResourceDirectory | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(src.file, src.line(path), field_name(path), message))

    data: Any = src.data
    if not isinstance(data, dict):
        problem((), "must be a mapping with regions, locales and fallback_region")
        return None, problems
    regions: dict[str, Region] = {}
    raw_regions = data.get("regions")
    if not isinstance(raw_regions, dict) or not raw_regions:
        problem(("regions",), "must map region codes to their lines")
        raw_regions = {}
    for code, raw in raw_regions.items():
        path: tuple[str | int, ...] = ("regions", code)
        if not isinstance(raw, dict):
            problem(path, "must be a mapping with name, emergency and lines")
            continue
        name, emergency = raw.get("name"), raw.get("emergency")
        if not isinstance(name, str) or not name:
            problem((*path, "name"), "is required")
        if not isinstance(emergency, str) or not emergency:
            problem((*path, "emergency"), 'is required (quote numbers: "911")')
        lines: list[Resource] = []
        for i, line in enumerate(raw.get("lines") or []):
            lpath = (*path, "lines", i)
            if not isinstance(line, dict):
                problem(lpath, "must be a mapping with name, kind, reach and url")
                continue
            unknown = set(line) - {"name", "kind", "reach", "url"}
            if unknown:
                problem(lpath, f"unknown fields: {', '.join(sorted(unknown))}")
            kind = line.get("kind")
            if kind not in RESOURCE_KINDS:
                problem((*lpath, "kind"), f"must be one of {', '.join(RESOURCE_KINDS)}")
                continue
            lname, reach, url = line.get("name"), line.get("reach"), line.get("url")
            if not isinstance(lname, str) or not lname or not isinstance(reach, str) or not reach:
                problem(lpath, "name and reach are required text")
                continue
            if url is not None and (not isinstance(url, str) or not is_https_url(url)):
                problem((*lpath, "url"), "must be a well-formed https URL")
                continue
            if MENTION_PATTERN.search(lname + reach):
                problem(lpath, "must not contain mentions")
                continue
            lines.append(Resource(name=lname, reach=reach, kind=kind, url=url))
        if isinstance(name, str) and name and isinstance(emergency, str) and emergency:
            regions[str(code)] = Region(str(code), name, emergency, tuple(lines))

    locales: dict[str, str] = {}
    raw_locales = data.get("locales") or {}
    if not isinstance(raw_locales, dict):
        problem(("locales",), "must map Discord locales to region codes")
        raw_locales = {}
    for locale, code in raw_locales.items():
        if code not in raw_regions:
            problem(("locales", locale), f"names unknown region {code!r}")
        else:
            locales[str(locale)] = str(code)
    fallback = data.get("fallback_region")
    if fallback not in regions:
        problem(("fallback_region",), "must name a region defined under regions")
    elif not regions[fallback].of_kinds(("crisis", "directory")):
        problem(
            ("fallback_region",), "the fallback region needs at least one crisis or directory line"
        )
    if problems:
        return None, problems
    return ResourceDirectory(regions, locales, str(fallback)), problems
