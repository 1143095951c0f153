"""SEC203 and SEC205-SEC210 beyond single cases: data flow, placeholders, fix safety."""

from __future__ import annotations

import pytest
from rule_support import fixed, found, only

SHELL = "import os\nimport shlex\nimport subprocess\n\ndef run(user_input):\n{body}"


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("    os.system('make build')\n", False),
        ("    cmd = 'make'\n    cmd += ' build'\n    os.system(cmd)\n", False),
        ("    cmd = 'ls ' + shlex.quote(user_input)\n    os.system(cmd)\n", False),
        ("    os.system(f'ls {shlex.quote(user_input)}')\n", False),
        ("    subprocess.run(['ls', user_input], check=True)\n", False),
        ("    subprocess.run(user_input, shell=False)\n", False),
        ("    cmd = 'ls '\n    cmd += user_input\n    os.system(cmd)\n", True),
        ("    cmd = 'ls'\n    cmd = cmd + ' ' + user_input\n    os.popen(cmd)\n", True),
        ("    subprocess.check_output('grep %s log' % user_input, shell=True)\n", True),
        ("    for path in user_input:\n        os.system('rm ' + path)\n", True),
    ],
)
def test_shell_injection_follows_the_command_through_locals(body: str, reported: bool) -> None:
    assert bool(found(SHELL.format(body=body), "SEC203")) is reported


def test_the_shlex_fix_is_never_safe() -> None:
    finding = only(SHELL.format(body="    subprocess.run(user_input, shell=True)\n"), "SEC203")
    assert finding.fix is not None and not finding.fix.safe


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        ("SECRET_KEY = 'k3#9xL!q2Zr8'", True),
        ("db_password = 'S3cr3t!pass'", True),
        ("settings(api_key='sk_live_4eC39HqLyjWDarjtT1zdp7dc')", True),
        ("password = ''", False),
        ("password = 'changeme'", False),
        ("api_key = '<your-api-key>'", False),
        ("API_KEY = 'OPENAI_API_KEY'", False),
        ("token_url = '/api/token'", False),
        ("password_reset_timeout = 'three days'", False),
        ("AUTH_TOKEN = '${AUTH_TOKEN}'", False),
        ("token_type = 'bearer'", False),
    ],
)
def test_hardcoded_secrets_skip_placeholders_and_names(line: str, reported: bool) -> None:
    assert bool(found(line + "\n", "SEC206")) is reported


def test_secrets_in_test_modules_are_fixtures() -> None:
    assert found("password = 'S3cr3t!pass'\n", "SEC206", "app/tests.py") == []


def test_tls_checks_are_not_settings() -> None:
    code = (
        "import ssl\n\n"
        "if ctx.verify_mode == ssl.CERT_NONE:\n    warn()\n"
        "ctx.verify_mode = ssl.CERT_REQUIRED\n"
        "ctx.verify_mode = ssl.CERT_NONE\n"
    )
    assert found(code, "SEC205") == [("SEC205", 6)]


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        ("hashlib.sha256(salt + password.encode())", False),
        ("hashlib.md5(salt + password.encode())", True),  # salted MD5 is still MD5
        ("hashlib.sha256(password.encode())", True),
        ("hashlib.sha256(payload)", False),
        ("hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000)", False),
    ],
)
def test_password_hashes(call: str, reported: bool) -> None:
    assert bool(found(f"import hashlib\n\n{call}\n", "SEC210")) is reported


def test_cors_needs_both_wildcard_and_credentials() -> None:
    base = "app.add_middleware(CORSMiddleware, allow_origins={origins}, allow_credentials={cred})\n"
    assert found(base.format(origins="['*']", cred="True"), "SEC209") == [("SEC209", 1)]
    assert found(base.format(origins="['*']", cred="False"), "SEC209") == []
    assert found(base.format(origins="['https://a.example']", cred="True"), "SEC209") == []


def test_the_shlex_fix_keeps_a_one_argument_per_line_layout() -> None:
    code = (
        "import subprocess\n\ndef f(p):\n"
        "    subprocess.run(\n        f'ls {p}',\n        shell=True,\n    )\n"
    )
    assert fixed(code, "SEC203") == (
        "import subprocess\nimport shlex\n\ndef f(p):\n"
        "    subprocess.run(\n        shlex.split(f'ls {p}'),\n    )\n"
    )
