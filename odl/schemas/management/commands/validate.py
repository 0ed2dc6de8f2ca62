"""``manage.py validate``: the program of odl/schemas/commandline.py (``odl validate`` runs it directly)."""

from odl.core.programs import django_command
from odl.schemas.commandline import Validate

Command = django_command(Validate)
