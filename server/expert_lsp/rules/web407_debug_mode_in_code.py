"""WEB407 debug-mode-in-code."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.dataflow import qualified_callee
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.analysis.syntax import is_constant, keyword
from expert_lsp.rules._frameworks import in_test_file

_SWITCHES: dict[str, str] = {
    "flask.Flask().run": "debug",
    "werkzeug.serving.run_simple": "use_debugger",
    "werkzeug.run_simple": "use_debugger",
    "django.conf.settings.configure": "DEBUG",
    "fastapi.FastAPI": "debug",
    "starlette.applications.Starlette": "debug",
}
"""Calls that turn on a framework's debug mode, and the keyword that does it."""


class DebugModeInCode(Rule):
    """A framework's debug mode is switched on in code, not by the environment.

    `app.run(debug=True)` starts Flask with the Werkzeug debugger: anyone who can reach
    the server and trigger an error gets an interactive Python console on it.
    `FastAPI(debug=True)` and `Starlette(debug=True)` return tracebacks to clients, and
    `settings.configure(DEBUG=True)` shows settings and SQL on Django's error pages. Written
    in code, the switch travels to every environment the module runs in; read it from the
    environment or the settings of the environment instead. Test modules are left alone.

    **Bad**

    ```python
    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(debug=True)
    ```

    **Good**

    ```python
    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
    ```
    """

    id = "WEB407"
    name = "debug-mode-in-code"
    aliases = ("S201",)
    message = "`{call}({switch}=True)` turns on debug mode wherever this code runs"
    node_types = (ast.Call,)

    valid = (
        Valid("from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=False)\n"),
        Valid(
            "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            "app.run(debug=os.environ.get('FLASK_DEBUG') == '1')\n"
        ),
        Valid("from fastapi import FastAPI\n\napp = FastAPI(debug=settings.DEBUG)\n"),
        Valid("def f(runner):\n    runner.run(debug=True)\n"),
        Valid(
            "from flask import Flask\n\napp = Flask(__name__)\n\ndef test_app():\n"
            "    app.run(debug=True)\n",
            "tests/test_app.py",
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n"
            "    app.run(host='0.0.0.0', debug=True)\n",
            line=6,
        ),
        Invalid("from fastapi import FastAPI\n\napp = FastAPI(title='shop', debug=True)\n", line=3),
        Invalid("from django.conf import settings\n\nsettings.configure(DEBUG=True)\n", line=3),
        Invalid(
            "from werkzeug.serving import run_simple\n\n"
            "run_simple('0.0.0.0', 5000, app, use_debugger=True)\n",
            line=3,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Call)
        if not node.keywords or in_test_file(context.path):
            return
        qualified = qualified_callee(node.func, context)
        switch = _SWITCHES.get(qualified or "")
        if switch is None or not is_constant(keyword(node, switch), True):
            return
        call = ast.unparse(node.func)
        yield self.finding(node, context, self.message.format(call=call, switch=switch))
