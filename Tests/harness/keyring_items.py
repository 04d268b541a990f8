"""Every awsenv item of `secret-tool search --all` (stdin), for fault_lib.sh's `keyring`.

Prints each item's lines sorted (label, secret unless locked, times, attributes; path and
schema left out), items in sorted order, and a `BAD secret of ...` line for a secret that is
not a JSON object.
"""
import json
import sys

items, item = [], None
for line in sys.stdin.read().splitlines():
    if line.startswith("[/"):
        item = []
        items.append(item)
    elif item is not None and line.strip() and not line.startswith("schema = "):
        item.append(line)
shown = []
for item in items:
    item.sort()
    for line in item:
        if line.startswith("secret = "):
            try:
                good = isinstance(json.loads(line[len("secret = "):]), dict)
            except ValueError:
                good = False
            if not good:
                names = [entry for entry in item if entry.startswith("attribute.")]
                shown.append("BAD secret of " + " ".join(names))
    shown.append("\n".join(item))
print("\n\n".join(sorted(shown)))
