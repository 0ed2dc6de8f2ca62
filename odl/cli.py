"""The ``odl`` command line: every Django management command, with the platform's settings.

``odl targets --region 53`` is ``manage.py targets --region 53``; it needs no environment variable.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["odl", *args])


if __name__ == "__main__":
    main()
