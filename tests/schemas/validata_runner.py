"""Run validata-table on many files in one process and print, as JSON, what it reports for each.

Run with the tool environment's Python (``.venv-validata/bin/python``), never the platform's:
validata-table is a reference for tests and benchmarks, not a dependency. Input on stdin:
``[[id, schema_path, file_path], ...]``; output: ``{id: {"errors": [[row, field, type], ...]} | {"crash": msg}}``.
"""

import json
import sys
import time


def main() -> None:
    from validata_core import validate

    jobs = json.load(sys.stdin)
    results = {}
    for ident, schema, path in jobs:
        started = time.perf_counter()
        try:
            report = validate(path, schema)
            data = report.to_dict()
            errors = [[e.get("rowNumber"), e.get("fieldName"), e.get("type")] for e in data.get("errors", [])]
            results[ident] = {
                "errors": errors,
                "warnings": data.get("warnings", []),
                "valid": data.get("valid"),
                "seconds": time.perf_counter() - started,
            }
        except BaseException as exc:  # the reference crashes on some inputs: that is a result too
            results[ident] = {"crash": f"{type(exc).__name__}: {exc}"[:500]}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
