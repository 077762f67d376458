"""Prospect profiles as flat CSV rows: the file format of ``sohosolo batch`` and ``evaluate``.

One row per prospect, one column per profile field, so that staff can fill it in a
spreadsheet. Empty cells take the profile's defaults; lists (children's ages, ``must``) hold
their items separated by spaces. Files may use ``,`` or ``;`` as delimiter (French
spreadsheets export ``;``) and may start with a byte-order mark.

A row that cannot be read is reported with its line number and left out; a header that cannot
be read stops the whole file, since no row could then be read correctly.
"""

import codecs
import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from features import criteria
from features.exceptions import FeaturesError
from features.i18n import LANGS, text
from features.profile import Profile
from features.vocab import CONNECTIVITY, PROFESSIONS, SETTLEMENTS, Profession

#: Columns of a prospect file, in the order ``profile_row`` writes them.
PROSPECT_COLUMNS: tuple[str, ...] = (
    "prospect_id",
    "profession",
    "remote_days_per_week",
    "connectivity",
    "adults",
    "children_ages",
    "tenure",
    "budget_eur",
    "min_bedrooms",
    "max_minutes_to_auch",
    "needs_train_station",
    "settlement",
    "must",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("prospect_id", "profession", "connectivity")
#: Columns holding one code, which may also be given by name.
CODE_COLUMNS = ("profession", "connectivity", "tenure", "settlement")
NUMBER_COLUMNS = (
    "remote_days_per_week",
    "adults",
    "budget_eur",
    "min_bedrooms",
    "max_minutes_to_auch",
)
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_HOUSEHOLD = ("adults", "children_ages")
_HOUSING = ("tenure", "budget_eur", "min_bedrooms")
_PREFERENCES = ("max_minutes_to_auch", "needs_train_station", "settlement")
_TRUE = {"true", "yes", "oui", "1", "vrai"}
_FALSE = {"false", "no", "non", "0", "faux"}
_LIST_SEPARATOR = re.compile(r"[\s,;|]+")
#: Longest cell read: profile cells are short, so a longer one is a broken file.
MAX_CELL = 1000


@dataclass(frozen=True)
class RowError:
    """A row left out, with its line in the file (the header is line 1)."""

    line: int
    message: str
    #: The message's sentence in the ``cli`` section of the catalogue, and its values.
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"

    @classmethod
    def of(cls, line: int, error: FeaturesError) -> "RowError":
        return cls(line, str(error), error.key, error.params)


@dataclass
class ProspectRows:
    """The readable rows of a prospect file, and the errors of the others."""

    ids: list[str] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    extra: list[dict[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: How the file was written, so that an output can be written the same way.
    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","

    def __len__(self) -> int:
        return len(self.profiles)


def profile_from_row(row: Mapping[str, str], decimal_comma: bool = False) -> Profile:
    """The profile of one CSV row (cells as text); raises ``FeaturesError`` naming the column.

    Codes are read whatever their case; numbers may hold spaces as thousands separators and a
    euro sign, and a decimal comma when ``decimal_comma`` (files delimited by ``;``).
    """
    cells = _cells(row, decimal_comma)
    data: dict[str, Any] = _group(cells, ("profession", "remote_days_per_week", "connectivity"))
    groups = {
        "household": _group(cells, _HOUSEHOLD),
        "housing": _housing(cells),
        "preferences": _preferences(cells),
    }
    data |= {name: group for name, group in groups.items() if group}
    if cells["must"]:
        data["must"] = _criteria_in(cells["must"])
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise _described(exc, cells) from None


def _cells(row: Mapping[str, str], decimal_comma: bool) -> dict[str, str]:
    """Every column's cell, trimmed; codes given by name as codes, numbers in plain digits."""
    cells = {name: (row.get(name) or "").strip() for name in PROSPECT_COLUMNS}
    for name in CODE_COLUMNS:
        # An unknown name stays as written, for the profile's error to quote.
        cells[name] = names_of(name).get(_normal(cells[name]), cells[name])
    for name in NUMBER_COLUMNS:
        if cells[name]:
            cells[name] = _plain_number(name, cells[name], decimal_comma)
    return cells


def _housing(cells: Mapping[str, str]) -> dict[str, Any]:
    housing = _group(cells, _HOUSING)
    missing = [name for name in ("tenure", "budget_eur") if name not in housing]
    if housing and missing:
        raise FeaturesError(
            f"{missing[0]}: expected a value beside {', '.join(sorted(housing))} (tenure "
            "and budget_eur go together), found an empty cell"
        )
    return housing


def _preferences(cells: Mapping[str, str]) -> dict[str, Any]:
    preferences = _group(cells, _PREFERENCES)
    if "needs_train_station" in preferences:
        preferences["needs_train_station"] = _boolean(preferences["needs_train_station"])
    return preferences


def profile_row(prospect_id: str, profile: Profile) -> dict[str, str]:
    """The CSV row of a profile: ``profile_from_row`` reads it back equal."""
    housing, preferences = profile.housing, profile.preferences
    return {
        "prospect_id": prospect_id,
        "profession": profile.profession.value,
        "remote_days_per_week": str(profile.remote_days_per_week),
        "connectivity": profile.connectivity.value,
        "adults": str(profile.household.adults),
        "children_ages": " ".join(str(age) for age in profile.household.children_ages),
        "tenure": housing.tenure if housing else "",
        "budget_eur": _number(housing.budget_eur) if housing else "",
        "min_bedrooms": str(housing.min_bedrooms) if housing else "",
        "max_minutes_to_auch": (
            _number(preferences.max_minutes_to_auch)
            if preferences.max_minutes_to_auch is not None
            else ""
        ),
        "needs_train_station": "true" if preferences.needs_train_station else "false",
        "settlement": preferences.settlement,
        "must": " ".join(profile.must),
    }


def read_prospect_rows(
    source: str | os.PathLike[str],
    extra_columns: Sequence[str] = (),
    unique_ids: bool = True,
) -> ProspectRows:
    """The prospects of a CSV file; rows that cannot be read are listed in ``errors``.

    ``extra_columns`` are further required columns, returned as text in ``extra`` (the
    outcome file's ``insee`` and ``event``). With ``unique_ids``, a repeated ``prospect_id``
    is an error of the later row.
    """
    path = Path(source)
    text, encoding, bom = _decoded(path)
    rows = ProspectRows(bom=bom, encoding=encoding)
    seen: dict[str, int] = {}
    rows.delimiter = _delimiter(text)
    for record in _records(text, path, tuple(extra_columns), rows.delimiter):
        if isinstance(record, RowError):
            rows.errors.append(record)
            continue
        line, row = record
        prospect_id = (row.get("prospect_id") or "").strip()
        try:
            _check_id(prospect_id)
            if unique_ids and prospect_id in seen:
                raise FeaturesError(
                    f"prospect_id: {prospect_id!r} is already on line {seen[prospect_id]}",
                    "row_repeated_id",
                    found=prospect_id,
                    first=seen[prospect_id],
                )
            profile = profile_from_row(row, decimal_comma=rows.delimiter == ";")
            missing = [name for name in extra_columns if not (row.get(name) or "").strip()]
            if missing:
                raise FeaturesError(
                    f"{missing[0]}: expected a value, found an empty cell",
                    "row_empty",
                    column=missing[0],
                )
        except FeaturesError as exc:
            rows.errors.append(RowError.of(line, exc))
            continue
        seen.setdefault(prospect_id, line)
        rows.ids.append(prospect_id)
        rows.profiles.append(profile)
        rows.lines.append(line)
        rows.extra.append({name: (row.get(name) or "").strip() for name in extra_columns})
    return rows


def _decoded(path: Path) -> tuple[str, str, bool]:
    """A CSV file's text, its encoding and whether it starts with a byte-order mark."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8", data.startswith(codecs.BOM_UTF8)
    except UnicodeDecodeError:
        pass
    # Excel's "CSV (séparateur : point-virgule)" on Windows writes Windows-1252, the usual
    # encoding of French staff's exports; UTF-8 almost never decodes by accident as it.
    try:
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FeaturesError(
            f"{path}: line {line}: expected UTF-8 (or Windows-1252) text, found byte "
            f"{data[exc.start]:#x}; save the file as 'CSV UTF-8'"
        ) from None


def read_capacity_rows(source: str | os.PathLike[str], villages: Sequence[str]) -> dict[str, int]:
    """Committees' capacities from a CSV file of two columns, ``insee`` and ``capacity`` (the
    prospects a village can still take), delimited by ``,`` or ``;``; every row must be
    readable (a capacity file is short, and a wrong one would misplace families).

    ``villages`` are the INSEE codes a row may name (the partner villages)."""
    path = Path(source)
    text, _, _ = _decoded(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    capacities: dict[str, int] = {}
    known = set(villages)
    header: list[str] | None = None
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in cells]
            missing = [name for name in ("insee", "capacity") if name not in header]
            if missing:
                raise FeaturesError(
                    f"{path}: expected the columns insee and capacity in the header, found "
                    f"{', '.join(name for name in header if name) or 'none'}"
                )
            continue
        where = f"{path}: line {reader.line_num}"
        row = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        insee, capacity = row.get("insee", ""), row.get("capacity", "").replace(" ", "")
        if insee not in known:
            raise FeaturesError(f"{where}: insee: expected a partner village, found {insee!r}")
        if insee in capacities:
            raise FeaturesError(f"{where}: insee: {insee} is already on an earlier line")
        if not capacity.isdigit():
            raise FeaturesError(
                f"{where}: capacity: expected a whole number from 0, found {capacity!r}"
            )
        capacities[insee] = int(capacity)
    if header is None:
        raise FeaturesError(f"{path}: expected a header line, found an empty file")
    return capacities


def write_prospect_rows(
    ids: Sequence[str],
    profiles: Sequence[Profile],
    extra: Sequence[Mapping[str, str]] = (),
    extra_columns: Sequence[str] = (),
) -> str:
    """CSV text of profiles, with ``extra_columns`` filled from ``extra`` (one mapping per
    row), in the format ``read_prospect_rows`` takes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, [*PROSPECT_COLUMNS, *extra_columns], lineterminator="\n")
    writer.writeheader()
    for i, (prospect_id, profile) in enumerate(zip(ids, profiles, strict=True)):
        writer.writerow(
            profile_row(prospect_id, profile) | (dict(extra[i]) if extra_columns else {})
        )
    return out.getvalue()


def spreadsheet_row(row: Mapping[str, Any], delimiter: str) -> dict[str, Any]:
    """A row to write to a file delimited by ``delimiter``: in a ``;`` file, as French
    spreadsheets write them, numbers with a decimal comma (they read ``0.8404`` as text), as
    ``read_prospect_rows`` reads them back."""
    if delimiter != ";":
        return dict(row)
    return {
        name: str(value).replace(".", ",") if isinstance(value, float) else value
        for name, value in row.items()
    }


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _records(
    text: str, path: Path, extra_columns: tuple[str, ...], delimiter: str
) -> Iterator[tuple[int, dict[str, str]] | RowError]:
    """``(line, row)`` for each row of cells, or the ``RowError`` of a row that is none."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = _header(reader, path, extra_columns)
    # A spreadsheet often adds a delimiter at the end of each line: an unnamed column.
    used = [i for i, name in enumerate(header) if name]
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                # An unclosed quote swallows the rest of the file: nothing after it is a row.
                raise FeaturesError(
                    f"{path}: line {start}: a quote opened on this line is never closed"
                ) from None
            # The reader starts afresh on the next line: only this row is lost.
            line = reader.line_num
            yield RowError(start, f"not a valid CSV row ({exc})")
            continue
        line = reader.line_num
        if any(cell.strip() for cell in cells):
            row = {header[i]: cells[i] for i in used} if len(cells) >= len(header) else {}
            problem = _row_problem(cells, header, row)
            yield RowError(start, problem) if problem else (start, row)


def _header(reader: Iterator[list[str]], path: Path, extra_columns: tuple[str, ...]) -> list[str]:
    """The header's column names, in lower case, checked: known, each once, the required
    ones present."""
    try:
        header = next(reader)
        while not any(name.strip() for name in header):  # blank lines above the header
            header = next(reader)
    except StopIteration:
        raise FeaturesError(f"{path}: expected a header line, found an empty file") from None
    except csv.Error as exc:
        raise FeaturesError(f"{path}: line {getattr(reader, 'line_num', 1)}: {exc}") from None
    header = [name.strip().lower() for name in header]
    names = [name for name in header if name]
    known = (*PROSPECT_COLUMNS, *extra_columns)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise FeaturesError(
            f"{path}: unknown column {unknown[0]!r} in the header; expected columns among "
            f"{', '.join(known)}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FeaturesError(f"{path}: column {repeated[0]!r} appears twice in the header")
    missing = [name for name in (*REQUIRED_COLUMNS, *extra_columns) if name not in names]
    if missing:
        raise FeaturesError(f"{path}: expected a column {missing[0]!r} in the header, found none")
    return header


def _row_problem(cells: list[str], header: list[str], row: Mapping[str, str]) -> str | None:
    """What makes a row of cells no row of the file, if anything."""
    extra_empty = len(cells) > len(header) and not any(c.strip() for c in cells[len(header) :])
    if len(cells) != len(header) and not extra_empty:
        return f"expected {len(header)} cells as in the header, found {len(cells)}"
    too_long = next((name for name, cell in row.items() if len(cell) > MAX_CELL), None)
    if too_long:
        return f"{too_long}: expected at most {MAX_CELL} characters, found a longer cell"
    return None


def _check_id(prospect_id: str) -> None:
    if not prospect_id:
        raise FeaturesError(
            "prospect_id: expected a value, found an empty cell", "row_empty", column="prospect_id"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in prospect_id):
        raise FeaturesError(f"prospect_id: expected printable text, found {prospect_id!r}")
    if prospect_id[0] in "=+-@":
        # A spreadsheet would run it as a formula when the output is opened.
        raise FeaturesError(
            f"prospect_id: expected text not starting with =, +, - or @, found {prospect_id!r}"
        )


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (whole numbers without ``.0``)."""
    return str(int(value)) if value.is_integer() else repr(value)


def _group(cells: Mapping[str, str], names: Sequence[str]) -> dict[str, Any]:
    group: dict[str, Any] = {}
    for name in names:
        if cells[name]:
            group[name] = _value(name, cells[name])
    return group


def _value(name: str, cell: str) -> Any:
    """A cell as the JSON value the profile expects: the profile takes JSON's types only, so
    the file's text is read here (a fraction stays a float, for the profile to refuse)."""
    if name in NUMBER_COLUMNS:
        return _json_number(cell)
    if name == "children_ages":
        return [_json_number(item) if _NUMBER.fullmatch(item) else item for item in _items(cell)]
    return cell


def _json_number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _items(cell: str) -> list[str]:
    return [item for item in _LIST_SEPARATOR.split(cell) if item]


def _boolean(cell: str) -> bool:
    lowered = cell.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FeaturesError(
        f"needs_train_station: expected one of {', '.join(sorted(_TRUE | _FALSE))}, found {cell!r}"
    )


# -- codes given by name ----------------------------------------------------------------------


def _normal(words: str) -> str:
    """Words compared case and accents aside: "Développeur·se" and "developpeur·SE" are one."""
    decomposed = unicodedata.normalize("NFKD", words.replace("\u2019", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _profession_names(profession: Profession) -> list[str]:
    """A profession's labels, each of the names a label lists ("Graphiste" of "Graphiste,
    webdesigner", "writer" of "Journalist or writer"), and each without its inclusive ending
    ("Développeur logiciel")."""
    labels = [profession.label_fr, profession.label_en]
    names = labels + [name for label in labels for name in re.split(r", | or ", label)]
    return names + [re.sub(r"·\w+", "", name) for name in names]


def _tenure_names(tenure: str) -> list[str]:
    return [text(lang, f"page.{key}") for lang in LANGS for key in (tenure, f"tenure_{tenure}")]


#: Each code column's codes and the names they may be given by, in French and English.
_NAMED: dict[str, Callable[[], Iterable[tuple[str, Iterable[str]]]]] = {
    "profession": lambda: ((p.code, _profession_names(p)) for p in PROFESSIONS),
    "connectivity": lambda: CONNECTIVITY.items(),
    "settlement": lambda: SETTLEMENTS.items(),
    "tenure": lambda: ((tenure, _tenure_names(tenure)) for tenure in ("buy", "rent")),
    "must": lambda: ((c.code, [c.label(lang) for lang in LANGS]) for c in criteria.all_criteria()),
}


def names_of(column: str) -> dict[str, str]:
    """Every name a code of ``column`` may be given by, compared as ``_normal`` writes it, and
    the code it names; a name two codes share names neither."""
    return _names(column, criteria.codes())  # the criteria may change (tests register more)


@cache
def _names(column: str, codes: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    shared: set[str] = set()
    for code, names in _NAMED[column]():
        for name in {_normal(code), *(_normal(name) for name in names)}:
            if found.setdefault(name, code) != code:
                shared.add(name)
    return {name: code for name, code in found.items() if name not in shared}


def _criteria_in(cell: str) -> list[str]:
    """The criteria a ``must`` cell names, by code or by name, separated by spaces, commas,
    semicolons or bars; a name may hold spaces and commas itself ("Accès à Toulouse, train,
    avion"), so the longest name that fits is read first."""
    names = names_of("must")
    longest_first = sorted(names, key=len, reverse=True)
    words, found, at = _normal(cell), [], 0
    while at < len(words):
        if words[at] in " ,;|":
            at += 1
            continue
        name = next((n for n in longest_first if _names_at(words, at, n)), None)
        if name is None:
            raise FeaturesError(_unknown_criterion(cell, words[at:]))
        found.append(names[name])
        at += len(name)
    return found


def _names_at(words: str, at: int, name: str) -> bool:
    end = at + len(name)
    return words.startswith(name, at) and (end == len(words) or words[end] in " ,;|")


def _unknown_criterion(cell: str, rest: str) -> str:
    unknown = re.split(r"[ ,;|]", rest)[0]
    written = next((w for w in re.split(r"[ ,;|]+", cell) if _normal(w) == unknown), unknown)
    codes = ", ".join(criteria.codes()[:2])
    labels = ", ".join(c.label("fr") for c in criteria.all_criteria()[:2])
    return (
        f"must: expected criterion codes or names ({codes}, ...; {labels}, ...) separated by "
        f"spaces or commas, found {written!r}"
    )


def _plain_number(name: str, cell: str, decimal_comma: bool) -> str:
    text = _SPACES.sub("", cell).removesuffix("€")
    if decimal_comma:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        raise FeaturesError(
            f"{name}: expected a number such as 220000 or 650.5, found {cell!r}",
            "row_number",
            column=name,
            found=cell,
        )
    return text


def _described(exc: ValidationError, cells: Mapping[str, str]) -> FeaturesError:
    """pydantic's first error, named by CSV column rather than by the profile's nesting (its
    type and context kept, for the command line to say it in the staff's language)."""
    error = exc.errors(include_url=False)[0]
    names = [part for part in error["loc"] if isinstance(part, str) and part in cells]
    column = names[-1] if names else ".".join(str(part) for part in error["loc"]) or "row"
    found = cells.get(column, "")
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return FeaturesError(
        f"{column}: {error['msg']}, found {found!r}{suffix}",
        "row_invalid",
        column=column,
        found=found,
        more=more,
        error={"type": error["type"], "msg": error["msg"], "ctx": error.get("ctx") or {}},
    )
