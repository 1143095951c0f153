"""Shared knowledge: which qualified call names block the event loop."""

from __future__ import annotations

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

BLOCKING_CALLS = frozenset(
    {
        "time.sleep",
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "socket.create_connection",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen().wait",
        "subprocess.Popen().communicate",
        "os.system",
        "os.popen",
        "os.wait",
        "os.waitpid",
        "psycopg2.connect",
        "psycopg.connect",
        "sqlite3.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "redis.Redis",
        "redis.StrictRedis",
        "redis.Redis.from_url",
        "redis.from_url",
        "builtins.open",
        "builtins.input",
        "shutil.copyfile",
        "shutil.copy",
        "shutil.copytree",
        "shutil.rmtree",
    }
)
BLOCKING_PREFIXES = ("http.client.", "smtplib.SMTP", "ftplib.FTP")
PATH_IO_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open"})


def blocking_reason(qualified: str) -> str | None:
    """Why the call named ``qualified`` blocks, or ``None`` when it does not (as far as known)."""
    if qualified in BLOCKING_CALLS:
        return qualified.removeprefix("builtins.")
    if qualified.startswith(BLOCKING_PREFIXES):
        return qualified
    head, _, last = qualified.rpartition(".")
    if head in {"requests", "requests.Session()", "requests.sessions.Session()", "httpx"} and (
        last in HTTP_VERBS
    ):
        return qualified
    if head in {"redis.Redis()", "redis.StrictRedis()", "sqlite3.connect()"} or head.startswith(
        ("psycopg2.connect()", "sqlite3.connect().", "pymysql.connect()")
    ):
        return qualified
    if head.endswith(("pathlib.Path()", "pathlib.PurePath()")) and last in PATH_IO_METHODS:
        return qualified
    return None
