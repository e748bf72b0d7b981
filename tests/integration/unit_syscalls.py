#!/usr/bin/env python3
"""The syscalls a unit's SystemCallFilter= lines allow, one a line.

    unit_syscalls.py UNIT_FILE

Groups are expanded as this machine's systemd defines them (`systemd-analyze
syscall-filter`); lines combine as systemd.exec(5) says: the first line is an
allow list (no "~"), later lines add to it or ("~") take from it. systemd
also always allows what it needs to start the binary (execve, exit, ...,
time queries and sleeping): added here too.
"""
import re
import subprocess
import sys

IMPLICIT = """execve exit exit_group getrlimit rt_sigreturn sigreturn clock_getres clock_getres_time64
clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 gettimeofday nanosleep time""".split()


def groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True, capture_output=True, text=True).stdout
    found, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = found.setdefault(line.split()[0], [])
        elif not line.strip() or not line.startswith(" "):
            current = None  # a blank line, or the "# Unlisted system calls" section
        elif current is not None and not line.strip().startswith("#"):
            current.append(line.strip())
    return found


def expand(name, g, seen=()):
    if not name.startswith("@"):
        return {name}
    if name not in g:
        sys.exit(f"unit_syscalls: unknown group {name}")
    out = set()
    for member in g[name]:
        if member not in seen:
            out |= expand(member, g, seen + (name,))
    return out


def main():
    g = groups()
    allowed = None
    for line in open(sys.argv[1]):
        m = re.match(r"\s*SystemCallFilter=(.*)", line)
        if not m:
            continue
        value = m.group(1).strip()
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item.split(":")[0], g)
        if allowed is None:
            if deny:
                sys.exit("unit_syscalls: the first SystemCallFilter= is a deny list; this test expects an allow list")
            allowed = names | set(IMPLICIT)
        elif deny:
            allowed -= names
        else:
            allowed |= names
    if allowed is None:
        sys.exit("unit_syscalls: no SystemCallFilter= in " + sys.argv[1])
    print("\n".join(sorted(allowed)))


main()
