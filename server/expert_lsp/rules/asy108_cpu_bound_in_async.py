"""ASY108 cpu-bound-in-async."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import qualified_callee
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._fixes import TO_THREAD_TITLE, to_thread_fix

_PANDAS_IO = frozenset(
    {
        "read_csv",
        "read_excel",
        "read_parquet",
        "read_json",
        "read_table",
        "read_feather",
        "read_html",
        "read_xml",
        "read_stata",
        "read_sas",
        "read_spss",
        "read_orc",
        "read_fwf",
    }
)
_HEAVY_CALLS = frozenset(
    {
        *(f"pandas.{name}" for name in _PANDAS_IO),
        "bcrypt.hashpw",
        "bcrypt.checkpw",
        "bcrypt.kdf",
        "hashlib.pbkdf2_hmac",
        "hashlib.scrypt",
        "argon2.PasswordHasher().hash",
        "argon2.PasswordHasher().verify",
        "joblib.load",
        "joblib.dump",
    }
)
_HEAVY_PREFIXES = ("numpy.linalg.", "scipy.optimize.", "scipy.linalg.", "scipy.signal.")
_HEAVY_NAMES = frozenset(name.rpartition(".")[2] for name in _HEAVY_CALLS)
_PASSLIB_METHODS = frozenset({"hash", "verify", "encrypt", "verify_and_update"})


class CpuBoundInAsync(Rule):
    """A CPU-heavy library call inside `async def` freezes the event loop while it runs.

    Parsing a CSV with pandas, hashing a password with bcrypt or PBKDF2, or solving a
    linear system holds the only thread the event loop has: for tens of milliseconds to
    seconds no other request is served and health checks time out. Run such calls in a
    thread (`asyncio.to_thread`, fine for libraries that release the GIL) or a process
    pool. Model inference is ML702's business; blocking I/O is ASY101's.

    **Bad**

    ```python
    async def login(form: LoginForm) -> Token:
        user = await users.get(form.email)
        if not bcrypt.checkpw(form.password.encode(), user.password_hash):
            raise Unauthorized()
        return issue_token(user)
    ```

    **Good**

    ```python
    async def login(form: LoginForm) -> Token:
        user = await users.get(form.email)
        ok = await asyncio.to_thread(bcrypt.checkpw, form.password.encode(), user.password_hash)
        if not ok:
            raise Unauthorized()
        return issue_token(user)
    ```

    **Fix**: `await asyncio.to_thread(f, *args, **kwargs)`. Offered, not applied by
    fix-all: the call then runs on another thread.
    """

    id = "ASY108"
    name = "cpu-bound-in-async"
    aliases = ()
    severity = Severity.WARNING
    message = "CPU-heavy `{call}` inside `async def` blocks the event loop"
    node_types = (ast.Call,)
    fix_title = TO_THREAD_TITLE
    fix_safe = False

    valid = (
        Valid("import pandas as pd\n\ndef load(p):\n    return pd.read_csv(p)\n"),
        Valid(
            "import asyncio\nimport pandas as pd\n\nasync def load(p):\n"
            "    return await asyncio.to_thread(pd.read_csv, p)\n"
        ),
        Valid("import json\n\nasync def parse(body):\n    return json.loads(body)\n"),
        Valid("async def f(hasher, pw):\n    return hasher.hash(pw)\n"),
    )
    invalid = (
        Invalid(
            "import pandas as pd\n\nasync def load(p):\n    return pd.read_csv(p, sep=';')\n",
            line=4,
            fixed="import pandas as pd\nimport asyncio\n\nasync def load(p):\n"
            "    return await asyncio.to_thread(pd.read_csv, p, sep=';')\n",
        ),
        Invalid(
            "import bcrypt\n\nasync def login(pw, stored):\n"
            "    if not bcrypt.checkpw(pw, stored):\n        raise ValueError\n",
            line=4,
        ),
        Invalid(
            "from passlib.context import CryptContext\n\npwd = CryptContext(schemes=['bcrypt'])\n\n"
            "async def register(pw):\n    return pwd.hash(pw)\n",
            line=6,
        ),
        Invalid(
            "import numpy as np\n\nasync def solve(a, b):\n    return np.linalg.solve(a, b)\n",
            line=4,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not context.in_async_function():
            return
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if not (
            name in _HEAVY_NAMES
            or name in _PASSLIB_METHODS
            or (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute))
        ):
            return  # cheap filter: numpy.linalg.x / scipy.optimize.x are attribute chains
        qualified = qualified_callee(func, context)
        if qualified is None or not _is_heavy(qualified):
            return
        fix = not isinstance(context.parent(), ast.withitem)
        yield self.finding(node, context, self.message.format(call=qualified), fix=fix)

    def fix(self, request: FixRequest) -> FixResult | None:
        return to_thread_fix(request)


def _is_heavy(qualified: str) -> bool:
    if qualified in _HEAVY_CALLS or qualified.startswith(_HEAVY_PREFIXES):
        return True
    receiver, _, method = qualified.rpartition(".")
    return method in _PASSLIB_METHODS and receiver.startswith(
        ("passlib.context.CryptContext()", "passlib.hash.")
    )
