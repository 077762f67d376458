"""The text catalogue and the way numbers are written, in French and English.

Every sentence shown to prospects, staff and committees is looked up here by key: the shared
ones come from ``features.catalogue``, and each criterion adds its own under
``criterion.<code>`` when it is registered (``features.criteria``). Keys are dotted:
``"page.title"`` is the entry ``title`` of the section ``page``.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from features.catalogue import NBSP, NNBSP, SECTIONS

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
__all__ = ["CATALOGUE", "LANGS", "NBSP", "NNBSP", "Catalogue", "Lang", "counted", "text"]


class Catalogue:
    """Sections of entries per language; an entry is a text with ``{fields}``, a list of
    plural forms (singular, plural) or a mapping of texts."""

    def __init__(self) -> None:
        self._sections: dict[Lang, dict[str, dict[str, Any]]] = {lang: {} for lang in LANGS}

    def add(self, section: str, entries: Mapping[Lang, Mapping[str, Any]]) -> None:
        """Add a section in every language; a section is added once, with the same keys in
        each language (a missing translation is an error here, not a blank on a page)."""
        if set(entries) != set(LANGS):
            raise ValueError(
                f"catalogue {section!r}: expected {list(LANGS)}, found {list(entries)}"
            )
        keys = {lang: set(entries[lang]) for lang in LANGS}
        if keys["fr"] != keys["en"]:
            raise ValueError(
                f"catalogue {section!r}: keys differ between languages: "
                f"{sorted(keys['fr'] ^ keys['en'])}"
            )
        for lang in LANGS:
            if section in self._sections[lang]:
                raise ValueError(f"catalogue {section!r}: already added")
            self._sections[lang][section] = dict(entries[lang])

    def remove(self, section: str) -> None:
        for lang in LANGS:
            self._sections[lang].pop(section, None)

    def section(self, lang: Lang, section: str) -> dict[str, Any]:
        return self._sections[lang][section]

    def entry(self, lang: Lang, key: str) -> Any:
        section, _, name = key.rpartition(".")
        try:
            return self._sections[lang][section][name]
        except KeyError:
            raise KeyError(f"catalogue: no entry {key!r} in {lang!r}") from None


CATALOGUE = Catalogue()
for _name, _entries in SECTIONS.items():
    CATALOGUE.add(_name, _entries)  # type: ignore[arg-type]


def text(lang: Lang, key: str, **fields: Any) -> str:
    """The entry ``key`` with its fields filled in."""
    entry: str = CATALOGUE.entry(lang, key)
    return entry.format(**fields) if fields else entry


def counted(lang: Lang, key: str, n: float, **fields: Any) -> str:
    """The singular or plural form of the entry ``key`` for ``n``, with ``n`` and the fields
    filled in."""
    forms: Sequence[str] = CATALOGUE.entry(lang, key)
    return forms[1 if plural_s(n, lang) else 0].format(n=n, **fields)


# -- numbers ---------------------------------------------------------------------------------


def number(value: float, lang: Lang) -> str:
    """A whole number with thousands separated: 12 000 in French, 12,000 in English."""
    written = f"{value:,.0f}"
    return written.replace(",", NNBSP) if lang == "fr" else written


def decimal(value: float, lang: Lang) -> str:
    """A number with its decimals as needed: 0,5 in French, 0.5 in English."""
    whole, _, decimals = f"{value:,.10g}".partition(".")
    if lang == "fr":
        whole = whole.replace(",", NNBSP)
        return f"{whole},{decimals}" if decimals else whole
    return f"{whole}.{decimals}" if decimals else whole


def euros(value: float, lang: Lang) -> str:
    return f"{number(value, lang)}{NNBSP}€" if lang == "fr" else f"€{number(value, lang)}"


def euros_and_cents(value: float, lang: Lang) -> str:
    """An amount with its cents: 6,79 € in French, €6.79 in English."""
    amount = f"{value:.2f}"
    return f"{amount.replace('.', ',')}{NNBSP}€" if lang == "fr" else f"€{amount}"


def per_m2(value: float, lang: Lang) -> str:
    return f"{euros(value, lang)}/m²"


def percent(share: float, lang: Lang) -> str:
    return f"{number(100 * share, lang)}{NNBSP if lang == 'fr' else ''}%"


def minutes(value: float, lang: Lang = "fr") -> str:
    """Minutes as a person says them: rounded, and "under a minute" rather than "0 min"."""
    if 0 < value < 0.5:
        return text(lang, "reason.under_a_minute")
    return f"{round(value)} min"


def plural_s(n: float, lang: Lang) -> str:
    """The plural ending for ``n`` things: French puts 0 and 1 in the singular, English 1."""
    return "s" if (n >= 2 if lang == "fr" else n != 1) else ""


# -- words -----------------------------------------------------------------------------------


def of_place(name: str, lang: Lang) -> str:
    """ "de Mauvezin", "d'Auch" in French; the bare name in English."""
    if lang != "fr":
        return name
    return f"d'{name}" if name[:1].lower() in "aeiouyhéèêâîôû" else f"de {name}"


def joined(items: Sequence[str], lang: Lang) -> str:
    """ "4, 8 et 12": items joined the way a sentence lists them."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {text(lang, 'page.and')} {items[-1]}"


def lowercase_first(words: str) -> str:
    """The text with its first letter in lower case, to continue a sentence."""
    return words[:1].lower() + words[1:]


def uppercase_first(words: str) -> str:
    """The text with its first letter in upper case, to start a sentence."""
    return words[:1].upper() + words[1:]


def year_of(vintage: str) -> str:
    """The year of a vintage label such as "DVF 2024" or "ARCEP T1 2018"."""
    return vintage.split()[-1]
