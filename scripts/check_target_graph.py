#!/usr/bin/env python3
"""Checks the libraries of actors/ against the code (docs/design.md, "Targets").

Reads every add_library, add_executable and target_link_libraries of actors/ (one
CMakeLists.txt per folder) and fails when
  - the graph of hlsfs_* libraries has a cycle,
  - a file of actors/ includes a header of another library that its own
    library does not depend on (directly or through others),
  - a .cpp of actors/ belongs to no library, or to two.
A header belongs to the library of the .cpp with its name, or, header only,
to the one named in HEADER_ONLY below. Usage: check_target_graph.py [SRC]
(SRC: the source tree, by default this script's parent). --dot prints the
graph for Graphviz.
"""
import os
import re
import sys

HEADER_ONLY = {
    "actors/messages.h": "hlsfs_messages",
    "actors/services.h": "hlsfs_services",
    "actors/tunables.h": "hlsfs_services",
    "actors/playlist/catalog_keys.h": "hlsfs_playlist",
    "actors/playlist/catalog_store.h": "hlsfs_playlist",
    "actors/playlist/lru_cache.h": "hlsfs_playlist",
    "actors/playlist/title_finder.h": "hlsfs_playlist",
    "actors/segment_cache/open_segments.h": "hlsfs_segment_cache",
    "actors/notify/notifier.h": "hlsfs_notify_logic",
    "actors/library/library_settings.h": "hlsfs_library",
    "actors/transcoder/av_util.h": "hlsfs_media",
}

ARGS_RE = r"\(\s*([A-Za-z0-9_-]+)\s+([^)]*)\)"


def cmake_files(src):
    for root, _, files in os.walk(os.path.join(src, "actors")):
        for f in files:
            if f == "CMakeLists.txt" or f.endswith(".cmake"):
                yield os.path.join(root, f)


def parse(src):
    sources, deps = {}, {}
    for path in cmake_files(src):
        here = os.path.dirname(path)
        text = re.sub(r"#[^\n]*", "", open(path).read())
        for name, body in re.findall(r"add_(?:library|executable)" + ARGS_RE, text):
            words = body.split()
            deps.setdefault(name, set())
            for w in words[1:] if words and words[0] in ("STATIC", "SHARED", "OBJECT", "INTERFACE") else words:
                w = w.replace("${CMAKE_CURRENT_LIST_DIR}", here).replace("${CMAKE_CURRENT_SOURCE_DIR}", here)
                full = os.path.normpath(w if os.path.isabs(w) else os.path.join(here, w))
                sources.setdefault(os.path.relpath(full, src), []).append(name)
        for name, body in re.findall(r"target_link_libraries" + ARGS_RE, text):
            deps.setdefault(name, set()).update(w for w in body.split() if w.startswith("hlsfs_"))
    return sources, deps


def find_cycle(deps):
    state = {}

    def visit(n, path):
        state[n] = 1
        for d in sorted(deps.get(n, ())):
            if state.get(d) == 1:
                return path[path.index(d):] + [d] if d in path else path + [d]
            if d not in state:
                c = visit(d, path + [d])
                if c:
                    return c
        state[n] = 2
        return None

    for n in sorted(deps):
        if n not in state:
            c = visit(n, [n])
            if c:
                return c
    return None


def reachable(deps, start):
    seen, todo = set(), [start]
    while todo:
        n = todo.pop()
        for d in deps.get(n, ()):
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), ".."))
    sources, deps = parse(src)
    if "--dot" in sys.argv:
        print("digraph hlsfs {")
        for n in sorted(deps):
            for d in sorted(deps[n]):
                if d in deps:
                    print(f'  "{n}" -> "{d}";')
        print("}")
        return 0
    errors = []
    cycle = find_cycle({n: {d for d in ds if d in deps} for n, ds in deps.items()})
    if cycle:
        errors.append("cycle: " + " -> ".join(cycle))
    owner = {}
    for f, names in sources.items():
        if len(names) > 1:
            errors.append(f"{f}: in {', '.join(names)}")
        owner[f] = names[0]
    for f, t in HEADER_ONLY.items():
        owner.setdefault(f, t)
    files = []
    for root, _, names in os.walk(os.path.join(src, "actors")):
        files += [os.path.relpath(os.path.join(root, n), src) for n in names if n.endswith((".cpp", ".h"))]
    for f in sorted(files):
        if f.endswith(".cpp") and f not in owner:
            errors.append(f"{f}: in no library")
    for f in files:
        if f.endswith(".h") and f not in owner:
            cpp = f[:-2] + ".cpp"
            if cpp in owner:
                owner[f] = owner[cpp]
            else:
                errors.append(f"{f}: header only, in no library (add it to HEADER_ONLY in {sys.argv[0]})")
    for f in sorted(files):
        mine = owner.get(f)
        if not mine:
            continue
        allowed = reachable(deps, mine) | {mine}
        for inc in re.findall(r'^\s*#\s*include\s+"(actors/[^"]+)"', open(os.path.join(src, f)).read(), re.M):
            theirs = owner.get(inc)
            if theirs and theirs not in allowed:
                errors.append(f"{f} ({mine}) includes {inc} ({theirs}), not among its dependencies")
    for e in errors:
        print(e)
    if not errors:
        print(f"{len(deps)} libraries, acyclic; {len(files)} files include only what their library depends on")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
