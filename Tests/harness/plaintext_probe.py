#!/usr/bin/env python3
"""Helpers of NoPlaintextTests that run inside the sandbox. Neither takes a secret as an argument.

    python3 Tests/harness/plaintext_probe.py sample --env NAME=VALUE --out FILE [--ready FILE]
                                                    [--interval S]
        Samples the argument lists (/proc/PID/cmdline) of the sandbox's processes until SIGTERM
        or SIGINT, then writes what it saw to FILE as JSON: {"iterations": N, "processes":
        [{"pid", "comm", "cmdline" (base64 of the raw NUL-separated bytes)}]}, one entry per
        distinct (pid, argument list). A process belongs to the sandbox when its environment
        holds NAME=VALUE (XDG_RUNTIME_DIR of the sandbox, say) or its parent belongs to it, so a
        child whose environment was cleaned is still seen. The environments it reads are used
        for that only: nothing of them is written. --ready FILE is created after the first pass.

    python3 Tests/harness/plaintext_probe.py totp SEED_FILE
        The current TOTP code (RFC 6238, as sts_server.py checks it) of the base32 seed in
        SEED_FILE, so the seed never appears in an argument list.
"""

import argparse
import base64
import json
import os
import signal
import sys
import time


def read(path):
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None


def stat_fields(pid):
    """(start time, parent pid) from /proc/PID/stat, or None when the process is gone."""
    data = read(f"/proc/{pid}/stat")
    if not data:
        return None
    # comm may hold spaces and parentheses: the fields start after the last ')'.
    fields = data[data.rindex(b")") + 2 :].split()
    return int(fields[19]), int(fields[1])


def sample(args):
    marker = args.env.encode() + b"\0"
    me = os.getpid()
    stop = False

    def on_signal(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # (pid, start time) -> True when the process belongs to the sandbox.
    members = {}
    seen = {}  # (pid, cmdline) -> comm
    iterations = 0
    while not stop:
        iterations += 1
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        info = {}
        for pid in pids:
            if pid == me:
                continue
            fields = stat_fields(pid)
            if fields is not None:
                info[pid] = fields
        # Parents first, so a child is classified after its parent.
        for pid in sorted(info, key=lambda p: info[p][0]):
            start, parent = info[pid]
            key = (pid, start)
            if key not in members:
                environ = read(f"/proc/{pid}/environ") or b""
                parent_key = (parent, info[parent][0]) if parent in info else None
                members[key] = (b"\0" + environ).find(b"\0" + marker) >= 0 or bool(
                    parent_key and members.get(parent_key)
                )
            if not members[key]:
                continue
            cmdline = read(f"/proc/{pid}/cmdline")
            if cmdline:
                comm = (read(f"/proc/{pid}/comm") or b"").decode("utf-8", "replace").strip()
                seen.setdefault((pid, cmdline), comm)
        if iterations == 1 and args.ready:
            open(args.ready, "w").close()
        time.sleep(args.interval)
    result = {
        "iterations": iterations,
        "processes": [
            {"pid": pid, "comm": comm, "cmdline": base64.b64encode(cmdline).decode("ascii")}
            for (pid, cmdline), comm in seen.items()
        ],
    }
    temporary = args.out + ".part"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(result, file)
    os.replace(temporary, args.out)


def totp(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from sts_server import totp as code  # Tests/harness/sts_server.py

    with open(args.seed_file, encoding="ascii") as file:
        print(code(file.read().strip()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sampler = commands.add_parser("sample")
    sampler.add_argument("--env", required=True)
    sampler.add_argument("--out", required=True)
    sampler.add_argument("--ready")
    sampler.add_argument("--interval", type=float, default=0.01)
    generator = commands.add_parser("totp")
    generator.add_argument("seed_file")
    args = parser.parse_args()
    {"sample": sample, "totp": totp}[args.command](args)


if __name__ == "__main__":
    main()
