#!/usr/bin/env python3
"""Turns one run's measurements (bench/run.sh) into bench/RESULTS.md: medians, ratios from the
same run, and each target of the performance issue, met or not.

    report.py RESULTS-DIR AWSENV-BINARY >bench/RESULTS.md
"""

import datetime
import json
import os
import platform
import subprocess
import sys

results, binary = sys.argv[1], sys.argv[2]


def load(name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return {r["command"]: r for r in json.load(handle)["results"]}


def facts():
    found = {}
    for name in ("facts-switch.tsv", "facts-scale.tsv", "facts-server.tsv"):
        path = os.path.join(results, name)
        if os.path.exists(path):
            for line in open(path):
                key, _, value = line.rstrip("\n").partition("\t")
                found[key] = value
    return found


def median_ms(table, name):
    entry = table.get(name)
    return entry["median"] * 1000 if entry else None


def fmt(ms):
    if ms is None:
        return "—"
    return f"{ms:.3f}" if ms < 1 else f"{ms:.1f}"


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "—"


def verdict(ok):
    return "met" if ok else "**not met**"


def machine():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024 // 1024 + 1} GiB"
    except OSError:
        pass
    distro = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass

    def version(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "absent"

    return [
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {memory}; {distro}, Linux {platform.release()}",
        f"- awsenv {version([binary, '--version'])} (release, `--static-swift-stdlib`); "
        f"{version(['swift', '--version'])}",
        f"- Peers: awsume {version([os.path.join(os.path.dirname(results), 'venv/bin/awsumepy'), '-v'])}; "
        f"{version(['/usr/bin/aws', '--version'])}; {version(['curl', '--version'])[:12]}; "
        f"{version(['hyperfine', '--version'])}",
    ]


use = load("use-cached")
startup = load("startup")
cold = load("use-cold")
found = facts()
out = ["# Benchmark results", "", "Written by `make bench` (bench/run.sh); medians of hyperfine runs "
       "in one sandbox (private D-Bus, gnome-keyring, moto as STS on loopback). The targets compare "
       "ratios from this one run.", ""]
out += machine()
out += ["", "## 1. Switching with a cached session (the whole bash function)", "",
        "| command | median ms | × secret-tool lookup |", "|---|---:|---:|"]
floor = median_ms(use, "secret-tool lookup")
for name in use:
    out.append(f"| {name} | {fmt(median_ms(use, name))} | {ratio(median_ms(use, name), floor)} |")
for name in startup:
    out.append(f"| {name} (start-up alone, no shell) | {fmt(median_ms(startup, name))} | |")

out += ["", "## 2. One AssumeRole", "", "| command | median ms | × curl |", "|---|---:|---:|"]
curl = median_ms(cold, "curl --aws-sigv4 AssumeRole")
for name in cold:
    out.append(f"| {name} | {fmt(median_ms(cold, name))} | {ratio(median_ms(cold, name), curl)} |")

out += ["", "## 3. The prompt hook, 1,000 prompts", "",
        "Per prompt: (loop with the hook − the same loop without it) / 1,000. \"unchanged\": the "
        "usual prompt (the segment is reused); \"changed\": the segment recomputed every time (as "
        "when the minutes left change). Processes: fork/clone/vfork calls seen by `strace -f` "
        "over the 1,000 recomputing prompts, minus the loop without the hook.", "",
        "| shell | ms per prompt, unchanged | ms per prompt, changed | processes per 1,000 prompts |",
        "|---|---:|---:|---:|"]
prompt = {}
for shell in ("bash", "zsh", "fish"):
    row = []
    for mode in ("unchanged", "changed"):
        table = load(f"prompt-{shell}-{mode}")
        hook, none = median_ms(table, f"{shell} hook"), median_ms(table, f"{shell} none")
        per = (hook - none) / 1000 if hook is not None and none is not None else None
        prompt[(shell, mode)] = per
        row.append(f"{per:.4f}" if per is not None else "—")
    out.append(f"| {shell} | {row[0]} | {row[1]} | {found.get(f'forks-1000-prompts-{shell}', '—')} |")

out += ["", "## 4. Completion and `list` as the config and the keyring grow", "",
        "N profiles in ~/.aws/config (half with keys, half roles) and N awsenv items in the login "
        "collection (half keys, half sessions).", "",
        "`list` keeps an index of item paths in $XDG_CACHE_HOME/awsenv/keyring-index: warm = "
        "every item known (one SearchItems, no attribute read), the usual case; cold = no index "
        "(every item's attributes read, the index written), the first `list` or after the "
        "keyring daemon restarted. SearchItems alone: bench/floor.c, in process.", "",
        "| N | items found | completion ms | `awsenv list` ms, warm | `awsenv list` ms, cold "
        "| SearchItems ms | `secret-tool search --all` ms |",
        "|---:|---:|---:|---:|---:|---:|---:|"]
scale = {}
cold_list = {}
for count in (50, 500, 5000):
    table = load(f"scale-{count}")
    if not table:
        continue
    completion = median_ms(table, f"completion {count}")
    listing = median_ms(table, f"awsenv list {count}")
    search = median_ms(table, f"secret-tool search --all {count}")
    scale[count] = (completion, listing)
    cold_list[count] = median_ms(load(f"scale-cold-{count}"), f"awsenv list cold {count}")
    searched = found.get(f"floor-list-search-{count}")
    out.append(f"| {count} | {found.get(f'items-{count}', '—')} | {fmt(completion)} | "
               f"{fmt(listing)} | {fmt(cold_list[count])} | {fmt(float(searched) if searched else None)} | "
               f"{fmt(search)} |")

out += ["", "## 5. Peak memory (max RSS of 5 runs, MiB)", "", "| command | MiB |", "|---|---:|"]
peaks = {}
for name, value in found.items():
    if name.startswith("rss-"):
        mib = int(value) / 1024
        peaks[name[4:]] = mib
        out.append(f"| {name[4:]} | {mib:.1f} |")

# The floor, measured in-process (bench/floor.c).
def num(name):
    try:
        return float(found[name])
    except (KeyError, ValueError):
        return None


out += ["", "## The floor: the keyring work alone, in one C process (bench/floor.c)", "",
        "What the fastest possible client pays the Secret Service, without starting a process: "
        "medians over fresh processes.", "", "| step | ms |", "|---|---:|"]
for part, label in (("connect", "connect to the bus"), ("service", "Secret Service proxy"),
                    ("session", "DH session (OpenSession)"), ("search", "SearchItems"),
                    ("secret", "GetSecrets"), ("total", "one lookup in all")):
    out.append(f"| {label} | {fmt(num('floor-lookup-' + part))} |")
out.append(f"| one store (CreateItem, session already open) | {fmt(num('floor-store'))} |")
if num("floor-curl-load") is not None:
    out.append(f"| load libcurl + curl_global_init (dlopen) | {fmt(num('floor-curl-load'))} "
               f"(+{num('floor-curl-rss-kib') / 1024:.1f} MiB resident) |")
for count in (50, 500, 5000):
    total, per = num(f"floor-list-total-{count}"), num(f"floor-list-us-per-item-{count}")
    if total is not None:
        out.append(f"| list {count} items (SearchItems + one Properties.Get each, 16 in flight) | "
                   f"{fmt(total)} ({per:.0f} µs per item) |")

# Targets.
out += ["", "## Targets", "", "| target | measured | |", "|---|---|---|"]
cached = median_ms(use, "awsenv use (role, cached)")
keys = median_ms(use, "awsenv use (keys)")
awsume = median_ms(use, "awsume")
if cached and floor:
    worst = max(cached, keys or 0)
    out.append(f"| cached `use` ≤ 1.2 × secret-tool lookup | role {cached / floor:.2f}×, keys "
               f"{(keys or 0) / floor:.2f}× | {verdict(worst / floor <= 1.2)} |")
if cached and awsume:
    out.append(f"| cached `use` ≥ 40 × faster than awsume | {awsume / max(cached, keys or 0):.0f}×; "
               f"the floor (secret-tool lookup) is {awsume / floor:.0f}× faster than awsume | "
               f"{verdict(awsume / max(cached, keys or 0) >= 40)} |")
request, request_p90 = num("server-request-median-ms"), num("server-request-p90-ms")
if request is not None:
    out.append(f"| one credential request to `exec --server` ≤ 2 ms (cached session, loopback) | "
               f"{request:.2f} ms median, {request_p90:.2f} ms p90 | {verdict(request <= 2)} |")
refresh = median_ms(cold, "awsenv use --refresh (role)")
if refresh and curl:
    floor_cold = ""
    lookup, store = num("floor-lookup-total"), num("floor-store")
    if lookup and store:
        bound = curl + lookup + store
        floor_cold = (f"; floor = curl + one lookup + one store in-process = {bound:.1f} ms = "
                      f"{bound / curl:.2f}× curl")
    out.append(f"| cold `use` ≤ 1.5 × one curl --aws-sigv4 | {refresh / curl:.2f}×{floor_cold} | "
               f"{verdict(refresh / curl <= 1.5)} |")
for shell in ("bash", "zsh"):
    per = prompt.get((shell, "unchanged"))
    forks = found.get(f"forks-1000-prompts-{shell}")
    if per is not None:
        out.append(f"| prompt: 0 forks, < 0.1 ms ({shell}) | {forks} processes, {per:.4f} ms "
                   f"(recomputed: {prompt.get((shell, 'changed')) or 0:.4f} ms) | "
                   f"{verdict(forks == '0' and per < 0.1)} |")
if 5000 in scale:
    completion, listing = scale[5000]
    out.append(f"| completion at 5,000 < 20 ms | {fmt(completion)} ms | {verdict(completion < 20)} |")
    floor_list = num("floor-list-total-5000")
    list_cold = cold_list.get(5000)
    out.append(f"| list at 5,000 < 100 ms (warm index) | {fmt(listing)} ms | "
               f"{verdict(listing < 100)} |")
    if list_cold is not None:
        out.append(f"| list at 5,000 < 100 ms (cold index: first list, or after the keyring "
                   f"daemon restarted) | {fmt(list_cold)} ms; floor (reading 5,000 items' "
                   f"attributes in-process) {fmt(floor_list)} ms | {verdict(list_cold < 100)} |")
    if 500 in scale:
        grow = [scale[5000][i] / scale[500][i] for i in (0, 1)]
        cold_grow = ""
        if cold_list.get(500) and list_cold is not None:
            cold_grow = f"; cold list {list_cold / cold_list[500]:.0f}×"
        floor_grow = ""
        f500, f5000 = num("floor-list-total-500"), num("floor-list-total-5000")
        if f500 and f5000:
            floor_grow = f" (the floor of a full read grows {f5000 / f500:.0f}×)"
        out.append(f"| both grow no worse than linearly (500 → 5,000: ≤ 10×) | completion "
                   f"{grow[0]:.1f}×, warm list {grow[1]:.1f}×{cold_grow}{floor_grow} | "
                   f"{verdict(max(grow) <= 10)} (warm) |")
awsenv_peaks = {name: mib for name, mib in peaks.items() if name.startswith("awsenv")}
if awsenv_peaks:
    worst = max(awsenv_peaks, key=awsenv_peaks.get)
    curl_kib = num("floor-curl-rss-kib")
    note = ""
    if curl_kib and "awsenv use (role, cached)" in awsenv_peaks:
        note = (f"; loading libcurl and OpenSSL alone adds {curl_kib * 1.024 / 1000:.1f} MB "
                f"(bench/floor.c) to the {awsenv_peaks['awsenv use (role, cached)'] * 1.048576:.1f} MB"
                f" of a cached use")
    out.append(f"| peak memory < 25 MB, every command | largest: {worst}, "
               f"{awsenv_peaks[worst] * 1.048576:.1f} MB{note} | "
               f"{verdict(awsenv_peaks[worst] * 1.048576 < 25)} |")
print("\n".join(out))
