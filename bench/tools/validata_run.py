"""Run validata-table on one file with its caps lifted, and write the (row, column, type) keys as JSON.

Benchmark helper, run with the tool environment's Python (``.venv-validata/bin/python``). Validata
refuses files over 100,000 rows and frictionless stops at the 1,000th error; both caps are lifted here
(in this process only) so that the comparison is on the same work: every row, every error.
"""

import functools
import json
import sys


def main() -> None:
    schema, path, output = sys.argv[1:4]
    import frictionless
    from validata_core.domain import validation_features

    validation_features.VALIDATA_MAX_ROWS = 10**12
    frictionless.validate = functools.partial(frictionless.validate, limit_errors=10**12)
    from validata_core import validate

    report = validate(path, schema).to_dict()
    errors = [[e.get("rowNumber"), e.get("fieldName"), e.get("type")] for e in report.get("errors", [])]
    with open(output, "w", encoding="utf-8") as handle:
        json.dump({"errors": errors, "stats": report.get("stats")}, handle)


if __name__ == "__main__":
    main()
