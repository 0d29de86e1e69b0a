"""Rewrite deprecated `backends:` overrides in case files as `requires:` + `otherwise:`.

    python conformance/tools/convert_cases.py [FILE_OR_DIR ...]   (default: conformance/cases)

`backends: {sqlite: R}` becomes `requires: [postgresql]` + `otherwise: R` (and
`backends: {postgres: R}` becomes `requires: [sqlite]`), which is what the loader reads
the old form as. The edit is textual, so comments and layout stay; each rewritten file is
re-read and must give every server the same expectations as before, else it is left
untouched and reported. Afterwards, consider naming the real capability instead of
`postgresql` (see CAPABILITIES in conformance/servers.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from conformance.loader import CASES_DIR, LEGACY_BACKENDS, load_cases  # noqa: E402
from conformance.runner import expected_for  # noqa: E402

_FLOW = re.compile(r"^(\s*)backends:\s*\{\s*(\w+)\s*:\s*(.*)\}\s*$")
_BLOCK = re.compile(r"^(\s*)backends:\s*(#.*)?$")
_BACKEND = re.compile(r"^(\s*)(\w+):\s*(.*)$")


def convert_text(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        flow, block = _FLOW.match(line), _BLOCK.match(line)
        if flow and flow.group(2) in LEGACY_BACKENDS:
            indent, backend, response = flow.groups()
            out += [f"{indent}requires: [{LEGACY_BACKENDS[backend]}]",
                    f"{indent}otherwise: {response.strip()}"]
            i += 1
            continue
        head = _BACKEND.match(lines[i + 1]) if block and i + 1 < len(lines) else None
        if block and head and head.group(2) in LEGACY_BACKENDS \
                and len(head.group(1)) > len(block.group(1)):
            indent, inner = block.group(1), head.group(1)
            rest = head.group(3)
            out += [f"{indent}requires: [{LEGACY_BACKENDS[head.group(2)]}]",
                    f"{indent}otherwise:" + (("  " if rest.startswith("#") else " ") + rest
                                               if rest else "")]
            i += 2
            shift = len(inner) - len(indent)
            # the response's lines: dedented to sit under `otherwise:`
            while i < len(lines) and (not lines[i].strip()
                                      or len(lines[i]) - len(lines[i].lstrip()) > len(inner)):
                out.append(lines[i][shift:] if lines[i].strip() else lines[i])
                i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _expectations(path: Path) -> list[object]:
    cases = load_cases(path.parent, path.name)
    return [(c.id, expected_for(c, {cap}), expected_for(c, set())) for c in cases
            for cap in sorted(set(LEGACY_BACKENDS.values()))]


def convert_file(path: Path) -> bool:
    """Rewrite `path` in place; True if it changed. Raises if the meaning would change."""
    before = path.read_text(encoding="utf-8")
    after = convert_text(before)
    if after == before:
        return False
    old = _expectations(path)
    path.write_text(after, encoding="utf-8")
    try:
        same = _expectations(path) == old
    except Exception:  # noqa: BLE001 - any failure to re-read means: keep the original
        same = False
    if not same or "backends:" in after:
        path.write_text(before, encoding="utf-8")
        raise ValueError(f"{path}: could not convert safely; left unchanged, edit by hand")
    return True


def main(argv: list[str]) -> int:
    targets = [Path(a) for a in argv] or [CASES_DIR]
    files = [f for t in targets for f in (sorted(t.glob("*.yaml")) if t.is_dir() else [t])]
    status = 0
    for file in files:
        try:
            if convert_file(file):
                print(f"converted {file}")
        except ValueError as exc:
            print(exc, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
