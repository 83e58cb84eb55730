"""The FAQ's hard content rules, checked on every entry however it arrives (YAML, form, import).

No reply gives a dose, presents kratom (or 7-OH and its relatives) as a treatment, describes a
suicide method, or presents suicide as a solution (safe messaging). They are patterns, so they err
on the side of refusing: a moderator rephrases. They catch claims, not words: a negation only
clears a claim it comes before in the same clause ("there is no evidence that kratom treats
depression" passes, "kratom treats depression without side effects" does not), and means-safety
advice ("store guns locked away") is not a method.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundred|half|quarter|a couple(?: of)?|a few|several"
)
_NUMBER = rf"(?:\d+(?:[.,]\d+)?|\d+/\d+|[½¼¾]|{_NUMBER_WORDS})"
_UNITS = (
    r"mg|g|gs|kg|grams?|mcg|µg|ml|milligrams?|micrograms?|ounces?|oz|tablets?|tabs?|capsules?"
    r"|caps|pills?|gummies|teaspoons?|tsp|tablespoons?|tbsp|spoons?|spoonfuls?|scoops?|cups?"
    r"|drops?|shots?|bottles?|doses?"
)
# "2 g", "two grams", "one to two capsules", "half a teaspoon", "1/2 tsp".
DOSE = re.compile(
    rf"\b{_NUMBER}(?:\s*(?:-|to|or)\s*{_NUMBER})?\s*(?:an?\s+)?(?:of\s+)?(?:{_UNITS})\b",
    re.IGNORECASE,
)

# Always a method, whatever the sentence is about.
SUICIDE_METHODS = re.compile(
    r"\b(?:hang(?:ing|ed)?|noose|jump(?:ing|ed)? (?:off|from)|shoot(?:ing)? (?:himself|herself"
    r"|themselves|myself|yourself)|shot (?:himself|herself|themselves|myself)|slit|wrists?"
    r"|lethal (?:dose|amount)|carbon monoxide|suffocat\w*|drown\w*|in front of a train"
    r"|how many pills)\b",
    re.IGNORECASE,
)
# Means that suicide-prevention bodies ask people to lock away or remove: named in a sentence
# about storing or removing them, they are means-safety advice, not a method.
MEANS = re.compile(
    r"\b(?:guns?|firearms?|ammunition|rope|razors?|blades?|bleach|bridge)\b", re.IGNORECASE
)
MEANS_SAFETY = re.compile(
    r"\b(?:stor(?:e|es|ed|ing|age)|lock(?:s|ed|ing)?|lockbox|gun locks?|remov(?:e|es|ed|ing)"
    r"|out of (?:the (?:home|house)|reach)|(?:keep|keeps|kept|put) \w+(?: \w+)? away"
    r"|away from|dispos(?:e|ing) of|hold on to|safe(?:ly)? (?:keep|storage))\b",
    re.IGNORECASE,
)
SUICIDE_AS_SOLUTION = re.compile(
    r"\bsuicide (?:is|was|seems|seemed|would be|could be|as|felt like) (?:\w+ ){0,3}?"
    r"(?:solution|answer|way out|escape|relief|release|only (?:option|way|choice)|peace|rest)\b"
    r"|\b(?:solution|answer|way out|escape|relief|release|peace) (?:\w+ ){0,3}?(?:is|was|through"
    r"|by|in) suicide\b"
    r"|\bsuicide (?:ended|ends|stopped|stops|freed|frees|solved|solves) \w+(?: \w+)? (?:pain"
    r"|suffering|problems?)\b"
    r"|\b(?:ended|end|ends|escape[ds]?|escaping) (?:his|her|their|the|your|my) (?:pain|suffering)"
    r" (?:by|through|with) (?:suicide|taking (?:his|her|their|your|my) (?:own )?life)\b"
    r"|\b(?:finally|now) (?:at peace|free|at rest) (?:after|through|by) (?:suicide|taking)\b",
    re.IGNORECASE,
)

# What the treatment rule is about: kratom, 7-OH and the products made from them.
PRODUCT = re.compile(
    r"\b(?:kratom|kratum|ketum|mitragyna|mitragynine(?: pseudoindoxyl)?|7-?oh\b"
    r"|7-hydroxymitragynine|mgm-?1[56]|mp\b|the leaf\b)",
    re.IGNORECASE,
)
_CONDITION = (
    r"(?:depress\w*|anxi\w*|pain|mood|withdrawals?|ptsd|trauma|stress|addiction|cravings?"
    r"|insomnia|sleep|symptoms?|opioid use|panic|nerves|adhd|fatigue|grief|low mood"
    r"|suicidal \w+)"
)
# A claim: a verb that says the product does something for a condition, or a framing that
# casts it as a medicine. Listed as patterns so plain descriptions ("acts on opioid receptors",
# "can affect mood") stay allowed.
CLAIM = re.compile(
    r"\b(?:treats?|treated|treating|cures?|cured|curing|heals?|healed|remed(?:y|ies)"
    r"|reverses?|prevents?|combats?|alleviates?|effectively|effective (?:for|against|at|in|with"
    r"|treatment|cure|remedy|option|medicine)"
    r"|(?:works? (?:for|on|against)|lifts?|lifted|eases?|eased|relieves?|relieved|fix(?:es|ed)?"
    r"|beats?|manages?|improves?|boosts?|soothes?|calms?|stops?|ends?|gets? rid of"
    r"|helps?(?: with| for| to)?) (?:\w+ )?"
    rf"{_CONDITION}\b"
    r"|(?:gives?|provides?|brings?|offers?) (?:\w+ ){0,2}relief"
    r"|good for (?:\w+ )?" + _CONDITION + r"\b"
    r"|(?:is|are|was|were|as|be|being|becomes?|like|,) an? (?:\w+ ){0,3}?"
    r"(?:antidepressant|treatment|cure|remedy|medicine|painkiller"
    r"|anxiolytic|mood stabili[sz]er|alternative to|substitute for|replacement for)"
    r"|(?:safer|better|healthier|gentler|more natural) (?:\w+ ){0,2}?than"
    r"|instead of (?:\w+ )?(?:antidepressants?|ssris?|medications?|medicines?|therapy"
    r"|treatment|opioids?|painkillers?|buprenorphine|methadone))\b",
    re.IGNORECASE,
)
# The product (or "it" standing for it) leads into the claim within a few words.
MAX_SUBJECT_GAP = 5
MAX_PRONOUN_GAP = 2  # "it really treats", not "make it harder for trauma to heal"
PRONOUN_SUBJECT = re.compile(r"\b(?:it|this|they)\b", re.IGNORECASE)
RECOMMENDATION = re.compile(
    r"^(?:try|take|use|consider|switch to|start)\b|\b(?:you|people) (?:should|could|can|might)"
    r" (?:try|take|use|switch to)\b",
    re.IGNORECASE,
)
# A negation clears a claim only when it comes shortly before it in the same clause, with no
# "and" between ("kratom has no side effects and cures depression" is still a claim).
NEGATION = re.compile(
    r"\b(?:no|not|never|nor|neither|none|nothing|without|unproven|unsupported|cannot"
    r"|\w+n't|lacks?|little)\b",
    re.IGNORECASE,
)
NEGATION_WINDOW = 8
_NEGATION_BREAK = re.compile(r"\b(?:and|so|yet|then|plus|also)\b", re.IGNORECASE)
# Others' claims, reported as such ("people who use kratom say it lifts their mood").
ATTRIBUTION = re.compile(
    r"\b(?:people|users|some|many|sellers|vendors|companies|marketers|surveys|ads"
    r"|advertis\w+|labels|friends)\b.*\b(?:say|says|said|report|reports|reported|claim|claims"
    r"|claimed|claiming|believe|describe|swear)\b"
    r"|\b(?:marketed|sold|advertised|promoted) (?:\w+ )?as\b",
    re.IGNORECASE,
)
TREATING_KRATOM_PROBLEMS = re.compile(
    r"\btreat\w* (?:\w+ )?(?:kratom|7-?oh)(?: \w+)? (?:dependence|use disorder|withdrawal"
    r"|addiction|overdose|poisoning)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)
# Clauses again with commas kept, so an appositive ("kratom, a natural antidepressant") counts.
_STRONG_BREAK = re.compile(r"[;:()\u2014]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def _plain(text: str) -> str:
    """Markdown emphasis off and curly apostrophes straight, so "**not**" and "isn’t" count."""
    return re.sub(r"[*_`]", "", text).replace("\u2019", "'")


def _negated_before(clause: str, at: int) -> bool:
    window = clause[:at].split()[-NEGATION_WINDOW:]
    negations = [i for i, word in enumerate(window) if NEGATION.fullmatch(word.strip(".,'\""))]
    if not negations:
        return False
    between = " ".join(window[negations[-1] + 1 :])
    return not _NEGATION_BREAK.search(between)


def _claims_in(clause: str, subject_known: bool) -> bool:
    """True when the clause presents the product as a treatment and nothing before clears it."""
    if TREATING_KRATOM_PROBLEMS.search(clause):
        return False
    if RECOMMENDATION.search(clause.strip()) and PRODUCT.search(clause):
        return not _negated_before(clause, len(clause))
    subjects = [(PRODUCT, MAX_SUBJECT_GAP)]
    if subject_known:
        subjects.append((PRONOUN_SUBJECT, MAX_PRONOUN_GAP))
    for subject, max_gap in subjects:
        for lead in subject.finditer(clause):
            for claim in CLAIM.finditer(clause, lead.end()):
                if len(clause[lead.end() : claim.start()].split()) > max_gap:
                    break
                at = claim.start()
                if _negated_before(clause, at) or ATTRIBUTION.search(clause[:at]):
                    continue
                return True
    return False


def treatment_claims(answer: str) -> list[str]:
    """The sentences that present kratom, 7-OH or a related product as a treatment."""
    text = _plain(answer)
    mentions_product = bool(PRODUCT.search(text))
    found = []
    for sentence in _SENTENCE_BREAK.split(text):
        if not sentence.strip() or sentence.rstrip().endswith("?"):
            continue
        if not mentions_product:
            continue
        clauses = _CLAUSE_BREAK.split(sentence) + _STRONG_BREAK.split(sentence)
        if any(_claims_in(clause, mentions_product) for clause in clauses):
            found.append(sentence.strip())
    return found


def method_mentions(text: str) -> list[str]:
    """Suicide or self-harm methods named in the text; means-safety advice is not one."""
    found = [m.group(0) for m in SUICIDE_METHODS.finditer(text)]
    for sentence in _SENTENCE_BREAK.split(text):
        if MEANS_SAFETY.search(sentence):
            continue
        found += [m.group(0) for m in MEANS.finditer(sentence)]
    return found


def suicide_as_solution(text: str) -> list[str]:
    """Sentences that frame suicide as a solution (unless that framing is negated)."""
    found = []
    for sentence in _SENTENCE_BREAK.split(_plain(text)):
        for clause in _CLAUSE_BREAK.split(sentence):
            match = SUICIDE_AS_SOLUTION.search(clause)
            if match and not _negated_before(clause, match.start() + len(match.group(0))):
                found.append(sentence.strip())
                break
    return found


def content_problems(answer: str) -> list[str]:
    """Why an answer breaks a hard rule (empty when it is fine)."""
    problems = []
    if found := DOSE.search(answer):
        problems.append(f"must not give amounts or doses ({found.group(0)!r})")
    if methods := method_mentions(answer):
        problems.append(
            f"must not mention suicide or self-harm methods ({methods[0]!r}; safe messaging)"
        )
    if "committed suicide" in answer.lower():
        problems.append('say "died by suicide", not "committed suicide" (safe messaging)')
    for sentence in suicide_as_solution(answer):
        problems.append(f"must not present suicide as a solution (safe messaging): {sentence!r}")
    for sentence in treatment_claims(answer):
        problems.append(
            f"must not present kratom as a treatment (no evidence supports it): {sentence!r}"
        )
    return problems
