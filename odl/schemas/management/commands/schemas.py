"""``manage.py schemas``: the program of odl/schemas/commandline.py (``odl schemas`` runs it directly)."""

from odl.core.programs import django_command
from odl.schemas.commandline import Schemas

Command = django_command(Schemas)
