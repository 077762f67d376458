"""The ``sohosolo`` command line.

Each command imports what it needs when it runs, so that ``sohosolo data check`` does not
load the web stack and ``--help`` answers at once.
"""

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from service.cli_accounts import add_account_arguments

if TYPE_CHECKING:
    import pandas as pd

    from features.i18n import Lang
    from features.profile import Profile
    from features.table import RowError
    from matcher import Ranking, Recommender
    from service.config import Settings
    from service.store import Store

#: The language of the messages when a command is given no ``--lang``: the staff's.
DEFAULT_LANG: "Lang" = "fr"


def _said(lang: "Lang", key: str, **fields: object) -> str:
    """A sentence of the catalogue's ``cli`` section in ``lang``."""
    from features.i18n import text

    return text(lang, f"cli.{key}", **fields)


def lang_of(argv: Sequence[str]) -> "Lang":
    """The ``--lang`` of a command line, read before parsing so that ``--help`` and the
    parser's own errors speak it too; French when none (or an unknown one) is given."""
    for i, word in enumerate(argv):
        value = argv[i + 1] if word == "--lang" and i + 1 < len(argv) else None
        if word.startswith("--lang="):
            value = word.partition("=")[2]
        if value == "en":
            return "en"
    return DEFAULT_LANG


def _data_build(args: argparse.Namespace) -> int:
    from geodata.build import build

    path = build(args.raw, args.out, ftth=args.ftth, ftth_vintage=args.ftth_vintage)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


def _data_check(args: argparse.Namespace) -> int:
    import geodata

    partners = geodata.read_partners(args.partners)
    villages = geodata.read_villages(args.villages, partners=partners)
    geodata.validate(villages, partners=partners)
    print(
        f"ok: {len(villages)} communes ({geodata.GEOGRAPHY}), {int(villages['partner'].sum())} "
        f"partner villages, {len(geodata.COLUMNS)} columns valid"
    )
    return 0


def _data_partners(args: argparse.Namespace) -> int:
    from geodata.io import read_villages, write_partners
    from geodata.partners import default_partners

    villages = read_villages(args.villages, partners=_no_partners())
    path = write_partners(default_partners(villages), args.out)
    print(f"wrote {path}")
    return 0


def _data_dictionary(args: argparse.Namespace) -> int:
    from geodata.io import write_text
    from geodata.schema import render_data_dictionary

    text = render_data_dictionary()
    if args.out is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {write_text(text, args.out)}")
    return 0


def _map(args: argparse.Namespace) -> int:
    import geodata
    from geodata.io import write_figure
    from geodata.plot import plot_villages

    villages = geodata.read_villages(args.villages, partners=args.partners)
    figure = plot_villages(villages, args.attribute, title=args.title, lang=args.lang)
    print(f"wrote {write_figure(figure, args.out)}")
    return 0


def _partners(args: argparse.Namespace) -> "pd.DataFrame":
    import geodata

    villages = geodata.read_villages(args.villages, partners=args.partners)
    partners: pd.DataFrame = villages[villages["partner"]]
    return partners


def _rank(args: argparse.Namespace) -> int:
    import json

    from features.profile import Profile
    from matcher import Recommender

    try:
        text = args.profile.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{args.profile}: not UTF-8 text ({exc.reason})") from exc
    try:
        profile = Profile.model_validate_json(text)
    except ValueError as exc:
        raise UsageError(f"{args.profile}: not a valid profile:\n{exc}") from exc
    partners = _partners(args)
    recommender = Recommender(partners, args.weights)
    (ranking,) = recommender.recommend(profile, args.k, lang=args.lang)
    if args.format == "json":
        print(json.dumps(ranking.to_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(_ranking_table(ranking, profile, partners, args.lang))
    return 0


def _ranking_table(
    ranking: "Ranking", profile: "Profile", partners: "pd.DataFrame", lang: "Lang"
) -> str:
    """A ranking as the terminal shows it: the project, the villages with their reasons, how
    many a ``must`` excludes and what would open more, in the language of the reasons."""
    from features.i18n import CATALOGUE
    from service.pages import project_summary, suggestion_text

    t = CATALOGUE.section(lang, "page")
    lines = [f"{label}{t['colon']} {text}" for label, text in project_summary(profile, lang)]
    model = f"{ranking.model['name']} {ranking.model['version']}"
    lines += ["", f"{t['results']} ({t['score_scale'].format(model=model)})"]
    for result in ranking.results:
        score = f"{result.score:.3f}".replace(".", "," if lang == "fr" else ".")
        lines.append(
            f"{result.rank:>3}. {result.name} ({result.insee}){score:>{60 - len(result.name)}}"
        )
        lines += [f"     - {reason}" for reason in result.reasons]
    if not ranking.results:
        lines.append(f"     {t['none_found']}")
    if ranking.excluded:
        lines += ["", t["excluded_title"].format(n=len(ranking.excluded))]
        lines += [
            f"     - {e.name} ({e.insee}){t['colon']} {e.reasons[0]}" for e in ranking.excluded
        ]
    if ranking.suggestions:
        names = dict(zip(partners.index, partners["name"], strict=True))
        lines += ["", t["suggestions_title"]]
        lines += [f"     - {suggestion_text(s, profile, names, lang)}" for s in ranking.suggestions]
    return "\n".join(lines) + "\n"


def _batch(args: argparse.Namespace) -> int:
    import csv

    import numpy as np
    from tqdm import tqdm

    from features.table import read_prospect_rows, spreadsheet_row
    from geodata.io import atomic_target
    from matcher import Recommender
    from matcher.evaluate import exposure_gini
    from matcher.ranking import RANKING_COLUMNS

    _check_out(args)
    rows = read_prospect_rows(args.prospects)
    recommender = Recommender(_partners(args), args.weights)  # a bad --weights stops us here
    rankings = recommender.rankings(
        rows.profiles,
        args.k,
        lang=args.lang,
        exposure_aware=args.exposure_aware,
    )
    _report(args.prospects, rows.errors, rows.encoding, args.lang)
    if not rows.profiles:
        raise UsageError(_said(args.lang, "no_prospect", path=args.prospects))
    shown = dict.fromkeys(recommender.codes.tolist(), 0)
    written = 0
    # Written as the prospects were (delimiter, byte-order mark), so that the spreadsheet that
    # made the one opens the other.
    encoding = "utf-8-sig" if rows.bom or rows.delimiter == ";" else "utf-8"
    with atomic_target(args.out) as tmp, tmp.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, RANKING_COLUMNS, delimiter=rows.delimiter, lineterminator="\n")
        writer.writeheader()
        progress = tqdm(
            zip(rows.ids, rankings, strict=True),
            total=len(rows.ids),
            unit=" prospects",
            desc="ranking",
            disable=None if args.progress == "auto" else args.progress == "never",
        )
        for prospect_id, ranking in progress:
            writer.writerows(spreadsheet_row(r, rows.delimiter) for r in ranking.rows(prospect_id))
            written += len(ranking.results)
            for result in ranking.results:
                shown[result.insee] += 1
    exposed = sum(1 for n in shown.values() if n)
    lang = args.lang
    gini = (
        _decimal(exposure_gini(np.array(list(shown.values()))), lang)
        if exposed
        else _said(lang, "not_available")
    )
    print(
        _said(
            lang,
            "ranked",
            n=len(rows.ids),
            skipped=len(rows.errors),
            written=written,
            out=args.out,
            exposed=exposed,
            villages=len(shown),
            gini=gini,
        )
        + (_said(lang, "exposure_aware") if args.exposure_aware else "")
    )
    return 1 if rows.errors else 0


def _allocate(args: argparse.Namespace) -> int:
    import csv

    from features.table import read_capacity_rows, read_prospect_rows, spreadsheet_row
    from geodata.io import atomic_target
    from service import clock
    from service.allocations import allocate_prospects
    from service.schemas_matching import QUARTER_RE
    from service.store import quarter_of

    lang = args.lang
    _check_out(args)
    quarter = args.quarter or quarter_of(clock.today())
    if not QUARTER_RE.match(quarter):
        raise UsageError(_said(lang, "bad_quarter", found=quarter))
    rows = read_prospect_rows(args.prospects)
    _report(args.prospects, rows.errors, rows.encoding, lang)
    if not rows.profiles:
        raise UsageError(_said(lang, "no_prospect", path=args.prospects))
    if args.capacity == "db":
        recommender, capacity_left = _model_from_database(quarter)
        source = _said(lang, "source_db", quarter=quarter)
    else:
        from matcher import Recommender

        partners = _partners(args)
        recommender = Recommender(partners, args.weights or "default")
        capacity_left = read_capacity_rows(Path(args.capacity), list(partners.index))
        source = str(args.capacity)
    answer = allocate_prospects(
        recommender, rows.ids, rows.profiles, capacity_left, args.k, args.max_loss, args.lang
    )
    yes, no = _said(lang, "yes"), _said(lang, "no")
    encoding = "utf-8-sig" if rows.bom or rows.delimiter == ";" else "utf-8"
    with atomic_target(args.out) as tmp, tmp.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(
            out, ALLOCATION_COLUMNS, delimiter=rows.delimiter, lineterminator="\n"
        )
        writer.writeheader()
        for proposal in answer.proposals:
            flags = {"short": yes if proposal.short else no, "why": proposal.why or ""}
            lines = [
                {
                    "prospect_id": proposal.prospect_id,
                    **village,
                    "score": round(village["score"], 4),
                }
                | flags
                for village in proposal.villages
            ] or [
                dict.fromkeys(ALLOCATION_COLUMNS, "")
                | {"prospect_id": proposal.prospect_id}
                | flags
            ]
            writer.writerows(spreadsheet_row(line, rows.delimiter) for line in lines)
    used = sum(1 for v in answer.villages if v["load"])
    proposed = sum(len(p.villages) for p in answer.proposals)
    print(
        _said(
            lang,
            "allocated",
            n=len(rows.ids),
            skipped=len(rows.errors),
            source=source,
            proposed=proposed,
            used=used,
            out=args.out,
            total=_decimal(answer.total_score, lang),
            gap=_percent(answer.gap, lang),
            method=answer.method,
            short=len(answer.short),
            k=args.k,
        )
    )
    return 1 if rows.errors else 0


#: Columns of the proposals ``sohosolo allocate`` writes.
ALLOCATION_COLUMNS = ("prospect_id", "rank", "insee", "name", "score", "short", "why")


def _model_from_database(quarter: str) -> "tuple[Recommender, dict[str, int]]":
    """The service's model (its database's weights, homes, needs and corrections, on the
    villages of its settings) and each committee's capacity left in ``quarter``."""
    from matcher import load_weight_profile
    from service import clock
    from service.config import get_settings
    from service.state import ModelInputs, capacity_left, village_table
    from service.store import StoredWeights, utcnow

    settings = get_settings()
    # A database the service never started on holds no weights yet: the ones it would install.
    packaged = StoredWeights(load_weight_profile(settings.weights), utcnow(), "package")
    partners = village_table(settings).sorted_by("insee").where("partner")
    codes = frozenset(str(code) for code in partners["insee"])
    store = _upgraded_store(settings.sqlalchemy_url)
    try:
        inputs = ModelInputs.read(store, codes, default=packaged)
        recommender = inputs.recommender(partners, clock.today())
        left = capacity_left(store.capacities(), store.allocated(quarter), codes)
    finally:
        store.dispose()
    return recommender, left


def _report(path: Path, errors: "Sequence[RowError]", encoding: str, lang: "Lang") -> None:
    """Rows left out, on standard error, one line each; and an encoding that was guessed."""
    if encoding != "utf-8":
        print(_said(lang, "not_utf8", path=path, encoding=encoding), file=sys.stderr)
    for error in errors:
        message = row_text(error, lang)
        print(
            _said(lang, "row_skipped", path=path, line=error.line, message=message), file=sys.stderr
        )


def row_text(error: "RowError", lang: "Lang") -> str:
    """Why a row was left out, in ``lang``: its catalogue sentence when it has one (a profile
    the model refuses said as the intranet's forms say it), else its message as written."""
    from service.intranet.messages import message

    if error.key is None:
        return error.message
    fields = dict(error.params)
    key = error.key
    if key == "row_invalid":
        fields["why"] = message(fields.pop("error"), lang).rstrip(".")  # the sentence goes on
        key = "row_invalid_more" if fields.get("more") else key
    return _said(lang, key, **fields)


def _check_out(args: argparse.Namespace) -> None:
    """The file to write: not a folder, nor the prospects' own file."""
    if args.out.is_dir():
        raise UsageError(_said(args.lang, "out_folder", out=args.out))
    if args.out.exists() and args.out.samefile(args.prospects):
        raise UsageError(_said(args.lang, "out_same", out=args.out))


def _percent(share: float, lang: "Lang") -> str:
    """A share with two decimals: ``0.00%``, in French ``0,00 %`` (a narrow no-break space)."""
    shown = f"{share:.2%}"
    return shown.replace(".", ",").replace("%", "\u202f%") if lang == "fr" else shown


def _decimal(value: float, lang: "Lang") -> str:
    """A score with three decimals, the comma in French."""
    return f"{value:.3f}".replace(".", "," if lang == "fr" else ".")


def _evaluate(args: argparse.Namespace) -> int:
    import json

    from matcher.history import evaluate_weights, read_outcomes

    partners = _partners(args)
    history = read_outcomes(args.outcomes, partners.index.tolist())
    _report(args.outcomes, history.errors, history.encoding, args.lang)
    if not history.profiles:
        raise UsageError(_said(args.lang, "no_event", path=args.outcomes))
    evaluations = [
        evaluate_weights(
            history, partners, weights, args.k, exposure_aware_rerank=args.exposure_aware
        )
        for weights in args.weights or ["default"]
    ]
    if args.format == "json":
        report = [
            {
                "model": e.model,
                "k": e.k,
                "exposure_aware": e.exposure_aware,
                "prospects": e.prospects,
                "events": e.events,
                "skipped_rows": len(history.errors),
                "metrics": e.metrics(),
            }
            for e in evaluations
        ]
        print(json.dumps(report, indent=2))
    else:
        print(
            _said(
                args.lang,
                "evaluated",
                path=args.outcomes,
                events=history.events.shape[0],
                prospects=len(history.profiles),
                skipped=len(history.errors),
                villages=len(partners),
            )
            + (_said(args.lang, "evaluated_exposure") if args.exposure_aware else "")
        )
        labels = [f"{e.model['name']} {e.model['version']}" for e in evaluations]
        width = max(14, *(len(label) for label in labels))
        print(f"{'':<14}" + "".join(f"{label:>{width + 2}}" for label in labels))
        for metric in evaluations[0].metrics():
            values = "".join(f"{e.metrics()[metric]:>{width + 2}.3f}" for e in evaluations)
            print(f"{metric:<14}{values}")
    return 1 if history.errors else 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.auth import Keyring
    from service.config import get_settings

    settings = get_settings()
    keyring = Keyring.from_settings(settings)
    # Migrate once here, so that several workers do not race to create the schema.
    store, new = _opened_store(settings.sqlalchemy_url)
    store.dispose()
    print(f"sohosolo: {_database_text(settings.sqlalchemy_url, new)}", flush=True)
    former = _former_database(settings) if new else None
    if former is not None:
        print(
            f"sohosolo: note: {former} holds the database of an earlier version, which kept it "
            f"under the working folder; to go on with it, set SOHOSOLO_DATA_DIR={former.parent}",
            flush=True,
        )
    print(
        f"sohosolo: serving http://{args.host}:{args.port} (/, /embed, /docs, /v1/health); "
        f"{len(keyring)} API key(s)",
        flush=True,
    )
    uvicorn.run(
        "service.app:app_factory",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        **({"forwarded_allow_ips": args.forwarded_allow_ips} if args.forwarded_allow_ips else {}),
    )
    return 0


def _database_text(url: str, new: bool) -> str:
    """The database as startup names it: the absolute path of a SQLite file (else the URL,
    without its password), and whether it was created now."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        where = f"SQLite {Path(str(parsed.database)).resolve()}"
    else:
        where = parsed.render_as_string(hide_password=True)
    return f"database {where} ({'new: created empty now' if new else 'existing'})"


def _former_database(settings: "Settings") -> Path | None:
    """The database earlier versions opened in ``./var``, if there is one here and the
    settings now name another."""
    from service.config import DATABASE_FILE, FORMER_DATA_DIR

    former = (FORMER_DATA_DIR / DATABASE_FILE).resolve()
    if settings.database_url is not None or not former.is_file():
        return None
    return None if former == (settings.data_dir / DATABASE_FILE).resolve() else former


def _key(args: argparse.Namespace) -> int:
    from geodata import read_partners
    from service.auth import committee_entry, new_key

    villages = sorted(set(args.village or []))
    if (args.role == "committee") != bool(villages):
        raise UsageError("--village: a committee key keeps one village or more; others none")
    unknown = sorted(set(villages) - set(read_partners()["insee"]))
    if unknown:
        raise UsageError(f"--village: expected partner villages, found {unknown}")
    key, hashed = new_key()
    if villages:
        hashed = committee_entry(hashed, villages)
    variable = f"SOHOSOLO_{args.role.upper()}_API_KEYS"
    print(f"key (give it to its holder; it is not stored anywhere): {key}")
    print(f"for the service's configuration: {variable}={hashed}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from service.auth import KEY_ID_DIGITS, Keyring, revocation_digest
    from service.config import get_settings

    settings = get_settings()
    if args.list:
        store = _upgraded_store(settings.sqlalchemy_url)
        for digest, at, by in store.revoked_keys():
            key_id = digest[:KEY_ID_DIGITS]
            print(f"{key_id}  revoked {at:%Y-%m-%d %H:%M:%S} UTC by {by}  sha256:{digest}")
        store.dispose()
        return 0
    if not args.key:
        raise UsageError("expected a key, its sha256: digest or its id, or --list")
    keyring = Keyring.from_settings(settings)
    digest = revocation_digest(args.key, keyring)
    store = _upgraded_store(settings.sqlalchemy_url)
    try:
        revoked = store.revoke_key(digest, by=COMMAND_ACTOR)
    finally:
        store.dispose()
    configured = any(d == digest for d, _ in keyring.digests())
    print(
        f"key {digest[:KEY_ID_DIGITS]} "
        + ("revoked: refused from the next request" if revoked else "was already revoked")
        + ("" if configured else " (it is not in this configuration's keys)")
    )
    return 0


def _purge(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from service.config import get_settings
    from service.store import utcnow

    settings = get_settings()
    months = settings.retention_months if args.months is None else args.months
    if months is None:
        raise UsageError(
            "expected a retention period: set SOHOSOLO_RETENTION_MONTHS or give --months"
        )
    if months < 1:
        raise UsageError(f"--months: expected at least 1, found {months}")
    # A month is counted as 31 days, so that nothing is erased a day early.
    before = utcnow() - timedelta(days=31 * months)
    store = _upgraded_store(settings.sqlalchemy_url)
    try:
        ids = store.purge_prospects(before, by=COMMAND_ACTOR + " purge", dry_run=args.dry_run)
        scrubbed = store.scrubber.close(wait=PURGE_SCRUB_SECONDS)
    finally:
        store.dispose()
    verb = "would erase" if args.dry_run else "erased"
    print(
        f"{verb} {len(ids)} prospect(s) without consent created before "
        f"{before:%Y-%m-%d %H:%M} UTC ({months} month(s) of retention)"
    )
    if not scrubbed:
        print(
            "the database files still hold erased rows: another connection holds an older "
            "snapshot or a lock; run the purge again once it has finished",
            file=sys.stderr,
        )
    return 0


def _upgraded_store(url: str) -> "Store":
    return _opened_store(url)[0]


def _opened_store(url: str) -> "tuple[Store, bool]":
    """The database at ``url``, its schema brought up to date, and whether it was new (no
    schema at all before)."""
    from sqlalchemy import inspect

    from service.store import Store

    store = Store(url)
    new = not inspect(store.engine).has_table("alembic_version")
    store.upgrade()
    return store, new


def _db_upgrade(args: argparse.Namespace) -> int:
    from service.config import get_settings

    url = get_settings().sqlalchemy_url
    store, new = _opened_store(url)
    store.dispose()
    print(f"{_database_text(url, new)}: up to date")
    return 0


#: How long ``sohosolo purge`` lets the erased rows' bytes wait for an older snapshot to end.
PURGE_SCRUB_SECONDS = 30.0
#: Who the audit log names for changes made from the command line.
COMMAND_ACTOR = "sohosolo"


class UsageError(ValueError):
    """A command's input cannot be used; the message says what is wrong."""


def _no_partners() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame({"insee": pd.Series(dtype=str)})


def build_parser(lang: "Lang" = DEFAULT_LANG) -> argparse.ArgumentParser:
    """The command line's parser, its examples (each ``--help``'s epilog) in ``lang``."""
    parser = argparse.ArgumentParser(
        prog="sohosolo",
        description=_said(lang, "description"),
        epilog=examples(lang)["main"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_data_commands(commands)
    _add_ranking_commands(commands)
    _add_allocate_command(commands)
    _add_service_commands(commands)
    _give_examples(parser, examples(lang))
    return parser


def examples(lang: "Lang") -> dict[str, str]:
    """Each command's example for its ``--help``, by command name, in ``lang``."""
    from features.catalogue_cli import CLI

    found: dict[str, str] = CLI[lang]["examples"]
    return found


def _give_examples(parser: argparse.ArgumentParser, said: dict[str, str]) -> None:
    """Set each command's epilog, at every depth, to its example in the parser's language
    (the commands are declared once, in English; only what staff read changes)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                command.epilog = said[name]
                _give_examples(command, said)


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def sub(group: Commands, name: str, text: str) -> argparse.ArgumentParser:
    """A command of ``group``, its help and its example."""
    return group.add_parser(
        name,
        help=text,
        description=text,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_data_commands(commands: Commands) -> None:
    data = sub(commands, "data", "build and check the packaged village data")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    build = sub(data_commands, "build", "build the village table from the raw open data")
    build.add_argument("--raw", type=Path, required=True, help="raw folder (with SOURCES.md)")
    build.add_argument("--out", type=Path, required=True, help="folder for villages.parquet")
    build.add_argument(
        "--ftth", type=Path, help="ARCEP 'Commune' table (DBF or CSV) for newer fibre shares"
    )
    build.add_argument(
        "--ftth-vintage", help="vintage of --ftth, e.g. 'ARCEP T4 2025' (default: its name's)"
    )
    build.set_defaults(handler=_data_build)

    check = sub(data_commands, "check", "validate the packaged (or given) village data")
    check.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    check.add_argument("--partners", type=Path, help="partner CSV (default: packaged)")
    check.set_defaults(handler=_data_check)

    partners = sub(data_commands, "partners", "write the illustrative default partner list")
    partners.add_argument("--out", type=Path, required=True, help="partner CSV to write")
    partners.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    partners.set_defaults(handler=_data_partners)

    dictionary = sub(data_commands, "dictionary", "print or write the data dictionary")
    dictionary.add_argument("--out", type=Path, help="file to write (default: standard output)")
    dictionary.set_defaults(handler=_data_dictionary)


def _add_ranking_commands(commands: Commands) -> None:
    draw = sub(commands, "map", "draw a map of the Gers communes to PNG or SVG")
    draw.add_argument("--attribute", help="numeric column to colour by (default: outlines)")
    draw.add_argument("--out", type=Path, required=True, help="a .png or .svg file")
    draw.add_argument("--title", help="map title")
    draw.add_argument("--lang", choices=["fr", "en"], default="fr")
    draw.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    draw.add_argument("--partners", type=Path, help="partner CSV (default: packaged)")
    draw.set_defaults(handler=_map)

    rank = sub(commands, "rank", "rank the partner villages for a profile (JSON, as in the API)")
    rank.add_argument("profile", type=Path, help="a JSON file holding one prospect profile")
    rank.add_argument("--k", type=int, default=10, help="results to show (default 10)")
    rank.add_argument("--lang", choices=["fr", "en"], default="fr")
    rank.add_argument("--weights", default="default", help="packaged profile name or TOML file")
    rank.add_argument("--format", choices=["table", "json"], default="table")
    rank.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    rank.add_argument("--partners", type=Path, help="partner CSV (default: packaged)")
    rank.set_defaults(handler=_rank)

    batch = sub(commands, "batch", "rank the partner villages for every prospect of a CSV file")
    batch.add_argument("prospects", type=Path, help="prospect CSV (one row per prospect)")
    batch.add_argument("--out", type=Path, required=True, help="rankings CSV to write")
    batch.add_argument("--k", type=int, default=10, help="results per prospect (default 10)")
    batch.add_argument("--lang", choices=["fr", "en"], default="fr", help="language of reasons")
    batch.add_argument("--weights", default="default", help="packaged profile name or TOML file")
    batch.add_argument(
        "--exposure-aware",
        action="store_true",
        help="spread the prospects over the villages (each loses at most 0.05 of score)",
    )
    batch.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress bar on standard error (auto: when it is a terminal)",
    )
    batch.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    batch.add_argument("--partners", type=Path, help="partner CSV (default: packaged)")
    batch.set_defaults(handler=_batch)

    evaluate = sub(commands, "evaluate", "measure weight profiles against an outcome history")
    evaluate.add_argument("outcomes", type=Path, help="outcome CSV (one row per event)")
    evaluate.add_argument(
        "--weights",
        action="append",
        help="packaged profile name or TOML file; repeat to compare (default: default)",
    )
    evaluate.add_argument("--k", type=int, default=5, help="cut-off of the metrics (default 5)")
    evaluate.add_argument(
        "--exposure-aware", action="store_true", help="measure exposure-aware rankings"
    )
    evaluate.add_argument("--format", choices=["table", "json"], default="table")
    evaluate.add_argument("--lang", choices=["fr", "en"], default="fr", help="language of messages")
    evaluate.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    evaluate.add_argument("--partners", type=Path, help="partner CSV (default: packaged)")
    evaluate.set_defaults(handler=_evaluate)


def _add_allocate_command(commands: Commands) -> None:
    allocate = sub(
        commands, "allocate", "propose k villages to each prospect of a CSV under capacity"
    )
    allocate.add_argument("prospects", type=Path, help="prospect CSV (as for sohosolo batch)")
    allocate.add_argument("--out", type=Path, required=True, help="proposals CSV to write")
    allocate.add_argument("--k", type=int, default=3, help="villages per prospect (default 3)")
    allocate.add_argument(
        "--capacity",
        default="db",
        metavar="db|FILE.csv",
        help="db (default): the database's committees less what --quarter holds already; or "
        "a CSV of insee and capacity",
    )
    allocate.add_argument("--quarter", help="e.g. 2027-Q1 (default: today's quarter)")
    allocate.add_argument(
        "--max-loss",
        type=float,
        default=0.05,
        help="how far below a prospect's plain k-th best a proposal may score (default 0.05)",
    )
    allocate.add_argument("--lang", choices=["fr", "en"], default="fr", help="language of why")
    allocate.add_argument(
        "--weights", help="with a capacity CSV: packaged profile name or TOML file (default)"
    )
    allocate.add_argument("--villages", type=Path, help="villages GeoParquet (default: packaged)")
    allocate.add_argument("--partners", type=Path, help="partner CSV (default: packaged)")
    allocate.set_defaults(handler=_allocate)


def _add_service_commands(commands: Commands) -> None:
    serve = sub(commands, "serve", "run the HTTP API (settings from SOHOSOLO_* variables)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        help="reverse proxies whose X-Forwarded-For names the client (comma-separated; "
        "default: 127.0.0.1), for the per-address rate limit",
    )
    serve.set_defaults(handler=_serve)

    key = sub(commands, "key", "make a new API key and the digest to configure")
    key.add_argument("--role", choices=["committee", "staff", "analyst"], required=True)
    key.add_argument("--village", action="append", help="a committee key's village (repeat)")
    key.set_defaults(handler=_key)

    account = sub(commands, "account", "people's accounts: invite, list, disable, enable")
    add_account_arguments(account, sub)

    revoke = sub(commands, "revoke", "refuse an API key from now on (kept in the database)")
    revoke.add_argument("key", nargs="?", help="the key's id, its sha256: digest, or the key")
    revoke.add_argument("--list", action="store_true", help="list the revoked keys instead")
    revoke.set_defaults(handler=_revoke)

    purge = sub(commands, "purge", "erase prospects without consent past the retention period")
    purge.add_argument(
        "--months", type=int, help="retention period (default: SOHOSOLO_RETENTION_MONTHS)"
    )
    purge.add_argument("--dry-run", action="store_true", help="count, erase nothing")
    purge.set_defaults(handler=_purge)

    db = sub(commands, "db", "the service's database")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = sub(db_commands, "upgrade", "create or migrate the database schema (Alembic)")
    upgrade.set_defaults(handler=_db_upgrade)


def _terminate(signum: int, frame: object) -> None:
    # As Ctrl-C does: files being written are removed on the way out.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    lang = lang_of(words)
    args = build_parser(lang).parse_args(words)
    signal.signal(signal.SIGTERM, _terminate)
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from features.exceptions import FeaturesError
    from geodata.exceptions import GeodataError
    from matcher.exceptions import MatcherError
    from service.auth import KeyConfigError
    from service.exceptions import ServiceError

    try:
        return int(args.handler(args))
    except (
        FeaturesError,
        GeodataError,
        MatcherError,
        KeyConfigError,
        ServiceError,  # Unavailable among them: the database cannot be written now
        UsageError,
        ValidationError,
        SQLAlchemyError,
        OSError,
    ) as exc:
        print(_said(lang, "error", message=exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sohosolo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
