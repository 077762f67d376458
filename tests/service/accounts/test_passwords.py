"""The password rule and the hash."""

import pytest

from service.accounts.passwords import (
    WeakPassword,
    check_password,
    common_passwords,
    hash_password,
    verify_password,
)


def test_the_list_is_loaded_lower_case_without_its_header() -> None:
    common = common_passwords()
    assert {"password", "azertyuiop", "motdepasse", "qwerty123456"} <= common
    assert all(entry == entry.lower() and not entry.startswith("#") for entry in common)


@pytest.mark.parametrize(
    "password",
    ["Motdepasse2024!", "123456789012", "qwerty123456", "  football  2000", "Soleil!!!!1234"],
)
def test_common_passwords_and_their_decorations_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword, match=r"common|different|digits"):
        check_password(password)


@pytest.mark.parametrize(
    "password", ["un village au soleil", "Lectoure, été 2027!", "x7#Qp!v2Lm9@"]
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    check_password(password, "jeanne@example.org")


def test_hashes_are_argon2id_and_verify() -> None:
    stored = hash_password("un village au soleil")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "un village au soleil")
    assert not verify_password(stored, "un village au soleil!")
    assert not verify_password(None, "no account has this password")
    assert not verify_password("not a hash", "anything at all")
