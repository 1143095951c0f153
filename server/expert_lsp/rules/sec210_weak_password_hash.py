"""SEC210 weak-password-hash."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_BROKEN = frozenset({"md5", "sha1"})
_FAST = frozenset({"sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b"})
_PASSWORD = re.compile(r"pass(word|wd|phrase)?$|pwd$|^pw$", re.IGNORECASE)
_SALT = re.compile(r"salt", re.IGNORECASE)


def _identifiers(node: ast.AST) -> list[str]:
    names: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.append(child.id)
        elif isinstance(child, ast.Attribute):
            names.append(child.attr)
    return names


class WeakPasswordHash(Rule):
    """A password is hashed with MD5, SHA-1 or an unsalted fast SHA-2.

    These hashes are built to be fast: a GPU tries billions of MD5 or SHA-256 guesses per
    second, and without a salt one precomputed table cracks every user with the same
    password at once. Password storage needs a slow, salted, memory-hard function.

    **Bad**

    ```python
    digest = hashlib.md5(password.encode()).hexdigest()
    ```

    **Good**

    ```python
    from argon2 import PasswordHasher

    digest = PasswordHasher().hash(password)
    ```

    **Fix**: argon2 (`argon2-cffi`), bcrypt, `hashlib.scrypt`, or Django's
    `make_password`; migrate old hashes on the next successful login.
    """

    id = "SEC210"
    name = "weak-password-hash"
    aliases = ()
    severity = Severity.ERROR
    message = "Password hashed with `{algorithm}`: use argon2, bcrypt or scrypt"
    node_types = (ast.Call,)

    valid = (
        Valid("import hashlib\n\nhashlib.md5(data).hexdigest()\n"),
        Valid("import hashlib\n\nhashlib.sha256(salt + password.encode()).hexdigest()\n"),
        Valid("import hashlib\n\nhashlib.scrypt(password.encode(), salt=s, n=2**14, r=8, p=1)\n"),
        Valid("import hashlib\n\nhashlib.sha256(file_bytes).hexdigest()\n"),
    )
    invalid = (
        Invalid("import hashlib\n\nh = hashlib.md5(password.encode()).hexdigest()\n", line=3),
        Invalid("import hashlib\n\nh = hashlib.sha256(user.password.encode())\n", line=3),
        Invalid("from hashlib import sha1\n\ndef f(pwd):\n    return sha1(pwd).digest()\n", line=4),
        Invalid("import hashlib\n\nhashlib.new('md5', raw_password.encode())\n", line=3),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        qualified = context.qualified_name(node.func) or ""
        module, _, algorithm = qualified.rpartition(".")
        if module != "hashlib":
            return
        data = node.args
        if algorithm == "new" and data and isinstance(data[0], ast.Constant):
            algorithm, data = str(data[0].value).lower().replace("-", ""), data[1:]
        if algorithm not in _BROKEN | _FAST or not data:
            return
        names = _identifiers(data[0])
        if not any(_PASSWORD.search(name) for name in names):
            return
        if algorithm in _FAST and any(_SALT.search(name) for name in names):
            return
        yield self.finding(node, context, self.message.format(algorithm=algorithm))
