"""Crisis and support lines per region, and how the region for a reply is chosen.

Data lives in `knowledge/resources.yaml` so a community can localise it without code. An unknown
locale or region always falls back to the international entry, never to nothing.

How a region is chosen (first that applies; see docs and `ResourceDirectory.choose`):
1. a region the person chose (`/resources region:`, `--locale`, `FAQBOT_LOCALE`);
2. the member's Discord language, when it names one country (pt-BR, hi, ja, ...);
3. the server's `/config region`;
4. the server's Discord language, when it names one country;
5. the deployment's `FAQBOT_REGION` (or, in the terminal, LANG / LC_ALL / LC_MESSAGES);
6. a language spoken in many countries, as a guess (en-US is Discord's default English);
7. the international directories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.reply import CrisisType, Resource

RESOURCE_KINDS = ("crisis", "support", "substance_use", "poison", "directory", "abuse")

# Which kinds of line a crisis reply shows, by crisis type, in order of usefulness.
CRISIS_KINDS: dict[CrisisType, tuple[str, ...]] = {
    CrisisType.SELF_HARM: ("crisis",),
    # Poison control and urgent-care advice lines (e.g. NHS 111) come before crisis lines.
    CrisisType.MEDICAL_EMERGENCY: ("poison", "support", "crisis"),
    CrisisType.ABUSE: ("abuse", "crisis"),
    CrisisType.VIOLENCE: ("crisis",),
}

# Names people type for a region that are not its ISO 3166 code.
REGION_ALIASES = {"UK": "GB", "USA": "US", "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB"}
# A POSIX or BCP 47 locale once encoding and modifier are cut: en, en-GB, es-419.
_LOCALE = re.compile(r"^([a-z]{2,3})(?:-([a-z]{2}|[0-9]{3}))?$")
_NO_LOCALE = ("c", "posix")  # what LANG says when it says nothing
HINT_NAME = "Choose your country"


class UnknownRegion(ValueError):
    """Text that is neither a region nor a locale."""


@dataclass(frozen=True)
class Line:
    """One service of a region; `kinds` says which replies show it (e.g. crisis and abuse)."""

    name: str
    reach: str
    kinds: tuple[str, ...]
    url: str | None = None
    source: str | None = None  # where the number was verified, when not `url` itself

    def resource(self) -> Resource:
        return Resource(name=self.name, reach=self.reach, kind=self.kinds[0], url=self.url)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    emergency: str  # e.g. "911"
    lines: tuple[Line, ...]

    def emergency_resource(self) -> Resource:
        return Resource(name="Emergency services", reach=f"Call {self.emergency}", kind="emergency")

    def of_kinds(self, kinds: Iterable[str]) -> tuple[Resource, ...]:
        out: list[Resource] = []
        for kind in kinds:
            out.extend(
                line.resource()
                for line in self.lines
                if kind in line.kinds and line.resource() not in out
            )
        return tuple(out)


@dataclass(frozen=True)
class ResourceDirectory:
    regions: dict[str, Region]
    locales: dict[str, str]  # Discord locale -> region code
    fallback: str
    # Locales spoken in many countries (or Discord's default): a guess, used only when nobody
    # chose a region and the server has none.
    ambiguous: frozenset[str] = frozenset()

    # --- choosing a region ----------------------------------------------------------------

    def lookup(self, text: str) -> Region | None:
        """A region as people write it: GB, gb, uk, United Kingdom, en_GB, en-gb, en_GB.UTF-8,
        de, hi, pt-BR. None when it is well-formed but names no region with lines here (de-AT,
        an empty LANG, C.UTF-8); UnknownRegion when it is neither a region nor a locale.
        """
        key = re.split(r"[.@]", text.strip(), maxsplit=1)[0].replace("_", "-").casefold()
        if not key or key in _NO_LOCALE:
            return None
        code = REGION_ALIASES.get(key.upper(), key.upper())
        if code in self.regions:
            return self.regions[code]
        for region in self.regions.values():
            if region.name.casefold() == key:
                return region
        match = _LOCALE.match(key)
        if match is None:
            raise UnknownRegion(
                f"{text.strip()!r} is not a region or locale I know; use a region code "
                f"({', '.join(self.codes())}) or a locale such as en_GB"
            )
        territory = match.group(2)
        if territory and territory.isalpha():  # a country named outright wins over its language
            return self.regions.get(REGION_ALIASES.get(territory.upper(), territory.upper()))
        code = self._discord_locale(key)
        return self.regions[code] if code else None

    def choose(
        self,
        *,
        chosen: str | None = None,
        member_locale: str | None = None,
        server_region: str | None = None,
        guild_locale: str | None = None,
        default_region: str | None = None,
    ) -> Region:
        """The region a reply's lines come from, by the order in the module docstring."""
        for candidate in (
            self._setting(chosen),
            self._language(member_locale, guess=False),
            self._setting(server_region),
            self._language(guild_locale, guess=False),
            self._setting(default_region),
            self._language(member_locale, guess=True),
            self._language(guild_locale, guess=True),
        ):
            if candidate is not None:
                return candidate
        return self.regions[self.fallback]

    def codes(self) -> list[str]:
        """The codes a person can choose, in the order they are listed to them."""
        return sorted(code for code in self.regions if code != self.fallback)

    def matching(self, typed: str) -> list[Region]:
        """Regions whose code or name contains what was typed (for autocomplete)."""
        typed = typed.strip().casefold()
        named = [self.regions[c] for c in self.codes()] + [self.regions[self.fallback]]
        return [r for r in named if typed in r.code.casefold() or typed in r.name.casefold()]

    def _setting(self, value: str | None) -> Region | None:
        try:
            return self.lookup(value) if value else None
        except UnknownRegion:  # settings are validated where they are made; never fail a reply
            return None

    def _language(self, locale: str | None, *, guess: bool) -> Region | None:
        code = self._discord_locale(locale.casefold()) if locale else None
        if code is None or (self._is_ambiguous(locale) != guess):
            return None
        return self.regions[code]

    def _discord_locale(self, folded: str) -> str | None:
        for locale, code in self.locales.items():
            if locale.casefold() == folded:
                return code
        return None

    def _is_ambiguous(self, locale: str | None) -> bool:
        return any(a.casefold() == (locale or "").casefold() for a in self.ambiguous)

    # --- what a reply shows ---------------------------------------------------------------

    def crisis_resources(
        self, region: Region, crisis: CrisisType, hint: str | None = None
    ) -> tuple[Resource, ...]:
        """Emergency number first, then the lines that fit this crisis, then a directory; with
        no region known, how to choose one (`hint`, from the adapter) last."""
        lines = region.of_kinds(CRISIS_KINDS[crisis])
        if not lines:
            lines = self.regions[self.fallback].of_kinds(("crisis", "directory"))
        return (region.emergency_resource(), *lines, *self._tail(region, hint))

    def all_resources(self, region: Region, hint: str | None = None) -> tuple[Resource, ...]:
        """Every line of the region; `hint` always, as this is where people switch region."""
        lines = tuple(line.resource() for line in region.lines)
        return (region.emergency_resource(), *lines, *self._tail(region, hint, always=True))

    def _tail(
        self, region: Region, hint: str | None, *, always: bool = False
    ) -> tuple[Resource, ...]:
        directory: tuple[Resource, ...] = ()
        if region.code != self.fallback:
            directory = self.regions[self.fallback].of_kinds(("directory",))[:1]
        if hint and (always or region.code == self.fallback):
            return (*directory, Resource(name=HINT_NAME, reach=hint, kind="directory"))
        return directory
