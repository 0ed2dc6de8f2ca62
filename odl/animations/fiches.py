"""The default fiches of the kit's animation formats, written by the project in its own words.

The data migration ``0002_default_formats`` loads them once, by slug, and never overwrites a fiche the
coordinator has edited in the admin. Slugs are stable: the positioning questionnaire recommends
formats by slug. Retroplanning offsets are days: negative or zero before/on the first day of the
event, positive after its last day (see ``odl.animations.planning.due_date``).
"""

from __future__ import annotations

from typing import Any


def _plan(*tasks: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"offset": offset, "task": task} for offset, task in tasks]


DEFAULT_FORMATS: list[dict[str, Any]] = [
    {
        "slug": "hackathon",
        "name": "Hackathon",
        "what": (
            "Un temps court et continu, souvent un week-end, où des équipes mixtes construisent des "
            "prototypes d'applications ou de services à partir de données mises à disposition pour "
            "l'occasion. Un jury récompense souvent les meilleurs projets."
        ),
        "aims": (
            "Faire connaître des jeux de données, tester l'intérêt du public avant une ouverture "
            "importante, faire émerger des équipes et des idées de services."
        ),
        "publics": "Développeurs, analystes de données, designers, experts du sujet, agents.",
        "participants_min": 30,
        "participants_max": 100,
        "preparation": (
            "Au moins une semaine, plutôt deux à trois mois : choisir et préparer les données, le "
            "lieu, le jury, les lots, la communication ; prévoir un développeur par équipe."
        ),
        "duration": "1 jour au minimum, idéalement 2 jours avec la nuit",
        "produces": "Maquettes et prototypes, nouvelles équipes, compétences rendues visibles.",
        "follow_up": (
            "Le risque est l'événement « en cloche » : la plupart des projets s'arrêtent le "
            "lendemain. Prévoir un accompagnement de 3 à 6 mois et inscrire le hackathon comme une "
            "étape d'un projet plus large."
        ),
        "prerequisites": "Des données publiées ou prêtes à l'être ; une équipe à l'aise avec la donnée (Praticien).",
        "retroplanning": _plan(
            (-90, "Définir les objectifs et le sujet du hackathon"),
            (-75, "Identifier et préparer les jeux de données"),
            (-60, "Réserver le lieu et le matériel"),
            (-45, "Constituer le jury et définir les prix"),
            (-30, "Lancer la communication et les inscriptions"),
            (-7, "Envoyer le kit participant (données, règles, programme)"),
            (0, "Accueillir les équipes"),
            (7, "Publier les résultats et remercier les participants"),
            (30, "Faire le point avec les équipes lauréates"),
        ),
    },
    {
        "slug": "concours",
        "name": "Concours",
        "what": (
            "Un appel ouvert à imaginer des services ou des applications nouvelles à partir des "
            "données, sur plusieurs semaines ; le lauréat reçoit une dotation."
        ),
        "aims": "Susciter des réutilisations durables et faire connaître les données du territoire.",
        "publics": "Développeurs, entreprises, étudiants, associations ; un jury.",
        "participants_min": 5,
        "participants_max": 50,
        "preparation": "Deux à trois mois : règlement, dotation, jury, jeux de données, communication.",
        "duration": "1 à 3 mois de compétition",
        "produces": "Applications et services, règlement et rapport du jury.",
        "follow_up": "Valoriser les réutilisations sur le portail et suivre leur devenir.",
        "prerequisites": "Un catalogue de données publié et à jour (Praticien).",
        "retroplanning": _plan(
            (-90, "Rédiger le règlement et fixer la dotation"),
            (-60, "Constituer le jury"),
            (-45, "Préparer et documenter les jeux de données"),
            (-30, "Annoncer le concours"),
            (0, "Ouvrir le dépôt des candidatures"),
            (14, "Réunir le jury et annoncer les lauréats"),
            (30, "Publier les réutilisations primées sur le portail"),
        ),
    },
    {
        "slug": "appel-manifestation-interet",
        "name": "Appel à manifestation d'intérêt",
        "what": (
            "Une présélection sur dossier, ouverte à tous, qui précède des consultations "
            "restreintes ; pour un marché donné, le cahier des charges est adressé aux candidats "
            "retenus."
        ),
        "aims": "Repérer les acteurs capables de développer des services sur les données.",
        "publics": "Entreprises, associations, laboratoires.",
        "preparation": "Un à deux mois : rédaction de l'appel, critères de sélection, calendrier.",
        "duration": "1 à 2 mois de dépôt",
        "produces": "Une liste de candidats retenus, des projets de réutilisation.",
        "follow_up": "La procédure d'attribution et le suivi des projets retenus.",
        "prerequisites": "Un besoin identifié et des données disponibles (Praticien).",
        "retroplanning": _plan(
            (-60, "Définir le besoin et les critères de sélection"),
            (-30, "Publier l'appel"),
            (0, "Clore le dépôt des dossiers"),
            (14, "Analyser les dossiers et retenir les candidats"),
            (30, "Adresser le cahier des charges aux candidats retenus"),
        ),
    },
    {
        "slug": "barcamp",
        "name": "Barcamp",
        "what": (
            "Une « non-conférence » ouverte : chacun se présente, propose un sujet, un projet ou une "
            "demande d'aide ; le programme se construit sur place, par ateliers courts."
        ),
        "aims": "Faire se rencontrer des compétences variées et partager librement les pratiques.",
        "publics": "Tout public, sans sélection : pas de spectateur, tous participants.",
        "participants_min": 15,
        "participants_max": 150,
        "preparation": "Environ un mois : lieu, salles, grille horaire vide, communication.",
        "duration": "Une demi-journée à une journée, ateliers d'environ 45 minutes",
        "produces": "Les notes de chaque atelier, prises par un rapporteur.",
        "follow_up": "Publier les notes et faire vivre les échanges (wiki, forum, blog).",
        "prerequisites": "Aucun : convient dès le niveau Découverte.",
        "retroplanning": _plan(
            (-30, "Réserver le lieu et plusieurs salles"),
            (-21, "Annoncer le barcamp et ouvrir les inscriptions"),
            (-3, "Préparer la grille horaire et le matériel"),
            (0, "Animer la construction du programme"),
            (7, "Publier les notes des ateliers"),
        ),
    },
    {
        "slug": "crowdsourcing",
        "name": "Crowdsourcing (production participative)",
        "what": (
            "Une production collective sur un sujet (cartographie, transcription, identification, "
            "correction de données), ponctuelle ou permanente, avec des règles de contribution."
        ),
        "aims": "Co-produire ou enrichir un jeu de données avec les habitants.",
        "publics": "Habitants, associations, contributeurs de projets libres.",
        "participants_min": 10,
        "preparation": "Un mois : sujet, outil de contribution, règles, modération.",
        "duration": "Une campagne de 1 à 3 mois, ou permanente",
        "produces": "Un jeu de données co-produit et publié.",
        "follow_up": "Modérer, mettre à jour et publier régulièrement le résultat.",
        "prerequisites": "Une équipe capable de modérer et de publier (Sensibilisé au moins).",
        "retroplanning": _plan(
            (-30, "Choisir le sujet et l'outil de contribution"),
            (-14, "Rédiger les règles de contribution"),
            (0, "Lancer la campagne"),
            (30, "Modérer et consolider les contributions"),
            (60, "Publier le jeu de données produit"),
        ),
    },
    {
        "slug": "operation-libre",
        "name": "Opération Libre",
        "what": (
            "Un week-end de 48 heures dans une petite commune où des associations du logiciel et des "
            "contenus libres, des habitants et des contributeurs recueillent et publient ce que la "
            "commune détient (données, photos, archives), pour montrer la valeur de l'ouverture."
        ),
        "aims": "Ouvrir et valoriser les données et contenus d'une commune avec ses habitants.",
        "publics": "Habitants, contributeurs (wikipédiens, cartographes, photographes…), associations, élus.",
        "participants_min": 20,
        "participants_max": 80,
        "preparation": "Trois mois : comité de pilotage avec la commune, communication, affiches un mois avant.",
        "duration": "48 heures (un week-end)",
        "produces": "Données et contenus ouverts, rapport de restitution.",
        "follow_up": "Former des habitants pour qu'ils tiennent les données à jour.",
        "prerequisites": "Une commune volontaire et des élus convaincus (Sensibilisé).",
        "retroplanning": _plan(
            (-90, "Former le comité de pilotage avec la commune"),
            (-60, "Recenser les données et contenus à ouvrir"),
            (-30, "Afficher et communiquer auprès des habitants"),
            (-7, "Préparer le matériel et l'accueil"),
            (0, "Ouvrir le week-end"),
            (14, "Rédiger le rapport de restitution"),
        ),
    },
    {
        "slug": "cartopartie",
        "name": "Cartopartie",
        "what": (
            "Une balade collective pour relever des informations géolocalisées : les équipes se "
            "partagent le terrain, puis se retrouvent pour saisir et publier ce qu'elles ont relevé, "
            "le plus souvent dans OpenStreetMap (équipements, arbres remarquables, défibrillateurs…)."
        ),
        "aims": "Produire des données géographiques avec les habitants et les initier à la cartographie.",
        "publics": "Débutants et amateurs de cartographie, contributeurs OpenStreetMap, agents.",
        "participants_min": 5,
        "participants_max": 40,
        "preparation": "Deux à quatre semaines : zone, cartes papier, thème, salle de saisie.",
        "duration": "De 1 à 2 heures (micro-cartopartie) à un week-end",
        "produces": "Des points relevés sur le terrain, versés dans OpenStreetMap ou publiés en open data.",
        "follow_up": "Intégrer les résultats au portail et entretenir la donnée.",
        "prerequisites": "Aucun : convient dès le niveau Découverte.",
        "retroplanning": _plan(
            (-28, "Choisir le thème et la zone de collecte"),
            (-21, "Réserver une salle pour la saisie"),
            (-14, "Préparer les cartes et le formulaire de collecte"),
            (-7, "Envoyer le lien de collecte aux participants"),
            (0, "Animer la collecte sur le terrain"),
            (3, "Examiner les points reçus"),
            (14, "Verser les points acceptés dans OpenStreetMap ou sur le portail"),
        ),
    },
    {
        "slug": "atelier-manipulation-donnees",
        "name": "Atelier de manipulation des données",
        "what": (
            "Un atelier pratique où ceux qui tiendront les bases de données apprennent à insérer, "
            "modifier, supprimer et vérifier des données, à partir de leurs propres tableaux."
        ),
        "aims": "Rendre les agents autonomes sur la qualité et la mise à jour de leurs données.",
        "publics": "Agents qui produisent ou tiennent des données, référents data.",
        "participants_min": 4,
        "participants_max": 15,
        "preparation": "Deux semaines : recueillir les tableaux des participants, préparer les exercices.",
        "duration": "1 à 3 heures",
        "produces": "Des fichiers corrigés, une liste de contrôles à faire sur un jeu de données.",
        "follow_up": "Refaire l'exercice sur les données de la collectivité et publier.",
        "prerequisites": "Savoir utiliser un tableur (Sensibilisé).",
        "retroplanning": _plan(
            (-14, "Recueillir les fichiers des participants"),
            (-7, "Préparer les exercices et les postes"),
            (0, "Animer l'atelier"),
            (14, "Vérifier les fichiers corrigés avec les participants"),
        ),
    },
    {
        "slug": "datavisualisation-challenge",
        "name": "Datavisualisation challenge",
        "what": (
            "Un défi limité dans le temps où équipes ou individus racontent les données par des "
            "graphiques et des cartes ; les productions sont présentées et primées lors d'une soirée."
        ),
        "aims": "Donner à voir les données et développer la lecture critique des visualisations.",
        "publics": "Public ouvert, étudiants, journalistes, experts internes et externes.",
        "participants_min": 10,
        "participants_max": 80,
        "preparation": "Environ trois mois : pilotage, communication, logistique, animation.",
        "duration": "Une dizaine de jours de production, puis une soirée de remise des prix",
        "produces": "Des visualisations et des récits graphiques publiés.",
        "follow_up": "Publier les visualisations et les réutiliser dans la communication.",
        "prerequisites": "Des données publiées et documentées (Praticien).",
        "retroplanning": _plan(
            (-90, "Constituer l'équipe de pilotage"),
            (-60, "Choisir et documenter les données du défi"),
            (-30, "Lancer la communication"),
            (-10, "Publier les données et ouvrir le défi"),
            (0, "Soirée de présentation et remise des prix"),
            (14, "Publier les visualisations primées"),
        ),
    },
    {
        "slug": "infolab",
        "name": "Infolab",
        "what": (
            "Un lieu, permanent ou temporaire, pour comprendre, transformer et construire avec les "
            "données, accompagné par des médiateurs : sensibilisation, formation, incubation de "
            "projets et débats, ouverts à tous et sans prérequis."
        ),
        "aims": "Diffuser largement le pouvoir d'agir avec les données.",
        "publics": "Habitants, associations, entreprises, chercheurs, journalistes, producteurs de données.",
        "participants_min": 5,
        "participants_max": 30,
        "preparation": "Un mois : lieu, médiateurs, charte, premiers ateliers.",
        "duration": "Une demi-journée à un programme récurrent",
        "produces": "Des ateliers, des projets incubés, des questions posées aux données.",
        "follow_up": "Faire vivre le réseau des infolabs et programmer la séance suivante.",
        "prerequisites": "Aucun : convient dès le niveau Découverte.",
        "retroplanning": _plan(
            (-30, "Trouver le lieu et les médiateurs"),
            (-14, "Préparer les ateliers et les données"),
            (0, "Ouvrir l'infolab"),
            (30, "Programmer la séance suivante"),
        ),
    },
    {
        "slug": "tiers-lieux-mediation-numerique",
        "name": "Tiers-lieux et médiation numérique",
        "what": (
            "Accueillir des ateliers sur les données dans des tiers-lieux, médiathèques ou espaces "
            "publics numériques, avec les médiateurs numériques qui accompagnent déjà les habitants."
        ),
        "aims": "Toucher un public éloigné du numérique et des données, lutter contre l'illectronisme.",
        "publics": "Médiateurs numériques, habitants, usagers des médiathèques.",
        "participants_min": 5,
        "participants_max": 25,
        "preparation": "Un mois : partenariat avec le lieu, formation des médiateurs.",
        "duration": "Séances récurrentes de 2 heures",
        "produces": "Acculturation, données locales découvertes ou produites.",
        "follow_up": "Une convention de partenariat avec le lieu, des séances régulières.",
        "prerequisites": "Aucun : convient dès le niveau Découverte.",
        "retroplanning": _plan(
            (-30, "Conclure le partenariat avec le lieu"),
            (-14, "Préparer la séance avec les médiateurs"),
            (0, "Animer la séance"),
            (30, "Faire le bilan avec le lieu et programmer la suite"),
        ),
    },
    {
        "slug": "animation-reseau",
        "name": "Animation de réseau",
        "what": (
            "Réunir régulièrement les collectivités et les acteurs de la donnée autour d'objectifs, "
            "de savoir-faire et d'actions partagés : groupes de travail, rencontres, forum."
        ),
        "aims": "Mutualiser les pratiques et faire remonter les besoins au niveau national.",
        "publics": "ATD, ETD, partenaires du territoire.",
        "participants_min": 5,
        "participants_max": 60,
        "preparation": "Deux semaines avant chaque rencontre : ordre du jour, invitations.",
        "duration": "En continu, rencontres de 2 heures à une journée",
        "produces": "Des ressources partagées et des décisions communes.",
        "follow_up": "Diffuser le compte rendu et suivre les actions décidées.",
        "prerequisites": "Aucun.",
        "retroplanning": _plan(
            (-14, "Préparer l'ordre du jour et inviter"),
            (0, "Tenir la rencontre"),
            (7, "Diffuser le compte rendu"),
        ),
    },
]


def load_defaults(format_model: Any) -> int:
    """Create the default formats that do not exist yet (by slug); returns how many were created."""
    created = 0
    for position, fiche in enumerate(DEFAULT_FORMATS, start=1):
        _, was_created = format_model.objects.get_or_create(
            slug=fiche["slug"], defaults={**fiche, "position": position}
        )
        created += int(was_created)
    return created
