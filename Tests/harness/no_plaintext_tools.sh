#!/bin/sh
# NoPlaintextTests' spies and strace wrapper, one program that does what the name it is called
# by says. The test links it into ROOT/tools/ (ROOT: the workflow's kept sandbox directory,
# found here from the link's own path, without a fork) as:
#   xdg-open, cred-spy, mfa-spy  spies: record their arguments and environment in ROOT/spy/
#                                (outside the scanned trees), then xdg-open fetches its URL,
#                                cred-spy prints ROOT/fix/process.json, and mfa-spy prints the
#                                code of ROOT/fix/dave.seed (plaintext_probe.py totp);
#   awsenv                       the binary under test (ROOT/tools/bin links to its directory)
#                                under strace: every file operation of it and its children,
#                                one file per process, in ROOT/out/strace/.
# ROOT/tools/harness links to this directory (Tests/harness).
tools=${0%/*}
root=${tools%/*}
name=${0##*/}
if [ "$name" != awsenv ]; then
  cat /proc/$$/cmdline >"$root/spy/$name.$$.cmdline"
  cat /proc/$$/environ >"$root/spy/$name.$$.environ"
fi
case $name in
xdg-open)
  exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \
    "$1"
  ;;
cred-spy) cat "$root/fix/process.json" ;;
mfa-spy) exec python3 "$tools/harness/plaintext_probe.py" totp "$root/fix/dave.seed" ;;
awsenv)
  trace=$(mktemp "$root/out/strace/run.XXXXXX") || exit 70
  calls='openat,?open,?creat,rename,renameat,renameat2,link,linkat,mkdir,mkdirat'
  calls=$calls,write,truncate,ftruncate,unlink,unlinkat
  exec strace -ff -qq -y -s 0 --seccomp-bpf -e trace="$calls" -o "$trace" \
    "$tools/bin/awsenv" "$@"
  ;;
*)
  echo "no_plaintext_tools.sh: unknown tool $name" >&2
  exit 70
  ;;
esac
