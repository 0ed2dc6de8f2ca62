"""Who holds a piece of work (a harvest run, a validation job): the token of the process stored on it,
and whether that process still lives.

Work records ``host:pid:start`` (the start time of the process, from ``/proc``, tells a reused PID
apart). On the same host a dead holder is seen at once; elsewhere the caller's own clue decides (a
harvest run's heartbeat). Nothing here touches the database, so a bare subprocess can compute its own
token.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None when absent."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name sits in parentheses and may itself hold spaces or parentheses.
    return stat.rsplit(")", 1)[-1].split()


def _start_time(pid: int) -> str:
    fields = _stat_fields(pid)
    # starttime is the 22nd field of stat; the list starts at the 3rd (state).
    return fields[19] if fields and len(fields) > 19 else ""


def process_token(pid: int | None = None) -> str:
    """``host:pid:start`` of this process (or of ``pid``): what a run records as its holder."""
    pid = pid or os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def _alive(pid: int, start: str) -> bool:
    if PROC.is_dir():
        fields = _stat_fields(pid)
        if fields is None:
            return False
        # A zombie is dead (its parent has not reaped it yet); another start time is another process.
        return fields[0] not in ("Z", "X", "x") and (not start or _start_time(pid) == start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_pid(token: str) -> int | None:
    """The PID of the process named by ``token`` when it is known to be dead, else None.

    None also means "cannot tell" (another host, an empty or foreign token).
    """
    host, _, rest = token.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid() and (not start or start == _start_time(pid)):
        return None
    if _alive(pid, start):
        return None
    return pid
