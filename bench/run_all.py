"""Run every benchmark of the project in turn: ``make bench`` or ``.venv/bin/python -m bench.run_all``."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    modules = sorted(
        f"bench.{path.stem}"
        for path in (REPO / "bench").glob("*.py")
        if path.stem not in {"__init__", "run_all"}
    )
    failed = []
    for module in modules:
        print(f"\n===== {module} =====", flush=True)
        if subprocess.run([sys.executable, "-m", module, *sys.argv[1:]], cwd=REPO, check=False).returncode:
            failed.append(module)
    if failed:
        sys.exit(f"Benchmarks en échec : {', '.join(failed)}")


if __name__ == "__main__":
    main()
