import pytest
from hypothesis import given

from features.exceptions import FeaturesError
from features.profile import Profile
from features.table import (
    PROSPECT_COLUMNS,
    profile_from_row,
    profile_row,
    read_prospect_rows,
    write_prospect_rows,
)
from tests.strategies import profiles

HEADER = ",".join(PROSPECT_COLUMNS)
GOOD = "ana,software_developer,5,video_calls,2,4 12,buy,220000,3,45,no,any,connectivity housing"


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "prospects.csv"
    path.write_bytes(text.encode(encoding))
    return path


@given(profiles)
def test_a_row_reads_back_as_the_profile_it_was_written_from(data) -> None:
    profile = Profile.model_validate(data)
    assert profile_from_row(profile_row("x", profile)) == profile


def test_a_full_row_reads_as_the_profile_it_states(tmp_path) -> None:
    rows = read_prospect_rows(write(tmp_path, f"{HEADER}\n{GOOD}\n"))
    assert rows.errors == []
    assert rows.ids == ["ana"]
    assert rows.lines == [2]
    assert rows.profiles[0] == Profile.model_validate(
        {
            "profession": "software_developer",
            "remote_days_per_week": 5,
            "connectivity": "video_calls",
            "household": {"adults": 2, "children_ages": [4, 12]},
            "housing": {"tenure": "buy", "budget_eur": 220000, "min_bedrooms": 3},
            "preferences": {"max_minutes_to_auch": 45, "needs_train_station": False},
            "must": ["connectivity", "housing"],
        }
    )


def test_empty_cells_take_the_profile_defaults_and_columns_may_be_left_out(tmp_path) -> None:
    rows = read_prospect_rows(
        write(tmp_path, "prospect_id,connectivity,profession\nbo,basic,translator\n")
    )
    assert rows.profiles == [Profile(profession="translator", connectivity="basic")]


def test_a_french_spreadsheet_export_reads_too(tmp_path) -> None:
    # Semicolons, a byte-order mark, CRLF line ends and "oui" for a boolean.
    text = "\ufeffprospect_id;profession;connectivity;needs_train_station;children_ages\r\n"
    text += "é1;consultant;basic;oui;3,7\r\n"
    (profile,) = read_prospect_rows(write(tmp_path, text)).profiles
    assert profile.preferences.needs_train_station is True
    assert profile.household.children_ages == [3, 7]


def test_bad_rows_are_reported_with_their_line_and_the_others_kept(tmp_path) -> None:
    lines = [
        HEADER,
        GOOD,
        "bo,astronaut,5,basic,1,,,,,,,,",
        "cy,consultant,3,video_calls,2,15,buy,-5,3,,yes,small_town,",
        "ana,translator,,basic,1,,,,,,,,",
        "di,web_designer,4,large_uploads,2,,rent,,2,,,,",
        "ed,translator,,basic",
        "fa,translator,,basic,1,,,,,,maybe,,",
        "gi,translator,,basic,1,,,,,,,,schools schools",
        ",translator,,basic,1,,,,,,,,",
        "",
        '"hu",translator,,basic,1,,,,,,,,',
    ]
    rows = read_prospect_rows(write(tmp_path, "\n".join(lines) + "\n"))
    assert rows.ids == ["ana", "hu"]
    assert rows.lines == [2, 12]
    messages = {error.line: error.message for error in rows.errors}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert messages[3].startswith("profession: Input should be 'software_developer'")
    assert messages[3].endswith("found 'astronaut'")
    assert messages[4] == "budget_eur: Input should be greater than 0, found '-5'"
    assert messages[5] == "prospect_id: 'ana' is already on line 2"
    assert messages[6].startswith("budget_eur: expected a value beside min_bedrooms, tenure")
    assert messages[7] == "expected 13 cells as in the header, found 4"
    assert messages[8] == (
        "needs_train_station: expected one of 0, 1, false, faux, no, non, oui, true, vrai, yes, "
        "found 'maybe'"
    )
    assert "listed twice" in messages[9]
    assert messages[10] == "prospect_id: expected a value, found an empty cell"
    assert str(rows.errors[0]) == f"line 3: {messages[3]}"


def test_a_quoted_cell_over_two_lines_is_reported_at_the_line_it_starts(tmp_path) -> None:
    text = f'{HEADER}\n"a\nb",nobody,,basic,,,,,,,,,\n{GOOD}\n'
    rows = read_prospect_rows(write(tmp_path, text))
    assert [e.line for e in rows.errors] == [2]
    assert rows.lines == [4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a header line, found an empty file"),
        ("prospect_id,profession\n", "expected a column 'connectivity' in the header"),
        (f"{HEADER},budget\n", "unknown column 'budget' in the header"),
        ("prospect_id,profession,connectivity,profession\n", "'profession' appears twice"),
        (f'{HEADER}\n{GOOD}\n"open,quote\n', "line 3: a quote opened on this line is never closed"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(tmp_path, text, message) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FeaturesError, match=message) as raised:
        read_prospect_rows(path)
    assert str(path) in str(raised.value)


def test_a_windows_1252_export_reads_and_says_so(tmp_path) -> None:
    path = write(tmp_path, f"{HEADER}\nzoé,translator,,basic,,,,,,,,,\n", encoding="cp1252")
    rows = read_prospect_rows(path)
    assert rows.ids == ["zoé"]
    assert rows.encoding == "cp1252"


def test_a_file_in_no_known_encoding_is_refused_naming_the_line(tmp_path) -> None:
    path = tmp_path / "prospects.csv"
    path.write_bytes(f"{HEADER}\n".encode() + b"z\x81,translator,,basic,,,,,,,,,\n")
    with pytest.raises(FeaturesError, match=r"line 2: expected UTF-8 .* found byte 0x81"):
        read_prospect_rows(path)


def test_spreadsheet_habits_are_read(tmp_path) -> None:
    text = (
        "\n"  # a blank line above the header
        "Prospect_ID;Profession;Connectivity;Tenure;Budget_EUR;Max_Minutes_To_Auch;Must;\n"
        "a;Translator;BASIC;Buy;220 000 €;37,5;Housing Connectivity;\n"
        "b;translator;basic;rent;650,50;;;\n"
    )
    rows = read_prospect_rows(write(tmp_path, text))
    assert rows.errors == []
    a, b = rows.profiles
    assert a.housing.budget_eur == 220000
    assert a.preferences.max_minutes_to_auch == 37.5
    assert list(a.must) == ["housing", "connectivity"]
    assert b.housing.budget_eur == 650.5


def test_codes_may_be_given_as_their_french_or_english_labels(tmp_path) -> None:
    # Case and accents aside, a whole label or one of its names ("Graphiste" of "Graphiste,
    # webdesigner"); criteria's names, which hold spaces and commas, are found whole.
    text = (
        "prospect_id;profession;connectivity;tenure;budget_eur;settlement;must\n"
        "a;Graphiste;Visioconférences quotidiennes;Achat;220 000;petite ville;"
        "Accès à Toulouse, train, avion, Logement\n"
        "b;Développeur·se logiciel;COURRIEL ET WEB;louer;600;Indifferent;ecoles sante\n"
        "c;developpeur logiciel;Daily video calls;Rent;600;Small town;Schools Health\n"
        "d;Translator;large_uploads;BUY;1;any;connectivity housing\n"
    )
    rows = read_prospect_rows(write(tmp_path, text))
    assert rows.errors == []
    a, b, c, d = rows.profiles
    assert (a.profession, a.connectivity, a.housing.tenure) == (
        "web_designer",
        "video_calls",
        "buy",
    )
    assert a.preferences.settlement == "small_town"
    assert list(a.must) == ["access_toulouse", "housing"]
    assert (b.profession, b.connectivity, b.housing.tenure) == (
        "software_developer",
        "basic",
        "rent",
    )
    assert (b.preferences.settlement, list(b.must)) == ("any", ["schools", "health"])
    assert (c.profession, c.connectivity, c.housing.tenure) == (
        "software_developer",
        "video_calls",
        "rent",
    )
    assert (c.preferences.settlement, list(c.must)) == ("small_town", ["schools", "health"])
    assert (d.profession, d.connectivity, list(d.must)) == (
        "translator",
        "large_uploads",
        ["connectivity", "housing"],
    )


def test_an_unknown_name_is_reported_with_what_was_expected(tmp_path) -> None:
    text = (
        "prospect_id,profession,connectivity,must\n"
        "a,Plombier,basic,\n"
        "b,translator,basic,Logement Piscine\n"
    )
    rows = read_prospect_rows(write(tmp_path, text))
    first, second = (error.message for error in rows.errors)
    assert first.startswith("profession: Input should be 'software_developer'")
    assert "found 'Plombier'" in first
    assert second == (
        "must: expected criterion codes or names (connectivity, housing, ...; Connexion, "
        "Logement, ...) separated by spaces or commas, found 'Piscine'"
    )


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1_000", "budget_eur: expected a number such as 220000 or 650.5, found '1_000'"),
        ("nan", "budget_eur: expected a number such as 220000 or 650.5, found 'nan'"),
        ("1e400", "budget_eur: expected a number such as 220000 or 650.5, found '1e400'"),
        ("650,5", "budget_eur: expected a number such as 220000 or 650.5, found '650,5'"),
    ],
)
def test_numbers_must_be_plain(tmp_path, cell, message) -> None:
    # A comma is a decimal comma only in files delimited by semicolons.
    text = (
        f'prospect_id,profession,connectivity,tenure,budget_eur\na,translator,basic,rent,"{cell}"\n'
    )
    rows = read_prospect_rows(write(tmp_path, text))
    assert [e.message for e in rows.errors] == [message]


def test_a_broken_row_is_skipped_and_the_rest_read(tmp_path) -> None:
    long = "x" * 200_000
    text = (
        "prospect_id,profession,connectivity\n"
        'a,translator,basic\n"b"x,translator,basic\n'
        f"{long},translator,basic\nc,translator,basic\n=cmd,translator,basic\n"
        "d\x00,translator,basic\n"
    )
    rows = read_prospect_rows(write(tmp_path, text))
    assert rows.ids == ["a", "c"]
    assert [(e.line, e.message[:40]) for e in rows.errors] == [
        (3, "not a valid CSV row (',' expected after "),
        (4, "not a valid CSV row (field larger than f"),
        (6, "prospect_id: expected text not starting "),
        (7, "prospect_id: expected printable text, fo"),
    ]


def test_extra_columns_are_required_and_returned(tmp_path) -> None:
    text = (
        "prospect_id,profession,connectivity,insee\na,translator,basic,32013\nb,translator,basic,\n"
    )
    rows = read_prospect_rows(write(tmp_path, text), extra_columns=["insee"])
    assert rows.extra == [{"insee": "32013"}]
    assert [str(e) for e in rows.errors] == ["line 3: insee: expected a value, found an empty cell"]
    with pytest.raises(FeaturesError, match="expected a column 'event'"):
        read_prospect_rows(write(tmp_path, text), extra_columns=["insee", "event"])


def test_written_rows_read_back_with_their_extra_columns(tmp_path) -> None:
    profile = Profile(profession="translator", connectivity="basic")
    text = write_prospect_rows(["a", "a"], [profile, profile], [{"x": "1"}, {"x": "2"}], ["x"])
    rows = read_prospect_rows(write(tmp_path, text), extra_columns=["x"], unique_ids=False)
    assert rows.ids == ["a", "a"]
    assert rows.profiles == [profile, profile]
    assert rows.extra == [{"x": "1"}, {"x": "2"}]
