"""The default partner list: the three documented partners and 49 chosen by a stated rule.

The real list of the 52 Soho Solo partner villages is not published (SOURCES.md). The default
is therefore **illustrative**: staff replace ``geodata/data/partners.csv`` with the real list.
The rule mimics the programme: partners are rural communes with a primary school, spread
evenly over the 17 cantons.

Rule, applied to the village table:

1. Start from the communes named as partners in the press (``soho_solo_documented_partner``).
2. Eligible: rural communes, under ``MAX_POPULATION`` inhabitants (the towns that are
   services hubs are not villages d'accueil) and ``MAX_DENSITY`` inhabitants per km² (the
   suburbs of Auch are not rural), with at least one primary-school class (BPE 2019).
3. Until there are ``PARTNER_COUNT`` partners: the canton with the fewest partners so far
   (ties: canton code) takes its most populous eligible commune not yet chosen (ties: INSEE
   code). Populous villages are those whose schools and shops can welcome new families.
"""

import geopandas as gpd
import pandas as pd

from geodata.exceptions import PartnerError

PARTNER_COUNT = 52
MAX_POPULATION = 3000
MAX_DENSITY = 100.0
DOCUMENTED_SOURCE = "documented: press"
RULE_SOURCE = "rule: illustrative default"


def default_partners(villages: gpd.GeoDataFrame, count: int = PARTNER_COUNT) -> pd.DataFrame:
    """The default partner list (``insee, name, source``) for a village table."""
    documented = villages[villages["soho_solo_documented_partner"]]
    eligible = villages[
        (villages["population"] < MAX_POPULATION)
        & (villages["density_per_km2"] < MAX_DENSITY)
        & (villages["n_primary_school"] > 0)
        & ~villages.index.isin(documented.index)
    ]
    if len(documented) + len(eligible) < count:
        raise PartnerError(
            f"default partner rule: expected at least {count} candidates, found "
            f"{len(documented) + len(eligible)}"
        )
    queues = {
        canton: group.sort_values(["population", "insee"], ascending=[False, True])[
            "insee"
        ].tolist()
        for canton, group in eligible.groupby("canton_code")
    }
    chosen = documented["canton_code"].value_counts().to_dict()
    selected = list(documented["insee"])
    while len(selected) < count:
        canton = min(
            (c for c, queue in queues.items() if queue), key=lambda c: (chosen.get(c, 0), c)
        )
        selected.append(queues[canton].pop(0))
        chosen[canton] = chosen.get(canton, 0) + 1
    picked = villages.loc[selected, ["insee", "name"]].reset_index(drop=True)
    picked["source"] = [
        DOCUMENTED_SOURCE if code in documented.index else RULE_SOURCE for code in picked["insee"]
    ]
    ordered: pd.DataFrame = picked.sort_values("insee").reset_index(drop=True)
    return ordered
