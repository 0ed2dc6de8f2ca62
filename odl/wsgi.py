import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
application = get_wsgi_application()

from odl.core.checks import refuse_unsafe_production  # noqa: E402  (needs the settings loaded above)

refuse_unsafe_production()
