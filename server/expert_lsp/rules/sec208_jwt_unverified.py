"""SEC208 jwt-unverified."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_DECODERS = frozenset({"jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode"})


def _verification_off(call: ast.Call) -> str | None:
    if syntax.is_constant(syntax.keyword(call, "verify"), False):
        return "verify=False"
    options = syntax.keyword(call, "options")
    if isinstance(options, ast.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            flag = key.value if isinstance(key, ast.Constant) else None
            if (
                isinstance(flag, str)
                and flag.startswith("verify_")
                and syntax.is_constant(value, False)
            ):
                return f'options={{"{flag}": False}}'
    if syntax.keyword(call, "algorithms") is None:
        return "no `algorithms=`"
    return None


class JwtUnverified(Rule):
    """`jwt.decode` with signature verification off or without an `algorithms` list.

    A token decoded without verifying its signature is just JSON the client wrote: anyone
    can claim any user id or role. Without a fixed `algorithms` list, a token may pick its
    own algorithm (`none`, or HS256 keyed with your public RSA key).

    **Bad**

    ```python
    claims = jwt.decode(token, options={"verify_signature": False})
    ```

    **Good**

    ```python
    claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"], audience="api")
    ```

    **Fix**: pass the key and `algorithms=[...]` and keep every verification on.
    """

    id = "SEC208"
    name = "jwt-unverified"
    aliases = ()
    severity = Severity.ERROR
    message = "`jwt.decode` with {problem}: the token's claims are not trustworthy"
    node_types = (ast.Call,)

    valid = (
        Valid("import jwt\n\njwt.decode(t, KEY, algorithms=['HS256'])\n"),
        Valid("from jose import jwt\n\njwt.decode(t, KEY, algorithms=ALGS, audience='a')\n"),
        Valid("import base64\n\nbase64.decode(t)\n"),
        Valid("import jwt\n\ndef f(t, **kw):\n    return jwt.decode(t, **kw)\n"),
    )
    invalid = (
        Invalid("import jwt\n\njwt.decode(t, options={'verify_signature': False})\n", line=3),
        Invalid("import jwt\n\njwt.decode(t, KEY)\n", line=3),
        Invalid(
            "from jose import jwt\n\njwt.decode(t, KEY, algorithms=['HS256'], verify=False)\n", 3
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if context.qualified_name(node.func) not in _DECODERS:
            return
        if any(kw.arg is None for kw in node.keywords):
            return  # `**options` may carry the algorithms
        problem = _verification_off(node)
        if problem is not None:
            yield self.finding(node, context, self.message.format(problem=problem))
