"""Sends a signal to awsenv at a chosen moment, for fault_lib.sh's `signal`.

Watches the descendants of --root for the first that runs --exe with --command as its first
argument, and sends --signal (default INT) --after ms after it appeared (to --pid instead,
when given), once --pending's URL lists a pending device authorization (when given). Creates
--ready once it watches; stops at --until's appearance or after 30 s.
"""
import argparse
import json
import os
import signal
import sys
import time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--root", type=int, required=True)
parser.add_argument("--exe", required=True)
parser.add_argument("--after", type=float, default=0)
parser.add_argument("--signal", default="INT")
parser.add_argument("--pid", type=int)
parser.add_argument("--command", required=True)
parser.add_argument("--pending")
parser.add_argument("--ready", required=True)
parser.add_argument("--until", required=True)
args = parser.parse_args()
exe = os.path.realpath(args.exe)
number = getattr(signal, "SIG" + args.signal)
command = args.command.encode()


def descendants(root):
    found, todo = [], [root]
    while todo:
        parent = todo.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as file:
                children = [int(pid) for pid in file.read().split()]
        except OSError:
            children = []
        found += children
        todo += children
    return found


def pending():
    with urllib.request.urlopen(args.pending) as answer:
        return any(entry["status"] == "pending" for entry in json.load(answer))


open(args.ready, "w").close()
deadline = time.monotonic() + 30
while time.monotonic() < deadline and not os.path.exists(args.until):
    target = None
    for pid in descendants(args.root):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                argv = file.read().split(b"\0")
            if os.readlink(f"/proc/{pid}/exe") == exe and argv[1:2] == [command]:
                target = pid
                break
        except (OSError, IndexError):
            pass
    if target is not None:
        seen = time.monotonic()
        while args.pending and not pending():
            if time.monotonic() > deadline:
                sys.exit("no pending device authorization")
            time.sleep(0.02)
        time.sleep(max(0, seen + args.after / 1000 - time.monotonic()))
        victim = args.pid or target
        try:
            os.kill(victim, number)
        except ProcessLookupError:
            continue  # it ended meanwhile
        late = (time.monotonic() - seen) * 1000
        print(f"sent {args.signal} to {victim} {late:.0f} ms after awsenv {target} appeared")
        sys.exit(0)
    time.sleep(0.0005)
sys.exit("awsenv was not seen running")
