"""Command line for the conformance suite: judge any running PostgREST-like server.

This module is in charge of the `python -m conformance` interface only: it loads the
cases, runs them in order against `--base-url` with the expectations of `--backend`,
prints one line per failing case and a final `N passed, M failed` line, and exits 1 if
any case failed (or if the selection is empty, so a mistyped `-k` does not pass), 2 if
the case files are malformed. The server must already hold the fixture.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from conformance.runner import BACKENDS, CASES_DIR, Case, CaseError, load_cases, run_cases


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Run the dbrest conformance cases against a running server.",
    )
    parser.add_argument("--base-url", required=True, help="e.g. http://localhost:3000")
    parser.add_argument(
        "--backend", choices=BACKENDS, default="postgres",
        help="whose expectations to apply (default: postgres)",
    )
    parser.add_argument(
        "-k", dest="keyword", default=None,
        help="only cases whose id (file-stem::name) contains this substring",
    )
    parser.add_argument(
        "--cases", type=Path, default=CASES_DIR, help="directory of *.yaml case files"
    )
    return parser.parse_args(argv)


async def _run(base_url: str, cases: list[Case], backend: str) -> list[tuple[Case, list[str]]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
        return await run_cases(client, cases, backend)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        cases = load_cases(args.cases)
    except CaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.keyword is not None:
        cases = [c for c in cases if args.keyword in c.id]
    results = asyncio.run(_run(args.base_url, cases, args.backend))
    failed = 0
    for case, mismatches in results:
        if mismatches:
            failed += 1
            # One line per case: multi-line details would interleave badly in CI logs.
            detail = "; ".join(m.replace("\n", "\\n") for m in mismatches)
            print(f"FAIL {case.id}: {detail}")
    passed = len(results) - failed
    if not results:
        print("no cases selected", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
