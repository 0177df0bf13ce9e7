"""The words of the web UI in UCLG's three languages (English, French, Spanish).

Labels of things (territories, rights, groups, regions...) come from the graph in the language
asked; these are only the words around them. Every key has all three languages (a test checks),
so a page never falls back to another language half-way.
"""

from __future__ import annotations

from collections.abc import Callable

from rightsgraph.service.i18n import LANGUAGES

#: The name of each language in itself, for the language switcher.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}

TEXT: dict[str, dict[str, str]] = {
    # Site-wide
    "site_tagline": {
        "en": "The knowledge graph of human rights cities and territories",
        "fr": "Le graphe de connaissances des villes et territoires des droits humains",
        "es": "El grafo de conocimiento de las ciudades y territorios de derechos humanos",
    },
    "nav_home": {"en": "Home", "fr": "Accueil", "es": "Inicio"},
    "nav_territories": {"en": "Territories", "fr": "Territoires", "es": "Territorios"},
    "nav_initiatives": {"en": "Initiatives", "fr": "Initiatives", "es": "Iniciativas"},
    "nav_rights": {"en": "Rights", "fr": "Droits", "es": "Derechos"},
    "nav_groups": {"en": "Groups", "fr": "Groupes", "es": "Grupos"},
    "nav_instruments": {"en": "Instruments", "fr": "Instruments", "es": "Instrumentos"},
    "nav_query": {"en": "SPARQL query", "fr": "Requête SPARQL", "es": "Consulta SPARQL"},
    "nav_api": {"en": "API", "fr": "API", "es": "API"},
    "language": {"en": "Language", "fr": "Langue", "es": "Idioma"},
    "skip_to_content": {
        "en": "Skip to content",
        "fr": "Aller au contenu",
        "es": "Ir al contenido",
    },
    "footer_about": {
        "en": "RightsGraph gathers the local and regional governments of UCLG's campaign "
        "“10, 100, 1000 cities and territories for human rights by 2030” and their initiatives "
        "as linked open data.",
        "fr": "RightsGraph rassemble les gouvernements locaux et régionaux de la campagne de CGLU "
        "« 10, 100, 1000 villes et territoires des droits humains pour 2030 » et leurs "
        "initiatives en données ouvertes et liées.",
        "es": "RightsGraph reúne a los gobiernos locales y regionales de la campaña de CGLU "
        "«10, 100, 1000 ciudades y territorios de derechos humanos para 2030» y sus "
        "iniciativas como datos abiertos enlazados.",
    },
    "footer_data": {"en": "Data", "fr": "Données", "es": "Datos"},
    "footer_endpoint": {
        "en": "SPARQL endpoint",
        "fr": "Point d'accès SPARQL",
        "es": "Punto de acceso SPARQL",
    },
    "footer_dump": {
        "en": "Full dump (N-Quads)",
        "fr": "Export complet (N-Quads)",
        "es": "Volcado completo (N-Quads)",
    },
    "footer_void": {
        "en": "Dataset description (VoID)",
        "fr": "Description du jeu de données (VoID)",
        "es": "Descripción del conjunto de datos (VoID)",
    },
    "footer_ontology": {"en": "Ontology", "fr": "Ontologie", "es": "Ontología"},
    "footer_api_docs": {
        "en": "API documentation",
        "fr": "Documentation de l'API",
        "es": "Documentación de la API",
    },
    "example_badge": {"en": "example", "fr": "exemple", "es": "ejemplo"},
    "example_badge_title": {
        "en": "Example data: a fictional territory or initiative, not a real one",
        "fr": "Données d'exemple : un territoire ou une initiative fictifs, non réels",
        "es": "Datos de ejemplo: un territorio o una iniciativa ficticios, no reales",
    },
    "none": {"en": "—", "fr": "—", "es": "—"},
    "results_capped": {
        "en": "This list is incomplete: it stops at the service's row limit.",
        "fr": "Cette liste est incomplète : elle s'arrête à la limite de lignes du service.",
        "es": "Esta lista está incompleta: se detiene en el límite de filas del servicio.",
    },
    # Home
    "home_title": {
        "en": "Human rights cities and territories",
        "fr": "Villes et territoires des droits humains",
        "es": "Ciudades y territorios de derechos humanos",
    },
    "home_intro": {
        "en": "Follow UCLG's campaign towards 10, 100 and 1000 local and regional governments "
        "committed to human rights by 2030, and explore what they do.",
        "fr": "Suivez la campagne de CGLU vers 10, 100 puis 1000 gouvernements locaux et "
        "régionaux engagés pour les droits humains d'ici 2030, et découvrez ce qu'ils font.",
        "es": "Siga la campaña de CGLU hacia 10, 100 y 1000 gobiernos locales y regionales "
        "comprometidos con los derechos humanos para 2030, y descubra lo que hacen.",
    },
    "search_label": {
        "en": "Search territories and initiatives",
        "fr": "Rechercher des territoires et des initiatives",
        "es": "Buscar territorios e iniciativas",
    },
    "search_placeholder": {
        "en": "A city, a region, a word…",
        "fr": "Une ville, une région, un mot…",
        "es": "Una ciudad, una región, una palabra…",
    },
    "search_button": {"en": "Search", "fr": "Rechercher", "es": "Buscar"},
    "stat_territories": {"en": "territories", "fr": "territoires", "es": "territorios"},
    "stat_members": {
        "en": "campaign members",
        "fr": "membres de la campagne",
        "es": "miembros de la campaña",
    },
    "stat_initiatives": {"en": "initiatives", "fr": "initiatives", "es": "iniciativas"},
    "examples_included": {
        "en": "These figures include the example dataset ({n} fictional territories), "
        "shown to demonstrate the service.",
        "fr": "Ces chiffres incluent le jeu de données d'exemple ({n} territoires fictifs), "
        "présenté pour illustrer le service.",
        "es": "Estas cifras incluyen el conjunto de datos de ejemplo ({n} territorios ficticios), "
        "mostrado para ilustrar el servicio.",
    },
    "examples_excluded": {
        "en": "Example data is hidden: only real, sourced data is counted.",
        "fr": "Les données d'exemple sont masquées : seules les données réelles et sourcées "
        "sont comptées.",
        "es": "Los datos de ejemplo están ocultos: solo se cuentan los datos reales y con "
        "fuentes.",
    },
    "examples_hide": {
        "en": "Show real data only",
        "fr": "Afficher seulement les données réelles",
        "es": "Mostrar solo datos reales",
    },
    "examples_show": {
        "en": "Include example data",
        "fr": "Inclure les données d'exemple",
        "es": "Incluir los datos de ejemplo",
    },
    "progress_title": {
        "en": "Campaign progress",
        "fr": "Avancement de la campagne",
        "es": "Avance de la campaña",
    },
    "progress_lead": {
        "en": "Members of the campaign (pledge or form received, or confirmed; withdrawals are "
        "not counted) against its milestones.",
        "fr": "Membres de la campagne (engagement ou formulaire reçu, ou confirmé ; les retraits "
        "ne sont pas comptés) par rapport à ses étapes.",
        "es": "Miembros de la campaña (compromiso o formulario recibido, o confirmado; las "
        "retiradas no se cuentan) frente a sus hitos.",
    },
    "milestone_reached": {"en": "reached", "fr": "atteint", "es": "alcanzado"},
    "milestone_of": {"en": "{n} of {target}", "fr": "{n} sur {target}", "es": "{n} de {target}"},
    "milestone_target_date": {
        "en": "target: {date}",
        "fr": "échéance : {date}",
        "es": "fecha objetivo: {date}",
    },
    "chart_title": {
        "en": "Members over time and the 10 / 100 / 1000 milestones",
        "fr": "Membres au fil du temps et étapes 10 / 100 / 1000",
        "es": "Miembros a lo largo del tiempo e hitos 10 / 100 / 1000",
    },
    "chart_members": {
        "en": "members by joining date",
        "fr": "membres par date d'adhésion",
        "es": "miembros por fecha de adhesión",
    },
    "chart_milestone": {"en": "milestone", "fr": "étape", "es": "hito"},
    "chart_today": {"en": "today", "fr": "aujourd'hui", "es": "hoy"},
    "chart_now": {
        "en": "{n} members today",
        "fr": "{n} membres aujourd'hui",
        "es": "{n} miembros hoy",
    },
    "chart_undated": {
        "en": "{n} members have no recorded joining date: they count in today's total but "
        "not in the curve.",
        "fr": "{n} membres n'ont pas de date d'adhésion connue : ils comptent dans le total "
        "d'aujourd'hui mais pas dans la courbe.",
        "es": "{n} miembros no tienen fecha de adhesión registrada: cuentan en el total de hoy "
        "pero no en la curva.",
    },
    "chart_log_scale": {
        "en": "Logarithmic scale: each gridline is ten times the one below.",
        "fr": "Échelle logarithmique : chaque ligne vaut dix fois celle du dessous.",
        "es": "Escala logarítmica: cada línea vale diez veces la de abajo.",
    },
    "chart_data": {
        "en": "The data behind the chart",
        "fr": "Les données du graphique",
        "es": "Los datos del gráfico",
    },
    "chart_month": {"en": "Month", "fr": "Mois", "es": "Mes"},
    "chart_joined": {"en": "Joined", "fr": "Adhésions", "es": "Adhesiones"},
    "chart_cumulative": {"en": "Total", "fr": "Total", "es": "Total"},
    "map_title": {"en": "Map", "fr": "Carte", "es": "Mapa"},
    "map_lead": {
        "en": "Territories with coordinates. Colour shows the membership status.",
        "fr": "Territoires ayant des coordonnées. La couleur indique le statut d'adhésion.",
        "es": "Territorios con coordenadas. El color indica el estado de la membresía.",
    },
    "map_missing": {
        "en": "{n} territories have no coordinates and are not on the map.",
        "fr": "{n} territoires n'ont pas de coordonnées et ne figurent pas sur la carte.",
        "es": "{n} territorios no tienen coordenadas y no aparecen en el mapa.",
    },
    "map_offline": {
        "en": "Map tiles could not be loaded (offline?): the points are shown on a plain "
        "outline of the land.",
        "fr": "Les tuiles de la carte n'ont pas pu être chargées (hors ligne ?) : les points "
        "sont affichés sur un simple contour des terres.",
        "es": "No se pudieron cargar los mosaicos del mapa (¿sin conexión?): los puntos se "
        "muestran sobre un simple contorno de las tierras.",
    },
    "map_no_status": {
        "en": "not a campaign member",
        "fr": "pas membre de la campagne",
        "es": "no es miembro de la campaña",
    },
    "map_legend": {"en": "Legend", "fr": "Légende", "es": "Leyenda"},
    "map_no_js": {
        "en": "The map needs JavaScript; the list of territories works without it.",
        "fr": "La carte nécessite JavaScript ; la liste des territoires fonctionne sans.",
        "es": "El mapa necesita JavaScript; la lista de territorios funciona sin él.",
    },
    "regions_title": {
        "en": "By UCLG region",
        "fr": "Par région de CGLU",
        "es": "Por región de CGLU",
    },
    "region": {"en": "UCLG region", "fr": "Région de CGLU", "es": "Región de CGLU"},
    "no_region": {
        "en": "No region recorded",
        "fr": "Aucune région indiquée",
        "es": "Sin región registrada",
    },
    "latest_title": {
        "en": "Latest initiatives",
        "fr": "Dernières initiatives",
        "es": "Últimas iniciativas",
    },
    "latest_lead": {
        "en": "The initiatives that started most recently.",
        "fr": "Les initiatives lancées le plus récemment.",
        "es": "Las iniciativas que empezaron más recientemente.",
    },
    "see_all": {"en": "See all", "fr": "Tout voir", "es": "Ver todo"},
    "led_by": {"en": "led by", "fr": "menée par", "es": "impulsada por"},
    # Tables and lists
    "col_name": {"en": "Name", "fr": "Nom", "es": "Nombre"},
    "col_title": {"en": "Title", "fr": "Titre", "es": "Título"},
    "col_country": {"en": "Country", "fr": "Pays", "es": "País"},
    "col_level": {"en": "Level", "fr": "Niveau", "es": "Nivel"},
    "col_membership": {"en": "Campaign", "fr": "Campagne", "es": "Campaña"},
    "col_territories": {"en": "Territories", "fr": "Territoires", "es": "Territorios"},
    "col_members": {"en": "Members", "fr": "Membres", "es": "Miembros"},
    "col_initiatives": {"en": "Initiatives", "fr": "Initiatives", "es": "Iniciativas"},
    "col_led_by": {"en": "Led by", "fr": "Menée par", "es": "Impulsada por"},
    "col_type": {"en": "Type", "fr": "Type", "es": "Tipo"},
    "col_status": {"en": "Status", "fr": "Statut", "es": "Estado"},
    "col_start": {"en": "Start", "fr": "Début", "es": "Inicio"},
    "col_rights": {"en": "Rights", "fr": "Droits", "es": "Derechos"},
    "col_groups": {"en": "Groups", "fr": "Groupes", "es": "Grupos"},
    "col_code": {"en": "Code", "fr": "Code", "es": "Código"},
    "col_article": {
        "en": "Charter-Agenda",
        "fr": "Charte-Agenda",
        "es": "Carta-Agenda",
    },
    "col_identifier": {"en": "Symbol", "fr": "Cote", "es": "Signatura"},
    "col_abbreviation": {"en": "Short name", "fr": "Sigle", "es": "Sigla"},
    "col_issued": {"en": "Adopted", "fr": "Adopté", "es": "Adoptado"},
    "col_definition": {"en": "Definition", "fr": "Définition", "es": "Definición"},
    "empty_list": {
        "en": "Nothing to show yet.",
        "fr": "Rien à afficher pour l'instant.",
        "es": "Nada que mostrar por ahora.",
    },
    "count_shown": {
        "en": "{n} shown",
        "fr": "{n} affichés",
        "es": "{n} mostrados",
    },
    "page_of": {
        "en": "Page {page} of {pages}",
        "fr": "Page {page} sur {pages}",
        "es": "Página {page} de {pages}",
    },
    "previous": {"en": "Previous", "fr": "Précédente", "es": "Anterior"},
    "next": {"en": "Next", "fr": "Suivante", "es": "Siguiente"},
    "filter": {"en": "Filter", "fr": "Filtrer", "es": "Filtrar"},
    "filtered_by": {"en": "Filtered by", "fr": "Filtré par", "es": "Filtrado por"},
    "clear_filters": {
        "en": "Clear filters",
        "fr": "Effacer les filtres",
        "es": "Quitar los filtros",
    },
    "all_regions": {
        "en": "All regions",
        "fr": "Toutes les régions",
        "es": "Todas las regiones",
    },
    # Browse pages
    "territories_title": {"en": "Territories", "fr": "Territoires", "es": "Territorios"},
    "territories_lead": {
        "en": "Local and regional governments in the graph: campaign members and the other "
        "cities and territories their initiatives mention.",
        "fr": "Les gouvernements locaux et régionaux du graphe : membres de la campagne et "
        "autres villes et territoires cités par leurs initiatives.",
        "es": "Los gobiernos locales y regionales del grafo: miembros de la campaña y otras "
        "ciudades y territorios mencionados en sus iniciativas.",
    },
    "territories_count": {
        "en": "{n} territories",
        "fr": "{n} territoires",
        "es": "{n} territorios",
    },
    "initiatives_title": {"en": "Initiatives", "fr": "Initiatives", "es": "Iniciativas"},
    "initiatives_lead": {
        "en": "Policies, programmes, charters, offices and other initiatives of the "
        "territories, with the rights they address and the groups they serve.",
        "fr": "Politiques, programmes, chartes, bureaux et autres initiatives des territoires, "
        "avec les droits qu'elles traitent et les groupes qu'elles servent.",
        "es": "Políticas, programas, cartas, oficinas y otras iniciativas de los territorios, "
        "con los derechos que abordan y los grupos a los que atienden.",
    },
    "initiatives_count": {
        "en": "{n} initiatives",
        "fr": "{n} initiatives",
        "es": "{n} iniciativas",
    },
    "rights_title": {
        "en": "Rights categories",
        "fr": "Catégories de droits",
        "es": "Categorías de derechos",
    },
    "rights_lead": {
        "en": "The rights categories of the Global Charter-Agenda for Human Rights in the City "
        "and of the campaign, grouped in families, with the initiatives that address each "
        "(a family counts those of its categories too).",
        "fr": "Les catégories de droits de la Charte-Agenda mondiale des droits de l'homme "
        "dans la cité et de la campagne, regroupées en familles, avec les initiatives qui "
        "traitent chacune (une famille compte aussi celles de ses catégories).",
        "es": "Las categorías de derechos de la Carta-Agenda Mundial de Derechos Humanos en la "
        "Ciudad y de la campaña, agrupadas en familias, con las iniciativas que abordan cada "
        "una (una familia cuenta también las de sus categorías).",
    },
    "groups_title": {
        "en": "Rights-holder groups",
        "fr": "Groupes de titulaires de droits",
        "es": "Grupos de titulares de derechos",
    },
    "groups_lead": {
        "en": "The groups of people that initiatives serve (a broader group counts the "
        "initiatives of its narrower groups too).",
        "fr": "Les groupes de personnes que servent les initiatives (un groupe plus large "
        "compte aussi les initiatives de ses sous-groupes).",
        "es": "Los grupos de personas a los que atienden las iniciativas (un grupo más amplio "
        "cuenta también las iniciativas de sus subgrupos).",
    },
    "instruments_title": {
        "en": "Human rights instruments",
        "fr": "Instruments de droits humains",
        "es": "Instrumentos de derechos humanos",
    },
    "instruments_lead": {
        "en": "Treaties, declarations, resolutions, reports, charters and agendas, with the "
        "initiatives that implement them.",
        "fr": "Traités, déclarations, résolutions, rapports, chartes et agendas, avec les "
        "initiatives qui les mettent en œuvre.",
        "es": "Tratados, declaraciones, resoluciones, informes, cartas y agendas, con las "
        "iniciativas que los aplican.",
    },
    "concepts_count": {
        "en": "{n} entries",
        "fr": "{n} entrées",
        "es": "{n} entradas",
    },
    "other_concepts": {"en": "Other", "fr": "Autres", "es": "Otros"},
    # Search
    "search_title": {"en": "Search", "fr": "Recherche", "es": "Búsqueda"},
    "search_results_for": {
        "en": "Results for “{q}”",
        "fr": "Résultats pour « {q} »",
        "es": "Resultados para «{q}»",
    },
    "search_none": {
        "en": "Nothing matches this search.",
        "fr": "Aucun résultat pour cette recherche.",
        "es": "Ninguna coincidencia para esta búsqueda.",
    },
    "search_hint": {
        "en": "Type at least two letters: a name or a word of a title or a description.",
        "fr": "Tapez au moins deux lettres : un nom ou un mot d'un titre ou d'une description.",
        "es": "Escriba al menos dos letras: un nombre o una palabra de un título o una "
        "descripción.",
    },
    # Query page
    "query_title": {
        "en": "Query the graph in SPARQL",
        "fr": "Interroger le graphe en SPARQL",
        "es": "Consultar el grafo en SPARQL",
    },
    "query_lead": {
        "en": "Write a SPARQL 1.1 query and run it against this service's endpoint. The "
        "prefixes of the project are preset; the named questions below open as examples.",
        "fr": "Écrivez une requête SPARQL 1.1 et exécutez-la sur le point d'accès de ce "
        "service. Les préfixes du projet sont prédéfinis ; les questions nommées ci-dessous "
        "s'ouvrent comme exemples.",
        "es": "Escriba una consulta SPARQL 1.1 y ejecútela en el punto de acceso de este "
        "servicio. Los prefijos del proyecto están predefinidos; las preguntas con nombre de "
        "abajo se abren como ejemplos.",
    },
    "query_examples": {
        "en": "Named questions",
        "fr": "Questions nommées",
        "es": "Preguntas con nombre",
    },
    "query_examples_lead": {
        "en": "Click one to open it in a new tab; parameters get their default values.",
        "fr": "Cliquez sur l'une d'elles pour l'ouvrir dans un nouvel onglet ; les paramètres "
        "prennent leur valeur par défaut.",
        "es": "Haga clic en una para abrirla en una pestaña nueva; los parámetros toman su "
        "valor por defecto.",
    },
    "query_as_api": {
        "en": "as an API",
        "fr": "comme API",
        "es": "como API",
    },
    "query_prefixes": {
        "en": "Preset prefixes",
        "fr": "Préfixes prédéfinis",
        "es": "Prefijos predefinidos",
    },
    "query_no_js": {
        "en": "The query editor needs JavaScript. Without it, send queries to the endpoint "
        "with any SPARQL client.",
        "fr": "L'éditeur de requêtes nécessite JavaScript. Sans lui, envoyez vos requêtes au "
        "point d'accès avec n'importe quel client SPARQL.",
        "es": "El editor de consultas necesita JavaScript. Sin él, envíe sus consultas al "
        "punto de acceso con cualquier cliente SPARQL.",
    },
    "query_default_comment": {
        "en": "Ten territories with their names in English",
        "fr": "Dix territoires avec leur nom en français",
        "es": "Diez territorios con su nombre en español",
    },
}


def translator(lang: str) -> Callable[..., str]:
    """A function ``_(key, **values)`` giving the text of ``key`` in ``lang`` (``en`` when the
    language is not one of en, fr, es). Raises ``KeyError`` for an unknown key: a typo in a
    template fails the tests instead of showing a key to a reader."""
    chosen = lang if lang in LANGUAGES else "en"

    def _(key: str, **values: object) -> str:
        text = TEXT[key][chosen]
        return text.format(**values) if values else text

    return _
