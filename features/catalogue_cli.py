"""The command line's sentences for staff, in French and English: each command's example (its
``--help`` epilog), the summaries the commands print, and the rows a file could not give (the
``cli`` section of the catalogue). ``sohosolo`` speaks French unless ``--lang en``."""

from typing import Any

NBSP = "\u00a0"
_C = f"{NBSP}:"  # French colon, kept on the line of the word before it

EXAMPLES_FR = {
    "build": f"exemple{_C} sohosolo data build --raw ../shared/data/raw --out geodata/data\n"
    f"pour actualiser la fibre{_C} ... --ftth 2025t4_commune.dbf (ou .csv ; --ftth-vintage\n"
    "'ARCEP T4 2025' quand le nom du fichier ne dit pas le trimestre)",
    "check": f"exemple{_C} sohosolo data check --partners mes_partenaires.csv",
    "partners": f"exemple{_C} sohosolo data partners --out geodata/data/partners.csv",
    "dictionary": f"exemple{_C} sohosolo data dictionary --out geodata/DATA.md",
    "map": f"exemple{_C} sohosolo map --attribute fibre --out fibre.png\n\n"
    "--attribute prend toute colonne numérique de la table des villages (geodata/DATA.md) ou\n"
    f"un nom court{_C} fibre (ftth_share), price (house_price_m2), college\n"
    "(minutes_to_middle_school), auch (minutes_to_auch), toulouse (minutes_to_toulouse),\n"
    "population.",
    "rank": f"exemple{_C} sohosolo rank profil.json --k 5 --format json",
    "batch": f"exemple{_C} sohosolo batch prospects.csv --out classements.csv --k 5 "
    "--exposure-aware\n\nLe format CSV des deux fichiers est dans le README (section "
    "« Rankings in bulk »).\nLes lignes illisibles sont signalées avec leur numéro et "
    "ignorées ; le code de sortie\nest 1 si une ligne a été ignorée, 2 si rien n'a pu être "
    "fait.",
    "evaluate": f"exemple{_C} sohosolo evaluate parcours.csv --weights default --weights "
    "ajustes.toml\n\nLe CSV des parcours est un CSV de prospects avec deux colonnes de plus, "
    "insee et\nevent (shortlisted, visit_planned, visited, met_committee, settled, left)"
    f"{_C} voir le\nREADME, section « Evaluating weights ».",
    "allocate": f"exemple{_C} sohosolo allocate prospects.csv --out propositions.csv --k 3 "
    "--quarter 2027-Q1\n\nPropose k villages à chaque prospect du fichier (le format de "
    "« sohosolo batch »)\nsans qu'aucun comité ne reçoive plus de prospects que sa capacité "
    "restante, le score\ntotal le plus haut possible (une affectation exacte, résolue par "
    "HiGHS), comme le fait\nPOST /v1/allocations. --capacity db (par défaut) : les comités de "
    "la base\n(SOHOSOLO_DATABASE_URL), moins les prospects qui leur sont proposés dans "
    "--quarter,\net le modèle du service (ses poids, logements, besoins et corrections) ; "
    "rien n'est\nenregistré. --capacity FICHIER.csv : les capacités restantes d'un fichier "
    "à deux\ncolonnes, insee et capacity (un partenaire absent n'accueille personne), et "
    "les\ndonnées fournies avec --weights, comme « sohosolo batch ». Les prospects qui ne\n"
    "peuvent pas tous recevoir k villages sont écrits avec short=oui et la raison ; le code"
    "\nde sortie est 1 si des lignes ont été ignorées, 2 si rien n'a pu être fait.",
    "serve": f"exemple{_C} SOHOSOLO_STAFF_API_KEYS=sha256:... sohosolo serve --port 8000 "
    "--workers 2",
    "key": f"exemple{_C} sohosolo key --role analyst\n"
    f"la clé d'un comité, pour ses villages{_C} sohosolo key --role committee --village "
    "32249 --village 32416",
    "account": f"exemple{_C} sohosolo account invite --role staff --email marie@example.org "
    "--name 'Marie Dupont'\n\nLe premier compte de l'équipe d'une installation neuve se crée "
    "ainsi : ouvrez le lien\naffiché, choisissez un mot de passe, connectez-vous sur "
    "/intranet/.",
    "invite": f"exemple{_C} sohosolo account invite --role committee --village 32436 "
    "--email maire@example.org --name 'Jean Martin' --base-url https://matcher.example.org",
    "list": f"exemple{_C} sohosolo account list",
    "disable": f"exemple{_C} sohosolo account disable 7",
    "enable": f"exemple{_C} sohosolo account enable 7",
    "revoke": f"exemple{_C} sohosolo revoke 1a2b3c4d\n\nDésigne la clé par son identifiant "
    "(les premiers chiffres de son empreinte, tels que\nle journal d'audit et les journaux "
    "les montrent), par son empreinte sha256:, ou par la\nclé elle-même. La clé est refusée "
    "dès la requête suivante de chaque processus ;\nretirez-la aussi de la configuration.",
    "purge": f"exemple{_C} SOHOSOLO_RETENTION_MONTHS=24 sohosolo purge --dry-run\n\nEfface "
    "les prospects sans consentement créés il y a plus que la durée de conservation\n(un "
    "mois compte 31 jours), comme DELETE /v1/prospects/{id} : profil, coordonnées et\nlien "
    "depuis les événements. À lancer chaque jour, par exemple par cron ou un minuteur\n"
    "systemd.",
    "data": f"exemple{_C} sohosolo data check",
    "db": f"exemple{_C} sohosolo db upgrade",
    "upgrade": f"exemple{_C} SOHOSOLO_DATABASE_URL=postgresql+psycopg://moi@localhost/sohosolo"
    " sohosolo db upgrade",
    "main": f"exemple{_C} sohosolo rank profil.json --k 5\n\n"
    "« sohosolo COMMANDE --help » explique chaque commande, avec un exemple ; --lang en\n"
    "pour l'anglais.",
}

EXAMPLES_EN = {
    "build": "example: sohosolo data build --raw ../shared/data/raw --out geodata/data\n"
    "refreshing fibre: ... --ftth 2025t4_commune.dbf (or .csv; --ftth-vintage 'ARCEP T4 2025'\n"
    "when the file's name states no quarter)",
    "check": "example: sohosolo data check --partners my_partners.csv",
    "partners": "example: sohosolo data partners --out geodata/data/partners.csv",
    "dictionary": "example: sohosolo data dictionary --out geodata/DATA.md",
    "map": "example: sohosolo map --attribute fibre --out fibre.png --lang en\n\n"
    "--attribute takes any numeric column of the village table (geodata/DATA.md) or a short\n"
    "name: fibre (ftth_share), price (house_price_m2), college (minutes_to_middle_school),\n"
    "auch (minutes_to_auch), toulouse (minutes_to_toulouse), population.",
    "rank": "example: sohosolo rank profile.json --k 5 --lang en --format json",
    "batch": "example: sohosolo batch prospects.csv --out rankings.csv --k 5 --exposure-aware\n\n"
    "The CSV format of both files is in the README (section 'Rankings in bulk'). Rows that\n"
    "cannot be read are reported with their line number and skipped; the exit status is 1\n"
    "when any was skipped, 2 when nothing could be done.",
    "evaluate": "example: sohosolo evaluate outcomes.csv --weights default --weights tuned.toml"
    "\n\nThe outcome CSV is a prospect CSV with two more columns, insee and event\n"
    "(shortlisted, visit_planned, visited, met_committee, settled, left): see the README,\n"
    "section 'Evaluating weights'.",
    "allocate": "example: sohosolo allocate prospects.csv --out proposals.csv --k 3 --quarter "
    "2027-Q1\n\nProposes k villages to each prospect of the file (the format of 'sohosolo batch')"
    " so that\nno committee gets more prospects than its capacity left, the total score as high"
    "\nas it can be (an exact assignment, solved by HiGHS), as POST /v1/allocations does.\n"
    "--capacity db (default): the database's committees (SOHOSOLO_DATABASE_URL), less the\n"
    "prospects allocated to them in --quarter, and the service's model (its weights, homes,\n"
    "needs and corrections); nothing is recorded. --capacity FILE.csv: capacities left from\n"
    "a file of two columns, insee and capacity (a partner missing from it takes no one),\n"
    "and the packaged data with --weights, as 'sohosolo batch'. Prospects who cannot all\n"
    "get k villages are written with short=yes and why; the exit status is 1 when rows\n"
    "were skipped, 2 when nothing could be done.",
    "serve": "example: SOHOSOLO_STAFF_API_KEYS=sha256:... sohosolo serve --port 8000 --workers 2",
    "key": "example: sohosolo key --role analyst\n"
    "a committee's key, for its villages: sohosolo key --role committee --village 32249 "
    "--village 32416",
    "account": "example: sohosolo account invite --role staff --email marie@example.org "
    "--name 'Marie Dupont'\n\nThe first staff account of a fresh install is made so: "
    "open the printed link, choose\na password, sign in at /intranet/.",
    "invite": "example: sohosolo account invite --role committee --village 32436 "
    "--email maire@example.org --name 'Jean Martin' --base-url https://matcher.example.org",
    "list": "example: sohosolo account list",
    "disable": "example: sohosolo account disable 7",
    "enable": "example: sohosolo account enable 7",
    "revoke": "example: sohosolo revoke 1a2b3c4d\n\nNames the key by its id (the first digits "
    "of its digest, as the audit log and\nthe logs show it), by its sha256: digest, or by the "
    "key itself. The key is refused\nfrom the next request of every worker; remove it from "
    "the configuration as well.",
    "purge": "example: SOHOSOLO_RETENTION_MONTHS=24 sohosolo purge --dry-run\n\nErases "
    "prospects without consent created more than the retention period ago (a month\ncounts "
    "31 days), as DELETE /v1/prospects/{id} does: profile, contact fields and the\nlink from "
    "outcomes. Run it daily, e.g. from cron or a systemd timer.",
    "data": "example: sohosolo data check",
    "db": "example: sohosolo db upgrade",
    "upgrade": "example: SOHOSOLO_DATABASE_URL=postgresql+psycopg://me@localhost/sohosolo "
    "sohosolo db upgrade",
    "main": "example: sohosolo rank profile.json --k 5 --lang en\n\n"
    "'sohosolo COMMAND --help' explains each command, with an example; French by default.",
}

CLI: dict[str, dict[str, Any]] = {
    "fr": {
        "examples": EXAMPLES_FR,
        "description": "Soho Solo, villages d'accueil : données des villages, classements et "
        "service HTTP.",
        "row_skipped": "{path} : ligne {line} : {message} ; ligne ignorée",
        "not_utf8": "{path} : pas en UTF-8 ; lu en {encoding} (Windows-1252)",
        "row_empty": f"{{column}}{_C} une valeur est attendue, la cellule est vide",
        "row_repeated_id": f"prospect_id{_C} « {{found}} » est déjà ligne {{first}}",
        "row_number": f"{{column}}{_C} un nombre est attendu, par exemple 220000 ou 650,5 ; "
        "trouvé « {found} »",
        "row_invalid": f"{{column}}{_C} {{why}} (trouvé « {{found}} »)",
        "row_invalid_more": f"{{column}}{_C} {{why}} (trouvé « {{found}} » ; et {{more}} autre(s) "
        "problème(s))",
        "row_village": f"insee{_C} l'un des {{n}} villages candidats est attendu, trouvé "
        "« {found} »",
        "row_event": f"event{_C} l'un de {{choices}} est attendu, trouvé « {{found}} »",
        "row_profile_differs": f"{{columns}}{_C} le profil du prospect « {{found}} » diffère de "
        "celui de la ligne {first}",
        "ranked": "{n} prospect(s) classé(s) ({skipped} ligne(s) ignorée(s)), {written} "
        "résultat(s) écrit(s) dans {out} ; {exposed} village(s) sur {villages} montré(s) au "
        "moins une fois, indice de Gini de l'exposition {gini}",
        "exposure_aware": " (exposition répartie)",
        "not_available": "n. d.",
        "allocated": "{n} prospect(s) répartis ({skipped} ligne(s) ignorée(s)) selon {source} : "
        "{proposed} proposition(s) vers {used} village(s), {out} écrit ; score total {total}, "
        "à {gap} de la meilleure répartition possible ({method}) ; {short} prospect(s) avec "
        "moins de {k} village(s)",
        "source_db": "les comités de la base, {quarter}",
        "evaluated": "{path} : {events} événement(s) de {prospects} prospect(s) ({skipped} "
        "ligne(s) ignorée(s)), {villages} villages partenaires",
        "evaluated_exposure": ", classements à exposition répartie",
        "no_prospect": "{path} : au moins un prospect lisible est attendu, aucun trouvé",
        "no_event": "{path} : au moins un événement lisible est attendu, aucun trouvé",
        "out_folder": "--out {out} : un nom de fichier est attendu, c'est un dossier",
        "out_same": "--out {out} : un autre fichier que celui des prospects est attendu",
        "bad_quarter": "--quarter : un trimestre tel que 2027-Q1 est attendu, trouvé « {found} »",
        "yes": "oui",
        "no": "non",
        "error": "sohosolo : erreur : {message}",
        "invited": "compte {id} ({role}) invité ; le lien ne sert qu'une fois, jusqu'au "
        "{until} UTC :",
        "all_villages": "tous les villages",
        "status_invited": "invité",
        "status_active": "actif",
        "status_disabled": "désactivé",
        "account_now": "compte {id} : {status}",
        "signed_out": ", sessions fermées",
        "committee_villages": "--village : un comité a un village ou plus ; l'équipe et les "
        "analystes aucun",
        "unknown_villages": "--village : des villages partenaires sont attendus, trouvé {found}",
    },
    "en": {
        "examples": EXAMPLES_EN,
        "description": "Soho Solo village matcher: village data, rankings and the HTTP service.",
        "row_skipped": "{path}: line {line}: {message}; row skipped",
        "not_utf8": "{path}: not UTF-8; read as {encoding} (Windows-1252)",
        "row_empty": "{column}: expected a value, found an empty cell",
        "row_repeated_id": "prospect_id: '{found}' is already on line {first}",
        "row_number": "{column}: expected a number such as 220000 or 650.5, found '{found}'",
        "row_invalid": "{column}: {why} (found '{found}')",
        "row_invalid_more": "{column}: {why} (found '{found}'; and {more} more problem(s))",
        "row_village": "insee: expected one of the {n} candidate villages, found '{found}'",
        "row_event": "event: expected one of {choices}, found '{found}'",
        "row_profile_differs": "{columns}: the profile of prospect '{found}' differs from the "
        "one on line {first}",
        "ranked": "ranked {n} prospects ({skipped} rows skipped), wrote {written} results to "
        "{out}; {exposed} of {villages} villages shown at least once, exposure Gini {gini}",
        "exposure_aware": " (exposure-aware)",
        "not_available": "n/a",
        "allocated": "allocated {n} prospects ({skipped} rows skipped) under {source}: "
        "{proposed} proposals to {used} villages, wrote {out}; total score {total}, {gap} from "
        "the best possible ({method}); {short} prospect(s) given fewer than {k}",
        "source_db": "the database's committees, {quarter}",
        "evaluated": "{path}: {events} events of {prospects} prospects ({skipped} rows "
        "skipped), {villages} partner villages",
        "evaluated_exposure": ", exposure-aware re-ranking",
        "no_prospect": "{path}: expected at least one readable prospect, found none",
        "no_event": "{path}: expected at least one readable event, found none",
        "out_folder": "--out {out}: expected a file name, found a folder",
        "out_same": "--out {out}: expected another file than the prospects' own",
        "bad_quarter": "--quarter: expected a quarter such as 2027-Q1, found '{found}'",
        "yes": "yes",
        "no": "no",
        "error": "sohosolo: error: {message}",
        "invited": "account {id} ({role}) invited; the link works once, until {until} UTC:",
        "all_villages": "all villages",
        "status_invited": "invited",
        "status_active": "active",
        "status_disabled": "disabled",
        "account_now": "account {id} {status}",
        "signed_out": ", signed out",
        "committee_villages": "--village: a committee keeps one village or more; staff none",
        "unknown_villages": "--village: expected partner villages, found {found}",
    },
}
