"""The ``sohosolo`` command line.

Each command imports what it needs when it runs, so that ``sohosolo data check`` does not
load the web stack and ``--help`` answers at once.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

EXAMPLES = {
    "build": "example: sohosolo data build --raw ../shared/data/raw --out geodata/data",
    "check": "example: sohosolo data check --partners my_partners.csv",
    "partners": "example: sohosolo data partners --out geodata/data/partners.csv",
    "dictionary": "example: sohosolo data dictionary --out geodata/DATA.md",
    "map": "example: sohosolo map --attribute ftth_share --out fibre.svg --lang en",
    "rank": "example: sohosolo rank profile.json --k 5 --lang en --format json",
    "serve": "example: SOHOSOLO_STAFF_API_KEYS=sha256:... sohosolo serve --port 8000 --workers 2",
    "key": "example: sohosolo key --role analyst",
    "upgrade": "example: SOHOSOLO_DATABASE_URL=postgresql+psycopg://me@localhost/sohosolo "
    "sohosolo db upgrade",
}


def _data_build(args: argparse.Namespace) -> int:
    from geodata.build import build

    path = build(args.raw, args.out)
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


def _rank(args: argparse.Namespace) -> int:
    import json

    import geodata
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
    villages = geodata.read_villages(args.villages, partners=args.partners)
    recommender = Recommender(villages[villages["partner"]], args.weights)
    (ranking,) = recommender.recommend(profile, args.k, lang=args.lang)
    if args.format == "json":
        print(json.dumps(ranking.to_dict(), ensure_ascii=False, indent=2))
    else:
        for result in ranking.results:
            print(f"{result.rank:>3}  {result.insee}  {result.name:<28} {result.score:.3f}")
            for reason in result.reasons:
                print(f"{'':>10}- {reason}")
        if ranking.excluded:
            print(f"({len(ranking.excluded)} excluded by a 'must')")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from sqlalchemy.engine import make_url

    from service.auth import Keyring
    from service.config import get_settings
    from service.store import Store

    settings = get_settings()
    keyring = Keyring({"staff": settings.staff_api_keys, "analyst": settings.analyst_api_keys})
    # Migrate once here, so that several workers do not race to create the schema.
    store = Store(settings.sqlalchemy_url)
    store.upgrade()
    store.dispose()
    database = make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)
    print(
        f"sohosolo: serving http://{args.host}:{args.port} (/docs, /embed, /v1/health); "
        f"database {database}; {len(keyring)} API key(s)",
        flush=True,
    )
    uvicorn.run(
        "service.app:app_factory",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
    )
    return 0


def _key(args: argparse.Namespace) -> int:
    from service.auth import new_key

    key, hashed = new_key()
    variable = f"SOHOSOLO_{args.role.upper()}_API_KEYS"
    print(f"key (give it to its holder; it is not stored anywhere): {key}")
    print(f"for the service's configuration: {variable}={hashed}")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from service.config import get_settings
    from service.store import Store

    url = get_settings().sqlalchemy_url
    store = Store(url)
    store.upgrade()
    store.dispose()
    print(f"database {make_url(url).render_as_string(hide_password=True)} is up to date")
    return 0


class UsageError(ValueError):
    """A command's input cannot be used; the message says what is wrong."""


def _no_partners() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame({"insee": pd.Series(dtype=str)})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sohosolo",
        description="Soho Solo village matcher: village data, rankings and the HTTP service.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser("data", help="build and check the packaged village data")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    def sub(
        group: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str, text: str
    ) -> argparse.ArgumentParser:
        return group.add_parser(
            name,
            help=text,
            description=text,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    build = sub(data_commands, "build", "build the village table from the raw open data")
    build.add_argument("--raw", type=Path, required=True, help="raw folder (with SOURCES.md)")
    build.add_argument("--out", type=Path, required=True, help="folder for villages.parquet")
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

    serve = sub(commands, "serve", "run the HTTP API (settings from SOHOSOLO_* variables)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(handler=_serve)

    key = sub(commands, "key", "make a new API key and the digest to configure")
    key.add_argument("--role", choices=["staff", "analyst"], required=True)
    key.set_defaults(handler=_key)

    db = commands.add_parser("db", help="the service's database")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = sub(db_commands, "upgrade", "create or migrate the database schema (Alembic)")
    upgrade.set_defaults(handler=_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from geodata.exceptions import GeodataError
    from matcher.exceptions import MatcherError
    from service.auth import KeyConfigError

    try:
        return int(args.handler(args))
    except (
        GeodataError,
        MatcherError,
        KeyConfigError,
        UsageError,
        ValidationError,
        SQLAlchemyError,
        OSError,
    ) as exc:
        print(f"sohosolo: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
