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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from geodata.exceptions import GeodataError

    try:
        return int(args.handler(args))
    except (GeodataError, OSError) as exc:
        print(f"sohosolo: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
