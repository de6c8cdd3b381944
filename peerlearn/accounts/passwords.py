"""Password strength rules, following NIST SP 800-63B: length, a block list and an
estimate of how many guesses an attacker needs (zxcvbn, with its lists of tens of
thousands of common passwords, names and words), no composition rules that push people
to ``Passw0rd!``. And which stored hashes are older than the configured cost.

Pure: returns problem codes that the form turns into messages in the user's language.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from enum import Enum

from werkzeug.security import DEFAULT_PBKDF2_ITERATIONS


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
#: zxcvbn's score out of 4; 3 means "safely unguessable: moderate protection from an
#: offline attack on a slow hash" (about 10^8 guesses or more).
DEFAULT_MIN_SCORE = 3
#: zxcvbn's running time grows with the length; beyond this the rest adds no doubt.
_ESTIMATE_CHARS = 64
#: How alike a password and a name may be (difflib's ratio) before it counts as the name.
_SIMILAR = 0.7


def password_problems(
    password: str,
    username: str = "",
    email: str = "",
    min_length: int = DEFAULT_MIN_LENGTH,
    min_score: int = DEFAULT_MIN_SCORE,
) -> list[PasswordProblem]:
    """Everything wrong with ``password``; an empty list means it is acceptable."""
    problems: list[PasswordProblem] = []
    folded = password.casefold()
    if len(password) < min_length:
        problems.append(PasswordProblem.TOO_SHORT)
    names = _names(username, email)
    if password and _resembles_a_name(folded, names):
        problems.append(PasswordProblem.CONTAINS_NAME)
    if password and len(set(password)) <= 2:
        problems.append(PasswordProblem.REPETITIVE)
    if folded in COMMON_PASSWORDS or (
        password and not problems and _score(password, names) < min_score
    ):
        problems.append(PasswordProblem.TOO_COMMON)
    return problems


def _names(username: str, email: str) -> list[str]:
    """The username, the email and its local part: what an attacker who knows the
    account tries first."""
    local = email.split("@")[0]
    return [name.casefold() for name in (username, email, local) if len(name) >= 3]


def _resembles_a_name(folded: str, names: list[str]) -> bool:
    for name in names:
        if name in folded or name[::-1] in folded:
            return True
        if SequenceMatcher(None, folded, name).ratio() >= _SIMILAR:
            return True
    return False


def _score(password: str, names: list[str]) -> int:
    # Imported here, not at the top: its word lists take ~13 MB, and a web worker needs
    # them only when someone chooses a password (issue #15: worker memory).
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=names)
    return int(result["score"])


# --- Hash cost ----------------------------------------------------------------------------


def normalized_method(method: str) -> str:
    """Werkzeug's method string with its defaults spelled out, as it stores it in a hash
    (``"scrypt"`` is stored as ``"scrypt:32768:8:1"``)."""
    parts = method.split(":")
    if parts[0] == "scrypt" and len(parts) == 1:
        return "scrypt:32768:8:1"
    if parts[0] == "pbkdf2":
        name = parts[1] if len(parts) > 1 else "sha256"
        iterations = parts[2] if len(parts) > 2 else str(DEFAULT_PBKDF2_ITERATIONS)
        return f"pbkdf2:{name}:{iterations}"
    return method


def needs_rehash(stored_hash: str, method: str) -> bool:
    """Whether ``stored_hash`` was made with another method or cost than ``method``; the
    login that proves the password then stores it again at the configured cost."""
    return stored_hash.split("$", 1)[0] != normalized_method(method)
