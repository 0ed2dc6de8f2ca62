import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from odl.core.hooks import app_hooks
from odl.territories.models import Perimeter, Territory

DEFAULT_PASSWORD = "odl-demo-2026"


class Command(BaseCommand):
    help = (
        "Crée le compte de démonstration « atd » (mot de passe : ODL_DEMO_PASSWORD), un périmètre "
        "d'exemple et un ATD de démonstration en Ille-et-Vilaine avec son équipe, ses collectivités "
        "suivies, une convention, des engagements, des réunions et des documents. Idempotent ; à ne pas "
        "lancer en production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="atd", help="identifiant du compte de démonstration")

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_one(options["username"])

    def handle_one(self, username: str) -> None:
        password = os.environ.get("ODL_DEMO_PASSWORD", DEFAULT_PASSWORD)
        # The default is public (README): a newcomer reads it here; a password set by its owner is not echoed.
        told = (
            f"« {DEFAULT_PASSWORD} »"
            if "ODL_DEMO_PASSWORD" not in os.environ
            else "celui de ODL_DEMO_PASSWORD"
        )
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": "Animatrice", "last_name": "Territoriale"}
        )
        if created:
            user.set_password(password)
            user.save()
        if Territory.objects.filter(kind="region", code="53").exists():
            Perimeter.objects.get_or_create(
                slug="bretagne-taille-intermediaire",
                defaults={
                    "name": "Bretagne — taille intermédiaire",
                    "query": "region=53&pop_min=10000&pop_max=80000",
                    "owner": user,
                },
            )
        state = "créé" if created else "déjà présent"
        self.stdout.write(f"Compte de démonstration « {username} » {state} (mot de passe : {told}).")
        # Apps above the référentiel add their own demonstration (the programme: an ATD whose admin is
        # this account) through a ``load_demo`` method of their AppConfig (odl/core/hooks.py):
        # territories imports none of them.
        for hook in app_hooks("load_demo"):
            hook(username, password, self.stdout.write)
