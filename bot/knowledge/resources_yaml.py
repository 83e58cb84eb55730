"""Reading `knowledge/resources.yaml` into the core's `ResourceDirectory` (choosing a region and
the lines a reply shows are in `bot.core.resources`)."""

from __future__ import annotations

from typing import Any

from bot.core.resources import RESOURCE_KINDS, Line, Region, ResourceDirectory
from bot.knowledge.schema import MENTION_PATTERN, is_https_url
from bot.knowledge.yamlsource import Located, Path, Problem, Problems, read_mapping


def parse_resources(src: Located) -> tuple[ResourceDirectory | None, list[Problem]]:
    return read_mapping(
        src, _resources, "must be a mapping with regions, locales and fallback_region"
    )


def _resources(data: dict[str, Any], problem: Problems) -> ResourceDirectory | None:
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
        lines: list[Line] = []
        for i, raw_line in enumerate(raw.get("lines") or []):
            line = _parse_line(raw_line, (*path, "lines", i), problem)
            if line is not None:
                lines.append(line)
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
    raw_ambiguous = data.get("ambiguous_locales") or []
    if not isinstance(raw_ambiguous, list) or not all(str(a) in locales for a in raw_ambiguous):
        problem(("ambiguous_locales",), "must list locales that are mapped under locales")
        raw_ambiguous = []
    fallback = data.get("fallback_region")
    if fallback not in regions:
        problem(("fallback_region",), "must name a region defined under regions")
    elif not regions[fallback].of_kinds(("crisis", "directory")):
        problem(
            ("fallback_region",), "the fallback region needs at least one crisis or directory line"
        )
    if problem.found:
        return None
    ambiguous = frozenset(str(a) for a in raw_ambiguous)
    return ResourceDirectory(regions, locales, str(fallback), ambiguous)


def _parse_line(raw: Any, path: Path, problem: Problems) -> Line | None:
    if not isinstance(raw, dict):
        problem(path, "must be a mapping with name, kind, reach and url")
        return None
    unknown = set(raw) - {"name", "kind", "reach", "url", "source"}
    if unknown:
        problem(path, f"unknown fields: {', '.join(sorted(unknown))}")
    # One kind, or a list when a service is for several needs (Childline: crisis and abuse).
    kinds = raw.get("kind")
    kinds = tuple(kinds) if isinstance(kinds, list) else (kinds,)
    if not kinds or any(kind not in RESOURCE_KINDS for kind in kinds):
        problem((*path, "kind"), f"must be one or a list of {', '.join(RESOURCE_KINDS)}")
        return None
    name, reach = raw.get("name"), raw.get("reach")
    if not isinstance(name, str) or not name or not isinstance(reach, str) or not reach:
        problem(path, "name and reach are required text")
        return None
    for key in ("url", "source"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not is_https_url(value)):
            problem((*path, key), "must be a well-formed https URL")
            return None
    if MENTION_PATTERN.search(name + reach):
        problem(path, "must not contain mentions")
        return None
    return Line(name, reach, tuple(str(k) for k in kinds), raw.get("url"), raw.get("source"))
