"""Command line for the conformance suite: judge any running PostgREST-like server.

This module is in charge of the `python -m conformance` interface only:

    python -m conformance --server postgrest --base-url http://localhost:3000 [FILE ...]
        [--profile auth] [-k substring] [--cases DIR]
    python -m conformance --server postgrest --print-fixture | psql ...
    python -m conformance --server postgrest --print-settings

It runs the selected case files in order against `--base-url` with the expectations that
hold for `--server` (a name in conformance/servers/ or a description file), prints one
line per failing case, a `passed, failed, not applicable` line per file and a total. It
exits 1 if a case failed or none ran (so a mistyped `-k` does not pass), 2 if the case
files or the server description are malformed. The server must already hold the fixture
and run with the settings of the files' profile (`--print-settings`).
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import yaml

from conformance.runner import CASES_DIR, Case, CaseError, load_cases, run_cases
from conformance.servers import (
    Server,
    SpecError,
    load_server,
    profile_names,
    render_fixture,
    settings_for,
)

# The deprecated `--backend` names, as server descriptions.
_LEGACY_BACKENDS = {"postgres": "dbrest-pg", "sqlite": "dbrest-sqlite"}


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Run the dbrest conformance cases against a running server.",
    )
    parser.add_argument("files", nargs="*", help="case file names or globs in --cases "
                        "(default: all *.yaml)")
    parser.add_argument("--server", help="server description: a name in conformance/servers/ "
                        "(dbrest-pg, dbrest-sqlite, postgrest) or a .yaml path")
    parser.add_argument("--backend", choices=sorted(_LEGACY_BACKENDS),
                        help="deprecated: --server dbrest-pg / dbrest-sqlite")
    parser.add_argument("--base-url", help="e.g. http://localhost:3000")
    parser.add_argument("--profile", choices=profile_names(),
                        help="only the case files of this settings profile")
    parser.add_argument("-k", dest="keyword", default=None,
                        help="only cases whose id (file-stem::name) contains this substring")
    parser.add_argument("--cases", type=Path, default=CASES_DIR,
                        help="directory of *.yaml case files")
    parser.add_argument("--print-fixture", action="store_true",
                        help="print the server's fixture SQL and exit")
    parser.add_argument("--print-settings", action="store_true",
                        help="print the server's settings per profile and exit")
    args = parser.parse_args(argv)
    if args.server is None:
        args.server = _LEGACY_BACKENDS.get(args.backend or "postgres")
    if not (args.print_fixture or args.print_settings or args.base_url):
        parser.error("--base-url is required to run cases")
    return args


def _select(args: argparse.Namespace) -> list[Case]:
    patterns = [f if f.endswith(".yaml") else f"{f}.yaml" for f in args.files] or ["*.yaml"]
    cases = [c for c in load_cases(args.cases)
             if any(fnmatch.fnmatch(c.file.name, Path(p).name) for p in patterns)]
    if args.profile is not None:
        cases = [c for c in cases if c.profile == args.profile]
    if args.keyword is not None:
        cases = [c for c in cases if args.keyword in c.id]
    return cases


async def _run(base_url: str, cases: list[Case], server: Server
               ) -> list[tuple[Case, list[str] | None]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
        return await run_cases(client, cases, server)


def _report(results: list[tuple[Case, list[str] | None]]) -> tuple[int, int, int]:
    per_file: dict[str, list[int]] = {}
    for case, mismatches in results:
        counts = per_file.setdefault(case.file.stem, [0, 0, 0])
        if mismatches is None:
            counts[2] += 1
        elif not mismatches:
            counts[0] += 1
        else:
            counts[1] += 1
            # One line per case: multi-line details would interleave badly in CI logs.
            detail = "; ".join(m.replace("\n", "\\n") for m in mismatches)
            print(f"FAIL {case.id}: {detail}")
    for stem, (passed, failed, na) in per_file.items():
        print(f"{stem}: {passed} passed, {failed} failed, {na} not applicable")
    totals = [sum(c[i] for c in per_file.values()) for i in range(3)]
    print(f"total: {totals[0]} passed, {totals[1]} failed, {totals[2]} not applicable")
    return totals[0], totals[1], totals[2]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        server = load_server(args.server)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.print_fixture:
        for name, sql in render_fixture(server):
            print(f"-- {name}\n{sql}")
        return 0
    if args.print_settings:
        settings = {p: settings_for(server, p) for p in profile_names()}
        print(yaml.safe_dump(settings, sort_keys=False), end="")
        return 0
    try:
        cases = _select(args)
    except (CaseError, SpecError) as exc:
        print(exc, file=sys.stderr)
        return 2
    legacy = sorted({c.file.name for c in cases if c.legacy})
    if legacy:
        print(f"deprecated `backends:` in {', '.join(legacy)}: run "
              "conformance/tools/convert_cases.py", file=sys.stderr)
    results = asyncio.run(_run(args.base_url, cases, server))
    passed, failed, _ = _report(results)
    if not passed and not failed:
        print("no cases ran", file=sys.stderr)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
