"""Shared knowledge: which qualified call names block the event loop.

Three surfaces block a coroutine: processes (start, run, wait), the filesystem (``os``,
``os.path``, ``shutil``, pathlib) and sync network clients (requests, httpx's ``Client``
and module functions, urllib3, ``urllib.request``, sync database drivers). Names are
qualified (``pathlib.Path().exists``, ``httpx.Client().get``) by the module facts and the
local data flow, so async look-alikes (``anyio.Path``, ``trio.Path``, ``aiofiles``,
``httpx.AsyncClient``) never match.
"""

from __future__ import annotations

import re

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

SYNC_HTTP_CLIENTS = frozenset(
    {
        "requests",
        "requests.api",
        "requests.Session()",
        "requests.session()",
        "requests.sessions.Session()",
        "httpx",
        "httpx.Client()",
        "urllib3",
        "urllib3.PoolManager()",
        "urllib3.poolmanager.PoolManager()",
        "urllib3.HTTPConnectionPool()",
        "urllib3.HTTPSConnectionPool()",
        "urllib3.connection_from_url()",
    }
)
"""Receivers (modules or client instances) whose HTTP verbs block the calling thread."""
_HTTP_SENDERS = HTTP_VERBS | {"send", "stream", "urlopen"}

_PROCESS_CALLS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "subprocess.Popen().wait",
        "subprocess.Popen().communicate",
        "os.system",
        "os.popen",
        "os.wait",
        "os.wait3",
        "os.wait4",
        "os.waitid",
        "os.waitpid",
    }
)
"""Calls that wait for a process. Starting one (``Popen``, ``os.posix_spawn``, ``os.spawn*``
with ``P_NOWAIT``) is a fork and exec, what asyncio's own subprocess support does too."""
_SPAWN = re.compile(r"^os\.spawn[lv]p?e?$")
_WAIT_FOR_CHILD = "os.P_WAIT"

_FILESYSTEM_CALLS = frozenset(
    {
        "builtins.open",
        "os.listdir",
        "os.scandir",
        "os.walk",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.copyfileobj",
        "shutil.copytree",
        "shutil.rmtree",
        "shutil.move",
        "shutil.make_archive",
        "shutil.unpack_archive",
    }
)
"""Filesystem calls that read, write or walk: their cost grows with the data or the tree."""
_METADATA_CALLS = frozenset(
    {
        "os.stat",
        "os.lstat",
        "os.remove",
        "os.unlink",
        "os.rename",
        "os.renames",
        "os.replace",
        "os.mkdir",
        "os.makedirs",
        "os.rmdir",
        "os.removedirs",
        "os.chmod",
        "os.chown",
        "os.link",
        "os.symlink",
        "os.readlink",
        "os.truncate",
        "os.utime",
        "os.path.exists",
        "os.path.lexists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.islink",
        "os.path.ismount",
        "os.path.getsize",
        "os.path.getmtime",
        "os.path.getatime",
        "os.path.getctime",
        "os.path.samefile",
        "shutil.copymode",
        "shutil.copystat",
        "shutil.disk_usage",
        "shutil.chown",
    }
)
"""One filesystem system call each (``stat``, ``unlink``...): blocking, but briefly on a local
disk, so only a call written in the coroutine itself is reported, not one a helper makes."""
PATH_IO_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "open",
        "iterdir",
        "glob",
        "rglob",
        "walk",
    }
)
_PATH_METADATA_METHODS = frozenset(
    {
        "exists",
        "stat",
        "lstat",
        "is_dir",
        "is_file",
        "is_symlink",
        "mkdir",
        "unlink",
        "rmdir",
        "rename",
        "replace",
        "touch",
        "chmod",
        "samefile",
        "readlink",
        "symlink_to",
        "hardlink_to",
        "owner",
        "group",
    }
)
_PATH = re.compile(
    r"^pathlib\.(?:Pure)?(?:Posix|Windows)?Path(?:\.cwd|\.home)?\(\)"
    r"(?:\.(?:parent|with_name\(\)|with_stem\(\)|with_suffix\(\)|joinpath\(\)|resolve\(\)"
    r"|absolute\(\)|expanduser\(\)))*$"
)
"""A pathlib path, also one derived from another (``Path(p).parent``, ``.with_suffix()``)."""

_OTHER_CALLS = frozenset(
    {
        "time.sleep",
        "builtins.input",
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "urllib.request.build_opener().open",
        "socket.create_connection",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "psycopg2.connect",
        "psycopg.connect",
        "sqlite3.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "redis.Redis",
        "redis.StrictRedis",
        "redis.Redis.from_url",
        "redis.from_url",
    }
)
BLOCKING_CALLS = _PROCESS_CALLS | _FILESYSTEM_CALLS | _OTHER_CALLS
BLOCKING_PREFIXES = ("http.client.", "smtplib.SMTP", "ftplib.FTP")


def blocking_reason(qualified: str, *, direct: bool = True) -> str | None:
    """Why the call named ``qualified`` blocks, or ``None`` when it does not (as far as known).

    ``direct`` is for a call written in the coroutine itself; a helper's calls
    (``direct=False``) leave out the single, brief filesystem system calls.
    """
    if qualified in BLOCKING_CALLS or (direct and qualified in _METADATA_CALLS):
        return qualified.removeprefix("builtins.")
    if qualified.startswith(BLOCKING_PREFIXES):
        return qualified
    head, _, last = qualified.rpartition(".")
    if head in SYNC_HTTP_CLIENTS and last in _HTTP_SENDERS:
        return qualified
    if head in {"redis.Redis()", "redis.StrictRedis()", "sqlite3.connect()"} or head.startswith(
        ("psycopg2.connect()", "sqlite3.connect().", "pymysql.connect()")
    ):
        return qualified
    methods = PATH_IO_METHODS | _PATH_METADATA_METHODS if direct else PATH_IO_METHODS
    if last in methods and _PATH.match(head):
        return qualified
    return None


def process_wait_reason(qualified: str, mode: str | None, *, in_with: bool) -> str | None:
    """A process start that waits for the child: ``os.spawn*(os.P_WAIT, ...)`` (``mode`` is
    the qualified first argument), and ``with subprocess.Popen(...)``, whose exit waits for
    the process to end."""
    if _SPAWN.match(qualified) and mode == _WAIT_FOR_CHILD:
        return qualified
    if in_with and qualified == "subprocess.Popen":
        return "with subprocess.Popen(...)"
    return None
