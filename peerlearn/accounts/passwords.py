"""Password strength rules, following NIST SP 800-63B: length and a block list, no
composition rules that push people to ``Passw0rd!``.

Pure: returns problem codes that the form turns into messages in the user's language.
"""

from __future__ import annotations

from enum import Enum


class PasswordProblem(Enum):
    TOO_SHORT = "too_short"  #: fewer characters than the configured minimum
    TOO_COMMON = "too_common"  #: on the list of passwords tried first by attackers
    CONTAINS_NAME = "contains_name"  #: contains the username or the email's local part
    REPETITIVE = "repetitive"  #: one or two characters repeated ("aaaaaaaaaa")


# The most common passwords long enough to pass the length rule, in the languages of
# our first communities (leaked-password lists, lowercased).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "0000000000",
        "1234512345",
        "1q2w3e4r5t",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "123456789a",
        "abcdefghij",
        "abc1234567",
        "1234567890a",
        "987654321a",
        "9876543210",
        "contraseña",
        "contrasena",
        "contraseña1",
        "contrasena1",
        "contraseña123",
        "tequiero123",
        "micontraseña",
        "motdepasse",
        "motdepasse1",
        "azertyuiop",
        "azerty1234",
        "bonjour123",
        "soleil1234",
        "nenosiri123",
        "ijambobanga",
        "peerlearn1",
        "peerlearn123",
        "welcome123",
        "letmein123",
        "football12",
        "superman12",
    }
)

DEFAULT_MIN_LENGTH = 10


def password_problems(
    password: str, username: str = "", email: str = "", min_length: int = DEFAULT_MIN_LENGTH
) -> list[PasswordProblem]:
    """Everything wrong with ``password``; an empty list means it is acceptable."""
    problems: list[PasswordProblem] = []
    folded = password.casefold()
    if len(password) < min_length:
        problems.append(PasswordProblem.TOO_SHORT)
    if folded in COMMON_PASSWORDS:
        problems.append(PasswordProblem.TOO_COMMON)
    names = [username.casefold(), email.split("@")[0].casefold()]
    if any(len(name) >= 3 and name in folded for name in names):
        problems.append(PasswordProblem.CONTAINS_NAME)
    if password and len(set(password)) <= 2:
        problems.append(PasswordProblem.REPETITIVE)
    return problems
