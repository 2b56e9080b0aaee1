"""The item linter: what a reviewer would flag before a panel spends time on an item. Framework-free.

Errors block approval and make ``itembank_lint`` exit non-zero; warnings are shown to the writer.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wrenchmark.itembank.content import ItemSpec
from wrenchmark.itembank.markup import plain_text

ERROR = "error"
WARNING = "warning"

# Shingle overlap (Jaccard over word trigrams of stem and options) at which two items are the same item
# written twice (error), or close enough that a reviewer should look (warning).
DUPLICATE_ERROR = 0.9
DUPLICATE_WARNING = 0.75
KEY_SHARE_RANGE = (0.20, 0.30)
KEY_BALANCE_MIN_ITEMS = 20

_ABOVE = re.compile(r"\b(all|none|any)\s+of\s+(the\s+)?(above|these)\b", re.IGNORECASE)
_NEGATIVE = re.compile(r"\b(except|least|not)\b", re.IGNORECASE)
_EXHIBIT_WORDS = re.compile(
    r"\b(exhibit|diagram|table|shown|schematic|waveform|graph|data|reading|readings|chart|illustration|figure)\b",
    re.IGNORECASE,
)
_STYLE_MARK = {"except": "EXCEPT", "least_likely": "LEAST", "most_likely": "MOST"}


@dataclass(frozen=True, slots=True)
class Finding:
    item: str
    code: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.item}: {self.severity}: {self.message} [{self.code}]"


def _last_sentence(stem: str) -> str:
    text = plain_text(stem)
    parts = [p for p in re.split(r"(?<=[.!?])\s+", text) if p.strip()]
    return parts[-1] if parts else ""


def lint_item(item: ItemSpec) -> list[Finding]:
    """Check one item on its own: key, options, negative stems, rationales, exhibit, references."""
    found: list[Finding] = []

    def add(code: str, message: str, severity: str = ERROR) -> None:
        found.append(Finding(item.external_id, code, message, severity))

    keys = sum(1 for option in item.options if option.is_key)
    if keys != 1:
        add("one_key", f"an item needs exactly one key; this one has {keys}")
    if len(item.options) != 4:
        add("four_options", f"an item needs four options; this one has {len(item.options)}")
    normalised = [re.sub(r"[\W_]+", " ", plain_text(o.text)).strip().casefold() for o in item.options]
    if any(not text for text in normalised):
        add("empty_option", "an option is empty")
    elif len(set(normalised)) != len(normalised):
        add("distinct_options", "two options say the same thing")
    for option in item.options:
        if _ABOVE.search(plain_text(option.text)):
            add("all_none_above", f'"{option.text}": no all/none of the above options')
        if not option.rationale:
            add("rationale_missing", f'option "{plain_text(option.text)[:40]}" has no rationale')

    unlocked = [o for o in item.options if not o.locked]
    key = next((o for o in unlocked if o.is_key), None)
    distractors = [len(plain_text(o.text)) for o in unlocked if not o.is_key]
    if key is not None and distractors:
        key_length, longest = len(plain_text(key.text)), max(distractors)
        if key_length >= 1.5 * longest and key_length - longest >= 15:
            add("key_longest", "the key is conspicuously longer than every distractor", WARNING)

    question = _last_sentence(item.stem)
    for word in _NEGATIVE.findall(question):
        if word != word.upper():
            add("negative_caps", f'write the negative word "{word}" in capitals ({word.upper()})')
    mark = _STYLE_MARK.get(item.style)
    if mark and mark not in plain_text(item.stem):
        add("style_stem", f"a {item.style} stem says {mark} in capitals")
    if item.style == "tech_ab":
        text = plain_text(item.stem)
        if "Technician A" not in text or "Technician B" not in text:
            add("style_stem", "a tech_ab stem gives what Technician A says and what Technician B says")
    elif item.style in ("direct", "most_likely") and _NEGATIVE.search(question) and "NOT" in question:
        add("style_negative", "a negative question is an except or least_likely item", WARNING)

    if item.exhibit is not None:
        if not item.exhibit.alt:
            add("exhibit_alt", "the exhibit has no alt text")
        elif len(item.exhibit.alt) < 40:
            add("exhibit_alt_short", "the exhibit's alt text is too short to answer the item from", WARNING)
        if not _EXHIBIT_WORDS.search(plain_text(item.stem)):
            add("exhibit_unreferenced", "the stem does not refer to its exhibit", WARNING)
    if not item.references:
        add("references", "give at least one service-information reference topic", WARNING)
    for translation in item.translations:
        if len(translation.options) != len(item.options):
            add(
                "translation_options",
                f"the {translation.language} translation has a different number of options",
            )
        elif [o.is_key for o in translation.options] != [o.is_key for o in item.options]:
            add("translation_key", f"the {translation.language} translation's key is not the English key")
        if any(not o.rationale for o in translation.options):
            add("translation_rationale", f"the {translation.language} translation misses a rationale")
    return found


def _shingles(item: ItemSpec) -> frozenset[str]:
    words = re.findall(
        r"[a-z0-9]+", " ".join([plain_text(item.stem), *(plain_text(o.text) for o in item.options)]).lower()
    )
    return frozenset(" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2)))


def near_duplicates(items: Sequence[ItemSpec]) -> list[tuple[ItemSpec, ItemSpec, float]]:
    """Pairs of items whose wording overlaps at least ``DUPLICATE_WARNING`` (Jaccard of word trigrams)."""
    shingles = [_shingles(item) for item in items]
    index: dict[str, list[int]] = defaultdict(list)
    for position, grams in enumerate(shingles):
        for gram in grams:
            index[gram].append(position)
    shared: Counter[tuple[int, int]] = Counter()
    for positions in index.values():
        if len(positions) > 200:  # a phrase every item uses says nothing about duplication
            continue
        for i, first in enumerate(positions):
            for second in positions[i + 1 :]:
                shared[(first, second)] += 1
    pairs = []
    for (first, second), common in shared.items():
        union = len(shingles[first]) + len(shingles[second]) - common
        similarity = common / union if union else 0.0
        if similarity >= DUPLICATE_WARNING:
            pairs.append((items[first], items[second], similarity))
    return pairs


def key_balance(items: Iterable[ItemSpec]) -> dict[str, dict[str, float]]:
    """Share of keys in each position A-D, per test."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        counts[item.test][item.key_letter] += 1
    return {
        test: {letter: counter[letter] / sum(counter.values()) for letter in "ABCD"}
        for test, counter in counts.items()
    }


def lint_bank(items: Sequence[ItemSpec]) -> list[Finding]:
    """Lint every item, then the bank as a whole: near-duplicates and the key balance of each test."""
    found = [finding for item in items for finding in lint_item(item)]
    for first, second, similarity in near_duplicates(items):
        severity = ERROR if similarity >= DUPLICATE_ERROR else WARNING
        found.append(
            Finding(
                second.external_id, "near_duplicate", f"{similarity:.0%} like {first.external_id}", severity
            )
        )
    counts = Counter(item.test for item in items)
    low, high = KEY_SHARE_RANGE
    for test, shares in key_balance(items).items():
        if counts[test] < KEY_BALANCE_MIN_ITEMS:
            continue
        for letter, share in shares.items():
            if not low <= share <= high:
                found.append(
                    Finding(
                        test,
                        "key_balance",
                        f"{share:.0%} of keys are {letter}; keep each position at 20-30 %",
                        WARNING,
                    )
                )
    return found
