"""Words of the intersectionality report in English, French and Spanish: a plain dict module.

Every string is keyed by a stable name and given in ``en``, ``fr`` and ``es``; :func:`render_text`
picks one and fills its ``{placeholders}``. The analysis (``reports.analysis``) uses the report
title, the table titles (``table_*``), their notes (``note_*``), the column titles (``col_*``)
and the summary sentences (``sum_*``); the renderers add their own strings below the analysis
ones. Keep it data: no logic beyond :func:`render_text` and the two number formatters, which the
summary needs so that a sentence reads as the language writes numbers.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "es")

#: Narrow no-break space: the thousands separator of French and Spanish, and the space before
#: a percent sign in French and Spanish.
NNBSP = "\u202f"

TEXT: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------------------------------------
    # The report
    # ---------------------------------------------------------------------------------------------
    "report_title": {
        "en": "Intersectionality report: who is served, where, together, and where the gaps are",
        "fr": "Rapport d'intersectionnalité : qui est servi, où, ensemble, et où sont les lacunes",
        "es": "Informe de interseccionalidad: a quién se atiende, dónde, conjuntamente, y dónde "
        "están las carencias",
    },
    # ---------------------------------------------------------------------------------------------
    # Table titles (``table_{name}``, one per entry of reports.model.TABLES)
    # ---------------------------------------------------------------------------------------------
    "table_overview": {
        "en": "Overview",
        "fr": "Vue d'ensemble",
        "es": "Resumen",
    },
    "table_groups": {
        "en": "Rights-holder groups served",
        "fr": "Groupes de titulaires de droits servis",
        "es": "Grupos de titulares de derechos atendidos",
    },
    "table_categories": {
        "en": "Rights addressed",
        "fr": "Droits traités",
        "es": "Derechos abordados",
    },
    "table_group_cooccurrence": {
        "en": "Groups served together",
        "fr": "Groupes servis ensemble",
        "es": "Grupos atendidos conjuntamente",
    },
    "table_category_cooccurrence": {
        "en": "Rights addressed together",
        "fr": "Droits traités ensemble",
        "es": "Derechos abordados conjuntamente",
    },
    "table_group_category": {
        "en": "Groups by right",
        "fr": "Groupes par droit",
        "es": "Grupos por derecho",
    },
    "table_intersections": {
        "en": "Intersections of two and three groups",
        "fr": "Intersections de deux et trois groupes",
        "es": "Intersecciones de dos y tres grupos",
    },
    "table_group_network": {
        "en": "Network of groups",
        "fr": "Réseau des groupes",
        "es": "Red de grupos",
    },
    "table_category_network": {
        "en": "Network of rights",
        "fr": "Réseau des droits",
        "es": "Red de derechos",
    },
    "table_similar_territories": {
        "en": "Territories with similar profiles",
        "fr": "Territoires aux profils semblables",
        "es": "Territorios con perfiles parecidos",
    },
    "table_gaps_by_region": {
        "en": "Gaps by UCLG region",
        "fr": "Lacunes par région de CGLU",
        "es": "Carencias por región de CGLU",
    },
    "table_gaps_by_country": {
        "en": "Gaps by country",
        "fr": "Lacunes par pays",
        "es": "Carencias por país",
    },
    "table_headline_gaps": {
        "en": "Territories with no initiative on the campaign's headline themes",
        "fr": "Territoires sans initiative sur les thèmes phares de la campagne",
        "es": "Territorios sin iniciativas sobre los temas principales de la campaña",
    },
    "table_trend_by_year": {
        "en": "Initiatives started per year, by right",
        "fr": "Initiatives lancées par année, par droit",
        "es": "Iniciativas iniciadas por año, por derecho",
    },
    "table_members_by_wave": {
        "en": "Members per campaign wave and the 10, 100, 1000 milestones",
        "fr": "Membres par vague de la campagne et jalons 10, 100, 1000",
        "es": "Miembros por ola de la campaña e hitos 10, 100, 1000",
    },
    # ---------------------------------------------------------------------------------------------
    # How to read each table (``note_{name}``)
    # ---------------------------------------------------------------------------------------------
    "note_overview": {
        "en": "The base of the report: the initiatives that match the filters and the "
        "territories that lead them, their countries and UCLG regions (the region of each "
        "country), and how many rights-holder groups and rights categories they name. "
        "\"Territories in scope\" counts every territory that matches the territory filters "
        "(region, country, territory, wave), with or without an initiative.",
        "fr": "La base du rapport : les initiatives qui répondent aux filtres et les territoires "
        "qui les portent, leurs pays et régions de CGLU (la région de chaque pays), et le nombre "
        "de groupes de titulaires de droits et de catégories de droits qu'elles nomment. "
        "« Territoires concernés » compte tous les territoires qui répondent aux filtres de "
        "territoire (région, pays, territoire, vague), avec ou sans initiative.",
        "es": "La base del informe: las iniciativas que cumplen los filtros y los territorios que "
        "las lideran, sus países y regiones de CGLU (la región de cada país), y cuántos grupos de "
        "titulares de derechos y categorías de derechos nombran. «Territorios considerados» "
        "cuenta todos los territorios que cumplen los filtros de territorio (región, país, "
        "territorio, ola), con o sin iniciativas.",
    },
    "note_groups": {
        "en": "For each rights-holder group: the initiatives that name it (rg:targetsGroup, as "
        "stated, without counting narrower groups into broader ones), the territories that lead "
        "them, and their share of all initiatives in the base. Groups that no initiative names "
        "are listed with 0, except broader groups (such as \"women and girls\") that no initiative "
        "names directly.",
        "fr": "Pour chaque groupe de titulaires de droits : les initiatives qui le nomment "
        "(rg:targetsGroup, tel quel, sans compter les groupes plus étroits dans les plus larges), "
        "les territoires qui les portent et leur part de toutes les initiatives de la base. Les "
        "groupes qu'aucune initiative ne nomme figurent avec 0, sauf les groupes plus larges "
        "(comme « femmes et filles ») qu'aucune initiative ne nomme directement.",
        "es": "Para cada grupo de titulares de derechos: las iniciativas que lo nombran "
        "(rg:targetsGroup, tal cual, sin sumar los grupos más específicos a los más amplios), los "
        "territorios que las lideran y su proporción sobre todas las iniciativas de la base. Los "
        "grupos que ninguna iniciativa nombra aparecen con 0, salvo los grupos más amplios (como "
        "«mujeres y niñas») que ninguna iniciativa nombra directamente.",
    },
    "note_categories": {
        "en": "For each rights category: the initiatives that name it (rg:addressesRight, as "
        "stated), the territories that lead them, and their share of all initiatives in the "
        "base. \"Family\" is the broader category it belongs to; families themselves are listed "
        "only when an initiative names one directly.",
        "fr": "Pour chaque catégorie de droits : les initiatives qui la nomment "
        "(rg:addressesRight, telle quelle), les territoires qui les portent et leur part de "
        "toutes les initiatives de la base. « Famille » est la catégorie plus large dont elle "
        "relève ; les familles elles-mêmes ne figurent que si une initiative en nomme une "
        "directement.",
        "es": "Para cada categoría de derechos: las iniciativas que la nombran "
        "(rg:addressesRight, tal cual), los territorios que las lideran y su proporción sobre "
        "todas las iniciativas de la base. «Familia» es la categoría más amplia a la que "
        "pertenece; las familias solo aparecen si alguna iniciativa nombra una directamente.",
    },
    "note_group_cooccurrence": {
        "en": "Pairs of groups named by the same initiative (pairs never named together are left "
        "out). Together = initiatives naming both; A only, B only = initiatives naming one without "
        "the other. Expected = nA × nB / N, where nA and nB are the initiatives naming each group "
        "(together + only) and N the initiatives in the base: what chance alone would give. "
        "Lift = together / expected: above 1 the groups are served together more often than "
        "chance, below 1 less often. A frequent pair is not necessarily a strong one.",
        "fr": "Paires de groupes nommés par une même initiative (les paires jamais nommées "
        "ensemble sont omises). Ensemble = initiatives qui nomment les deux ; A seul, B seul = "
        "initiatives qui nomment l'un sans l'autre. Attendu = nA × nB / N, où nA et nB sont les "
        "initiatives qui nomment chaque groupe (ensemble + seul) et N les initiatives de la "
        "base : ce que donnerait le hasard. Lift = ensemble / attendu : au-dessus de 1 les "
        "groupes sont servis ensemble plus souvent que le hasard, en dessous moins souvent. Une "
        "paire fréquente n'est pas forcément une paire forte.",
        "es": "Pares de grupos nombrados por una misma iniciativa (se omiten los pares nunca "
        "nombrados juntos). Juntos = iniciativas que nombran ambos; solo A, solo B = iniciativas "
        "que nombran uno sin el otro. Esperado = nA × nB / N, donde nA y nB son las iniciativas "
        "que nombran cada grupo (juntos + solo) y N las iniciativas de la base: lo que daría el "
        "azar. Lift = juntos / esperado: por encima de 1 los grupos se atienden juntos más a "
        "menudo que por azar, por debajo menos. Un par frecuente no es necesariamente un par "
        "fuerte.",
    },
    "note_category_cooccurrence": {
        "en": "Pairs of rights categories named by the same initiative, read like the pairs of "
        "groups: expected = nA × nB / N (N: initiatives in the base), lift = together / expected.",
        "fr": "Paires de catégories de droits nommées par une même initiative, à lire comme les "
        "paires de groupes : attendu = nA × nB / N (N : initiatives de la base), lift = ensemble "
        "/ attendu.",
        "es": "Pares de categorías de derechos nombradas por una misma iniciativa, que se leen "
        "como los pares de grupos: esperado = nA × nB / N (N: iniciativas de la base), lift = "
        "juntos / esperado.",
    },
    "note_group_category": {
        "en": "Every group and every rights category named in the base, crossed: the initiatives "
        "that name both (0 included), the initiatives that name the group and the category, "
        "expected = group × category / N (N: initiatives in the base) and lift = initiatives / "
        "expected (no lift when nothing is expected).",
        "fr": "Tous les groupes et toutes les catégories de droits nommés dans la base, croisés : "
        "les initiatives qui nomment les deux (0 compris), celles qui nomment le groupe et la "
        "catégorie, attendu = groupe × catégorie / N (N : initiatives de la base) et lift = "
        "initiatives / attendu (pas de lift quand rien n'est attendu).",
        "es": "Todos los grupos y todas las categorías de derechos nombrados en la base, "
        "cruzados: las iniciativas que nombran ambos (0 incluido), las que nombran el grupo y la "
        "categoría, esperado = grupo × categoría / N (N: iniciativas de la base) y lift = "
        "iniciativas / esperado (sin lift cuando no se espera nada).",
    },
    "note_intersections": {
        "en": "Combinations of two or three groups named in the base (\"all inhabitants\" and a "
        "group with its own narrower group left out): together = initiatives naming every group "
        "of the combination; then the initiatives naming each group. Under-served index = 1 − "
        "together / the smallest of those: 0 when every initiative of the least-served group "
        "also serves the others, 1 when the groups are never served together. Shortfall = the "
        "smallest minus together, in initiatives. Largest shortfall first; at most {limit} "
        "combinations of each size.",
        "fr": "Combinaisons de deux ou trois groupes nommés dans la base (« tous les habitants » "
        "et un groupe avec son propre sous-groupe sont exclus) : ensemble = initiatives qui "
        "nomment tous les groupes de la combinaison ; puis les initiatives qui nomment chaque "
        "groupe. Indice de sous-service = 1 − ensemble / le plus petit de ces nombres : 0 quand "
        "chaque initiative du groupe le moins servi sert aussi les autres, 1 quand les groupes ne "
        "sont jamais servis ensemble. Manque = le plus petit moins ensemble, en initiatives. Plus "
        "grand manque d'abord ; au plus {limit} combinaisons de chaque taille.",
        "es": "Combinaciones de dos o tres grupos nombrados en la base (se excluyen «todos los "
        "habitantes» y un grupo con su propio subgrupo): juntos = iniciativas que nombran todos "
        "los grupos de la combinación; luego las iniciativas que nombran cada grupo. Índice de "
        "desatención = 1 − juntos / el menor de esos números: 0 cuando cada iniciativa del grupo "
        "menos atendido atiende también a los demás, 1 cuando los grupos nunca se atienden "
        "juntos. Déficit = el menor menos juntos, en iniciativas. Primero el mayor déficit; como "
        "máximo {limit} combinaciones de cada tamaño.",
    },
    "note_group_network": {
        "en": "The groups as a network: two groups are linked when an initiative names both, "
        "with the number of such initiatives as the link's weight. Weighted degree = the sum of "
        "a group's link weights. Betweenness = the share of shortest paths between other groups "
        "that pass through it (networkx, normalised), with 1 / weight as the length of a link, "
        "so that groups often served together are close. Community = Louvain communities "
        "(networkx, weights, resolution 1, seed {seed}), numbered from the largest.",
        "fr": "Les groupes en réseau : deux groupes sont liés quand une initiative nomme les "
        "deux, le nombre de ces initiatives étant le poids du lien. Degré pondéré = la somme des "
        "poids des liens d'un groupe. Intermédiarité = la part des plus courts chemins entre "
        "d'autres groupes qui passent par lui (networkx, normalisée), avec 1 / poids comme "
        "longueur d'un lien, pour que les groupes souvent servis ensemble soient proches. "
        "Communauté = communautés de Louvain (networkx, pondérées, résolution 1, graine {seed}), "
        "numérotées de la plus grande à la plus petite.",
        "es": "Los grupos como red: dos grupos están unidos cuando una iniciativa nombra ambos, "
        "con el número de esas iniciativas como peso del vínculo. Grado ponderado = la suma de "
        "los pesos de los vínculos de un grupo. Intermediación = la proporción de caminos más "
        "cortos entre otros grupos que pasan por él (networkx, normalizada), con 1 / peso como "
        "longitud de un vínculo, para que los grupos atendidos a menudo juntos estén cerca. "
        "Comunidad = comunidades de Louvain (networkx, ponderadas, resolución 1, semilla {seed}), "
        "numeradas de la mayor a la menor.",
    },
    "note_category_network": {
        "en": "The rights categories as a network, read like the network of groups: links "
        "weighted by the initiatives naming both categories, betweenness with 1 / weight as "
        "length, Louvain communities (seed {seed}).",
        "fr": "Les catégories de droits en réseau, à lire comme le réseau des groupes : liens "
        "pondérés par les initiatives qui nomment les deux catégories, intermédiarité avec "
        "1 / poids comme longueur, communautés de Louvain (graine {seed}).",
        "es": "Las categorías de derechos como red, que se lee como la red de grupos: vínculos "
        "ponderados por las iniciativas que nombran ambas categorías, intermediación con 1 / "
        "peso como longitud, comunidades de Louvain (semilla {seed}).",
    },
    "note_similar_territories": {
        "en": "The territory × rights network projected onto territories: each territory's "
        "profile counts its initiatives per rights category, and two territories are as similar "
        "as the cosine of their profiles (1 = the same mix of rights, 0 = no right in common). "
        "The {limit} territories with the most initiatives in the base are compared (ties: the "
        "larger population first); the {pairs} most similar pairs are shown.",
        "fr": "Le réseau territoires × droits projeté sur les territoires : le profil de chaque "
        "territoire compte ses initiatives par catégorie de droits, et deux territoires sont "
        "aussi semblables que le cosinus de leurs profils (1 = le même éventail de droits, 0 = "
        "aucun droit en commun). Les {limit} territoires qui ont le plus d'initiatives dans la "
        "base sont comparés (à égalité, le plus peuplé d'abord) ; les {pairs} paires les plus "
        "semblables sont montrées.",
        "es": "La red territorios × derechos proyectada sobre los territorios: el perfil de cada "
        "territorio cuenta sus iniciativas por categoría de derechos, y dos territorios son tan "
        "parecidos como el coseno de sus perfiles (1 = la misma combinación de derechos, 0 = "
        "ningún derecho en común). Se comparan los {limit} territorios con más iniciativas en la "
        "base (en caso de empate, el más poblado primero); se muestran los {pairs} pares más "
        "parecidos.",
    },
    "note_gaps_by_region": {
        "en": "For each UCLG region (the region of each territory's country) and every rights "
        "category and group, zeros included: the region's initiatives naming it, their share of "
        "the region's initiatives, the same share in the whole base, and the gap = share in the "
        "region − share in the base (negative: less present there than across the campaign). "
        "A region's figures are the sums of its countries' figures (below).",
        "fr": "Pour chaque région de CGLU (la région du pays de chaque territoire) et chaque "
        "catégorie de droits et groupe, zéros compris : les initiatives de la région qui le "
        "nomment, leur part des initiatives de la région, la même part dans toute la base, et "
        "l'écart = part dans la région − part dans la base (négatif : moins présent là que dans "
        "l'ensemble de la campagne). Les chiffres d'une région sont les sommes de ceux de ses "
        "pays (ci-dessous).",
        "es": "Para cada región de CGLU (la región del país de cada territorio) y cada categoría "
        "de derechos y grupo, ceros incluidos: las iniciativas de la región que lo nombran, su "
        "proporción sobre las iniciativas de la región, la misma proporción en toda la base, y la "
        "brecha = proporción en la región − proporción en la base (negativa: menos presente allí "
        "que en el conjunto de la campaña). Las cifras de una región son la suma de las de sus "
        "países (abajo).",
    },
    "note_gaps_by_country": {
        "en": "The same as by region, for each country of the territories in the base "
        "(rg:countryCode), every rights category and group, zeros included.",
        "fr": "Comme par région, pour chaque pays des territoires de la base (rg:countryCode), "
        "chaque catégorie de droits et groupe, zéros compris.",
        "es": "Lo mismo que por región, para cada país de los territorios de la base "
        "(rg:countryCode), cada categoría de derechos y grupo, ceros incluidos.",
    },
    "note_headline_gaps": {
        "en": "Territories in scope (the territory filters) none of whose initiatives in the "
        "base names a headline theme of the campaign or a narrower one: {themes}. These are the "
        "themes that both the concept note of 14 June 2022 and the invitation letter of 15 July "
        "2022 put forward. Initiatives = the territory's initiatives in the base (0: none).",
        "fr": "Territoires concernés (filtres de territoire) dont aucune initiative de la base ne "
        "nomme un thème phare de la campagne ou un thème plus étroit : {themes}. Ce sont les "
        "thèmes que mettent en avant à la fois la note conceptuelle du 14 juin 2022 et la lettre "
        "d'invitation du 15 juillet 2022. Initiatives = initiatives du territoire dans la base "
        "(0 : aucune).",
        "es": "Territorios considerados (filtros de territorio) ninguna de cuyas iniciativas de "
        "la base nombra un tema principal de la campaña o uno más específico: {themes}. Son los "
        "temas que destacan tanto la nota conceptual del 14 de junio de 2022 como la carta de "
        "invitación del 15 de julio de 2022. Iniciativas = iniciativas del territorio en la base "
        "(0: ninguna).",
    },
    "note_trend_by_year": {
        "en": "Initiatives of the base by the year of their start date (schema:startDate) and "
        "the rights category they name; an initiative naming several categories counts once "
        "in each. \"All categories\" is the number of initiatives started that year. {undated} "
        "initiatives of the base have no start date and are not shown.",
        "fr": "Initiatives de la base selon l'année de leur date de début (schema:startDate) et "
        "la catégorie de droits qu'elles nomment ; une initiative qui en nomme plusieurs compte "
        "une fois dans chacune. « Toutes catégories » est le nombre d'initiatives lancées cette "
        "année-là. {undated} initiatives de la base n'ont pas de date de début et ne figurent "
        "pas.",
        "es": "Iniciativas de la base según el año de su fecha de inicio (schema:startDate) y la "
        "categoría de derechos que nombran; una iniciativa que nombra varias cuenta una vez en "
        "cada una. «Todas las categorías» es el número de iniciativas iniciadas ese año. "
        "{undated} iniciativas de la base no tienen fecha de inicio y no aparecen.",
    },
    "note_members_by_wave": {
        "en": "Territories in scope with a campaign membership that is not withdrawn, by the "
        "wave of their membership (rg:inWave), the running total, and the campaign's milestones "
        "(rg:Milestone: 10, 100 and 1000 members): the largest one reached and the share of the "
        "next one reached. Rights, group, instrument and period filters do not apply to members.",
        "fr": "Territoires concernés ayant une adhésion à la campagne non retirée, par vague "
        "d'adhésion (rg:inWave), le cumul, et les jalons de la campagne (rg:Milestone : 10, 100 "
        "et 1000 membres) : le plus grand atteint et la part atteinte du suivant. Les filtres de "
        "droit, de groupe, d'instrument et de période ne s'appliquent pas aux membres.",
        "es": "Territorios considerados con una adhesión a la campaña no retirada, por ola de "
        "adhesión (rg:inWave), el acumulado, y los hitos de la campaña (rg:Milestone: 10, 100 y "
        "1000 miembros): el mayor alcanzado y la proporción alcanzada del siguiente. Los filtros "
        "de derecho, grupo, instrumento y periodo no se aplican a los miembros.",
    },
    # ---------------------------------------------------------------------------------------------
    # Column titles (``col_{column}``)
    # ---------------------------------------------------------------------------------------------
    "col_initiatives": {"en": "Initiatives", "fr": "Initiatives", "es": "Iniciativas"},
    "col_territories": {"en": "Territories", "fr": "Territoires", "es": "Territorios"},
    "col_countries": {"en": "Countries", "fr": "Pays", "es": "Países"},
    "col_regions": {"en": "UCLG regions", "fr": "Régions de CGLU", "es": "Regiones de CGLU"},
    "col_groups": {"en": "Groups", "fr": "Groupes", "es": "Grupos"},
    "col_categories": {"en": "Rights categories", "fr": "Catégories de droits",
                       "es": "Categorías de derechos"},
    "col_territories_in_scope": {"en": "Territories in scope", "fr": "Territoires concernés",
                                 "es": "Territorios considerados"},
    "col_group": {"en": "Group (IRI)", "fr": "Groupe (IRI)", "es": "Grupo (IRI)"},
    "col_group_label": {"en": "Group", "fr": "Groupe", "es": "Grupo"},
    "col_broader": {"en": "Broader group (IRI)", "fr": "Groupe plus large (IRI)",
                    "es": "Grupo más amplio (IRI)"},
    "col_broader_label": {"en": "Broader group", "fr": "Groupe plus large",
                          "es": "Grupo más amplio"},
    "col_category": {"en": "Right (IRI)", "fr": "Droit (IRI)", "es": "Derecho (IRI)"},
    "col_category_label": {"en": "Right", "fr": "Droit", "es": "Derecho"},
    "col_family": {"en": "Family (IRI)", "fr": "Famille (IRI)", "es": "Familia (IRI)"},
    "col_family_label": {"en": "Family", "fr": "Famille", "es": "Familia"},
    "col_share": {"en": "Share of initiatives", "fr": "Part des initiatives",
                  "es": "Proporción de iniciativas"},
    "col_group_a": {"en": "Group A (IRI)", "fr": "Groupe A (IRI)", "es": "Grupo A (IRI)"},
    "col_group_a_label": {"en": "Group A", "fr": "Groupe A", "es": "Grupo A"},
    "col_group_b": {"en": "Group B (IRI)", "fr": "Groupe B (IRI)", "es": "Grupo B (IRI)"},
    "col_group_b_label": {"en": "Group B", "fr": "Groupe B", "es": "Grupo B"},
    "col_group_c": {"en": "Group C (IRI)", "fr": "Groupe C (IRI)", "es": "Grupo C (IRI)"},
    "col_group_c_label": {"en": "Group C", "fr": "Groupe C", "es": "Grupo C"},
    "col_category_a": {"en": "Right A (IRI)", "fr": "Droit A (IRI)", "es": "Derecho A (IRI)"},
    "col_category_a_label": {"en": "Right A", "fr": "Droit A", "es": "Derecho A"},
    "col_category_b": {"en": "Right B (IRI)", "fr": "Droit B (IRI)", "es": "Derecho B (IRI)"},
    "col_category_b_label": {"en": "Right B", "fr": "Droit B", "es": "Derecho B"},
    "col_together": {"en": "Together", "fr": "Ensemble", "es": "Juntos"},
    "col_a_only": {"en": "A only", "fr": "A seul", "es": "Solo A"},
    "col_b_only": {"en": "B only", "fr": "B seul", "es": "Solo B"},
    "col_expected": {"en": "Expected", "fr": "Attendu", "es": "Esperado"},
    "col_lift": {"en": "Lift", "fr": "Lift", "es": "Lift"},
    "col_group_initiatives": {"en": "Initiatives of the group", "fr": "Initiatives du groupe",
                              "es": "Iniciativas del grupo"},
    "col_category_initiatives": {"en": "Initiatives on the right", "fr": "Initiatives sur le droit",
                                 "es": "Iniciativas sobre el derecho"},
    "col_size": {"en": "Groups", "fr": "Groupes", "es": "Grupos"},
    "col_group_a_initiatives": {"en": "Initiatives of A", "fr": "Initiatives de A",
                                "es": "Iniciativas de A"},
    "col_group_b_initiatives": {"en": "Initiatives of B", "fr": "Initiatives de B",
                                "es": "Iniciativas de B"},
    "col_group_c_initiatives": {"en": "Initiatives of C", "fr": "Initiatives de C",
                                "es": "Iniciativas de C"},
    "col_under_served": {"en": "Under-served index", "fr": "Indice de sous-service",
                         "es": "Índice de desatención"},
    "col_shortfall": {"en": "Shortfall", "fr": "Manque", "es": "Déficit"},
    "col_weighted_degree": {"en": "Weighted degree", "fr": "Degré pondéré",
                            "es": "Grado ponderado"},
    "col_betweenness": {"en": "Betweenness", "fr": "Intermédiarité", "es": "Intermediación"},
    "col_community": {"en": "Community", "fr": "Communauté", "es": "Comunidad"},
    "col_territory": {"en": "Territory (IRI)", "fr": "Territoire (IRI)",
                      "es": "Territorio (IRI)"},
    "col_territory_label": {"en": "Territory", "fr": "Territoire", "es": "Territorio"},
    "col_territory_a": {"en": "Territory A (IRI)", "fr": "Territoire A (IRI)",
                        "es": "Territorio A (IRI)"},
    "col_territory_a_label": {"en": "Territory A", "fr": "Territoire A", "es": "Territorio A"},
    "col_territory_b": {"en": "Territory B (IRI)", "fr": "Territoire B (IRI)",
                        "es": "Territorio B (IRI)"},
    "col_territory_b_label": {"en": "Territory B", "fr": "Territoire B", "es": "Territorio B"},
    "col_similarity": {"en": "Similarity", "fr": "Similarité", "es": "Similitud"},
    "col_shared_categories": {"en": "Rights in common", "fr": "Droits en commun",
                              "es": "Derechos en común"},
    "col_territory_a_initiatives": {"en": "Initiatives of A", "fr": "Initiatives de A",
                                    "es": "Iniciativas de A"},
    "col_territory_b_initiatives": {"en": "Initiatives of B", "fr": "Initiatives de B",
                                    "es": "Iniciativas de B"},
    "col_region": {"en": "Region (IRI)", "fr": "Région (IRI)", "es": "Región (IRI)"},
    "col_region_label": {"en": "UCLG region", "fr": "Région de CGLU", "es": "Región de CGLU"},
    "col_country": {"en": "Country code", "fr": "Code du pays", "es": "Código del país"},
    "col_country_label": {"en": "Country", "fr": "Pays", "es": "País"},
    "col_kind": {"en": "Kind", "fr": "Type", "es": "Tipo"},
    "col_concept": {"en": "Right or group (IRI)", "fr": "Droit ou groupe (IRI)",
                    "es": "Derecho o grupo (IRI)"},
    "col_concept_label": {"en": "Right or group", "fr": "Droit ou groupe",
                          "es": "Derecho o grupo"},
    "col_region_initiatives": {"en": "Initiatives in the region",
                               "fr": "Initiatives de la région",
                               "es": "Iniciativas de la región"},
    "col_country_initiatives": {"en": "Initiatives in the country",
                                "fr": "Initiatives du pays", "es": "Iniciativas del país"},
    "col_campaign_initiatives": {"en": "Initiatives in the base",
                                 "fr": "Initiatives de la base",
                                 "es": "Iniciativas de la base"},
    "col_campaign_share": {"en": "Share in the base", "fr": "Part dans la base",
                           "es": "Proporción en la base"},
    "col_gap": {"en": "Gap", "fr": "Écart", "es": "Brecha"},
    "col_year": {"en": "Year", "fr": "Année", "es": "Año"},
    "col_year_total": {"en": "All categories", "fr": "Toutes catégories",
                       "es": "Todas las categorías"},
    "col_wave": {"en": "Wave", "fr": "Vague", "es": "Ola"},
    "col_wave_label": {"en": "Wave name", "fr": "Nom de la vague", "es": "Nombre de la ola"},
    "col_members": {"en": "New members", "fr": "Nouveaux membres", "es": "Nuevos miembros"},
    "col_cumulative": {"en": "Members so far", "fr": "Membres cumulés",
                       "es": "Miembros acumulados"},
    "col_milestone_reached": {"en": "Milestone reached", "fr": "Jalon atteint",
                              "es": "Hito alcanzado"},
    "col_next_milestone": {"en": "Next milestone", "fr": "Jalon suivant",
                           "es": "Hito siguiente"},
    "col_next_milestone_date": {"en": "Next milestone's date", "fr": "Date du jalon suivant",
                                "es": "Fecha del hito siguiente"},
    "col_share_of_next": {"en": "Share of the next milestone", "fr": "Part du jalon suivant",
                          "es": "Proporción del hito siguiente"},
    "wave_number": {"en": "Wave {number}", "fr": "Vague {number}", "es": "Ola {number}"},
    "wave_none": {"en": "No wave recorded", "fr": "Vague non indiquée",
                  "es": "Ola no indicada"},
    # ---------------------------------------------------------------------------------------------
    # Summary sentences (``sum_*``): numbers come formatted by format_int / format_percent
    # ---------------------------------------------------------------------------------------------
    "sum_empty": {
        "en": "No initiative matches these filters, so there is nothing to count.",
        "fr": "Aucune initiative ne répond à ces filtres : il n'y a rien à compter.",
        "es": "Ninguna iniciativa cumple estos filtros, así que no hay nada que contar.",
    },
    "sum_base": {
        "en": "This report covers {initiatives} led by {territories} in {countries}.",
        "fr": "Ce rapport porte sur {initiatives} de {territories} dans {countries}.",
        "es": "Este informe abarca {initiatives} de {territories} en {countries}.",
    },
    "sum_top_group": {
        "en": "{group} is the group most often served: {count}, {share} of the total.",
        "fr": "{group} est le groupe le plus souvent servi : {count}, {share} du total.",
        "es": "{group} es el grupo atendido con más frecuencia: {count}, {share} del total.",
    },
    "sum_top_groups": {
        "en": "{groups} are the groups most often served: {count} each, {share} of the total.",
        "fr": "{groups} sont les groupes les plus souvent servis : {count} chacun, {share} du "
        "total.",
        "es": "{groups} son los grupos atendidos con más frecuencia: {count} cada uno, {share} "
        "del total.",
    },
    "sum_top_categories": {
        "en": "{categories} are the rights most often addressed, each by {share} of the "
        "initiatives.",
        "fr": "{categories} sont les droits les plus souvent traités, chacun par {share} des "
        "initiatives.",
        "es": "{categories} son los derechos abordados con más frecuencia, cada uno por {share} "
        "de las iniciativas.",
    },
    "list_and": {"en": " and ", "fr": " et ", "es": " y "},
    "list_others": {"en": "{count} others", "fr": "{count} autres", "es": "{count} más"},
    "quoted": {"en": "\u201c{name}\u201d", "fr": "« {name} »", "es": "«{name}»"},
    "sum_top_category": {
        "en": "{category} is the right most often addressed ({share} of the initiatives).",
        "fr": "{category} est le droit le plus souvent traité ({share} des initiatives).",
        "es": "{category} es el derecho abordado con más frecuencia ({share} de las "
        "iniciativas).",
    },
    "sum_unserved_groups": {
        "en": "Groups that no initiative names: {count}, among them {examples}.",
        "fr": "Groupes qu'aucune initiative ne nomme : {count}, dont {examples}.",
        "es": "Grupos que ninguna iniciativa nombra: {count}, entre ellos {examples}.",
    },
    "sum_intersection": {
        "en": "{a} and {b} are served together by only {together}, against {n_a} for the first "
        "and {n_b} for the second.",
        "fr": "{a} et {b} ne sont servis ensemble que par {together}, contre {n_a} pour "
        "les premiers et {n_b} pour les seconds.",
        "es": "{a} y {b} solo son atendidos conjuntamente por {together}, frente a {n_a} "
        "para el primero y {n_b} para el segundo.",
    },
    "sum_intersection_never": {
        "en": "{a} and {b} are never served together, although each is served on its own: by "
        "{n_a} for the first, {n_b} for the second.",
        "fr": "{a} et {b} ne sont jamais servis ensemble, alors que chacun l'est "
        "séparément : par {n_a} pour les premiers, {n_b} pour les seconds.",
        "es": "{a} y {b} nunca son atendidos conjuntamente, aunque cada uno lo es por "
        "separado: por {n_a} el primero, {n_b} el segundo.",
    },
    "sum_lift": {
        "en": "{a} and {b} go together {lift} times as often as chance would predict "
        "({together}).",
        "fr": "{a} et {b} vont ensemble {lift} fois plus souvent que ne le voudrait le "
        "hasard ({together}).",
        "es": "{a} y {b} van juntos {lift} veces más a menudo de lo que predice el azar "
        "({together}).",
    },
    "sum_gap": {
        "en": "In {region}, {concept} is named by {share} of the initiatives, against {campaign} "
        "across the base: the largest gap between a region and the whole.",
        "fr": "Dans la région « {region} », {concept} est nommé par {share} des initiatives, "
        "contre {campaign} dans toute la base : le plus grand écart entre une région et "
        "l'ensemble.",
        "es": "En la región «{region}», {concept} aparece en {share} de las iniciativas, frente "
        "a {campaign} en toda la base: la mayor brecha entre una región y el conjunto.",
    },
    "sum_headline": {
        "en": "Territories in scope with no initiative on the campaign's headline themes: "
        "{count} of {total}.",
        "fr": "Territoires concernés sans initiative sur les thèmes phares de la campagne : "
        "{count} sur {total}.",
        "es": "Territorios considerados sin iniciativas sobre los temas principales de la "
        "campaña: {count} de {total}.",
    },
    "sum_members": {
        "en": "The campaign counts {members} in these territories; the next milestone, {next} "
        "members, is {share} reached.",
        "fr": "La campagne compte {members} parmi ces territoires ; le prochain jalon, {next} "
        "membres, est atteint à {share}.",
        "es": "La campaña cuenta {members} entre estos territorios; el próximo hito, {next} "
        "miembros, está alcanzado en un {share}.",
    },
    "sum_members_done": {
        "en": "The campaign counts {members} in these territories, beyond its last milestone of "
        "{milestone}.",
        "fr": "La campagne compte {members} parmi ces territoires, au-delà de son dernier jalon "
        "de {milestone}.",
        "es": "La campaña cuenta {members} entre estos territorios, por encima de su último hito "
        "de {milestone}.",
    },
    # ---------------------------------------------------------------------------------------------
    # Renderer strings (reports.render_*, reports.charts) go below.
    # ---------------------------------------------------------------------------------------------
    # The frame of the HTML, Markdown and PDF outputs (render_html, render_md, render_pdf)
    "kind": {
        "en": "Intersectionality report",
        "fr": "Rapport d'intersectionnalité",
        "es": "Informe de interseccionalidad",
    },
    "generated": {
        "en": "Generated {when} from data version {version}.",
        "fr": "Produit le {when} à partir de la version {version} des données.",
        "es": "Generado el {when} a partir de la versión {version} de los datos.",
    },
    "months": {
        "en": "January February March April May June July August September October November "
        "December",
        "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
        "décembre",
        "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
        "diciembre",
    },
    "date_time": {
        "en": "{day} {month} {year}, {hour}:{minute} UTC",
        "fr": "{day} {month} {year}, {hour} h {minute} UTC",
        "es": "{day} de {month} de {year}, {hour}:{minute} UTC",
    },
    "contents": {"en": "Contents", "fr": "Sommaire", "es": "Índice"},
    "summary": {"en": "Summary", "fr": "Résumé", "es": "Resumen"},
    "how_to_read": {"en": "How to read this report", "fr": "Comment lire ce rapport",
                    "es": "Cómo leer este informe"},
    "how_to_read_text": {
        "en": "Every figure counts initiatives of the campaign's members and says on what base "
        "(how many initiatives and territories). An initiative counts once for every group and "
        "every right it addresses, so shares can add up to more than 100%. Lift compares how "
        "often two things go together with how often they would if they were unrelated: 1 means "
        "as often as chance, above 1 more often, below 1 less often. A frequent pair is not "
        "always a strong one.",
        "fr": "Chaque chiffre compte des initiatives des membres de la campagne et indique sa "
        "base (combien d'initiatives et de territoires). Une initiative compte une fois pour "
        "chaque groupe et chaque droit qu'elle vise : les parts peuvent donc dépasser 100 % au "
        "total. Le lift compare la fréquence à laquelle deux éléments vont ensemble à celle "
        "qu'on attendrait s'ils étaient indépendants : 1 signifie autant que le hasard, plus "
        "de 1 plus souvent, moins de 1 moins souvent. Une paire fréquente n'est pas toujours "
        "une paire forte.",
        "es": "Cada cifra cuenta iniciativas de los miembros de la campaña e indica su base "
        "(cuántas iniciativas y territorios). Una iniciativa cuenta una vez por cada grupo y "
        "cada derecho que aborda, por lo que las proporciones pueden sumar más del 100 %. El "
        "lift compara la frecuencia con que dos elementos van juntos con la que tendrían si no "
        "estuvieran relacionados: 1 significa tanto como el azar, más de 1 más a menudo, menos "
        "de 1 menos a menudo. Un par frecuente no siempre es un par fuerte.",
    },
    "filters": {"en": "Filters used", "fr": "Filtres appliqués", "es": "Filtros aplicados"},
    "no_filter": {
        "en": "None: the whole campaign.",
        "fr": "Aucun : toute la campagne.",
        "es": "Ninguno: toda la campaña.",
    },
    "filter_regions": {"en": "UCLG regions", "fr": "Régions de CGLU", "es": "Regiones de CGLU"},
    "filter_countries": {"en": "Countries", "fr": "Pays", "es": "Países"},
    "filter_territories": {"en": "Territories", "fr": "Territoires", "es": "Territorios"},
    "filter_categories": {"en": "Rights categories", "fr": "Catégories de droits",
                          "es": "Categorías de derechos"},
    "filter_groups": {"en": "Rights-holder groups", "fr": "Groupes de titulaires de droits",
                      "es": "Grupos de titulares de derechos"},
    "filter_instruments": {"en": "Instruments", "fr": "Instruments", "es": "Instrumentos"},
    "filter_period": {"en": "Started", "fr": "Commencées", "es": "Iniciadas"},
    "filter_waves": {"en": "Campaign waves", "fr": "Vagues de la campagne",
                     "es": "Olas de la campaña"},
    "filter_examples": {"en": "Example data", "fr": "Données d'exemple", "es": "Datos de ejemplo"},
    "examples_included": {
        "en": "included (fictional territories, marked as examples)",
        "fr": "incluses (territoires fictifs, signalés comme exemples)",
        "es": "incluidos (territorios ficticios, señalados como ejemplos)",
    },
    "examples_excluded": {"en": "left out", "fr": "exclues", "es": "excluidos"},
    "period_from_to": {"en": "from {start} to {end}", "fr": "de {start} à {end}",
                       "es": "de {start} a {end}"},
    "period_from": {"en": "from {start}", "fr": "à partir de {start}", "es": "desde {start}"},
    "period_to": {"en": "until {end}", "fr": "jusqu'en {end}", "es": "hasta {end}"},
    "data_version": {"en": "Data version", "fr": "Version des données",
                     "es": "Versión de los datos"},
    "data_version_text": {
        "en": "revision {version} of the store",
        "fr": "révision {version} de la base",
        "es": "revisión {version} del almacén",
    },
    "generated_at": {"en": "Generated", "fr": "Produit le", "es": "Generado el"},
    "base": {"en": "Base", "fr": "Base", "es": "Base"},
    "base_text": {
        "en": "{initiatives} initiatives in {territories} territories",
        "fr": "{initiatives} initiatives dans {territories} territoires",
        "es": "{initiatives} iniciativas en {territories} territorios",
    },
    "base_of_figure": {
        "en": "Base of this figure: {initiatives} initiatives in {territories} territories.",
        "fr": "Base de cette figure : {initiatives} initiatives dans {territories} territoires.",
        "es": "Base de esta figura: {initiatives} iniciativas en {territories} territorios.",
    },
    "sparql": {"en": "The SPARQL query behind this figure",
               "fr": "La requête SPARQL derrière cette figure",
               "es": "La consulta SPARQL detrás de esta figura"},
    "sparql_appendix": {"en": "Appendix: the SPARQL queries",
                        "fr": "Annexe : les requêtes SPARQL",
                        "es": "Anexo: las consultas SPARQL"},
    "sparql_appendix_text": {
        "en": "Run any of them on the SPARQL endpoint to check the figures.",
        "fr": "Exécutez-les sur le point d'accès SPARQL pour vérifier les chiffres.",
        "es": "Ejecútelas en el punto de acceso SPARQL para comprobar las cifras.",
    },
    "spec": {"en": "Vega-Lite specification of this chart",
             "fr": "Spécification Vega-Lite de ce graphique",
             "es": "Especificación Vega-Lite de este gráfico"},
    "empty_table": {"en": "No rows: nothing in the base matches.",
                    "fr": "Aucune ligne : rien dans la base ne correspond.",
                    "es": "Ninguna fila: nada en la base coincide."},
    "rows_cut": {
        "en": "The first {shown} of {total} rows; the CSV and JSON outputs hold them all.",
        "fr": "Les {shown} premières lignes sur {total} ; les sorties CSV et JSON les "
        "contiennent toutes.",
        "es": "Las primeras {shown} de {total} filas; las salidas CSV y JSON las contienen "
        "todas.",
    },
    "charts_omitted": {
        "en": "Charts are not included in this Markdown stream; write the report to a folder "
        "(or ask for HTML or PDF) to get them as SVG files.",
        "fr": "Les graphiques ne figurent pas dans ce flux Markdown ; écrivez le rapport dans "
        "un dossier (ou demandez le HTML ou le PDF) pour les obtenir en SVG.",
        "es": "Los gráficos no se incluyen en este flujo Markdown; escriba el informe en una "
        "carpeta (o pida HTML o PDF) para obtenerlos como archivos SVG.",
    },
    "chart_file": {"en": "Chart", "fr": "Graphique", "es": "Gráfico"},
    "footer": {
        "en": "Made by RightsGraph {version} from the knowledge graph of the campaign \u201c10, "
        "100, 1000 cities and territories for human rights by 2030\u201d. Charts: Vega-Lite "
        "{vega_lite}.",
        "fr": "Produit par RightsGraph {version} à partir du graphe de connaissances de la "
        "campagne « 10, 100, 1000 villes et territoires des droits humains pour 2030 ». "
        "Graphiques : Vega-Lite {vega_lite}.",
        "es": "Producido por RightsGraph {version} a partir del grafo de conocimiento de la "
        "campaña «10, 100, 1000 ciudades y territorios de derechos humanos para 2030». "
        "Gráficos: Vega-Lite {vega_lite}.",
    },
    "example_warning": {
        "en": "This report includes the example dataset: fictional territories and initiatives "
        "that illustrate the model. Leave them out (the example-data filter: --no-examples on the "
        "command line, examples=false in the API) to report on real members only.",
        "fr": "Ce rapport inclut le jeu de données d'exemple : des territoires et initiatives "
        "fictifs qui illustrent le modèle. Excluez-les (filtre des données d'exemple : "
        "--no-examples en ligne de commande, examples=false dans l'API) pour ne considérer que "
        "les membres réels.",
        "es": "Este informe incluye el conjunto de datos de ejemplo: territorios e iniciativas "
        "ficticios que ilustran el modelo. Exclúyalos (filtro de datos de ejemplo: "
        "--no-examples en la línea de comandos, examples=false en la API) para informar solo "
        "de los miembros reales.",
    },
    "page": {"en": "Page", "fr": "Page", "es": "Página"},
    "points_suffix": {"en": "\u00a0pp", "fr": "\u00a0pts", "es": "\u00a0p.\u00a0p."},
    "page_of": {"en": "Page {page} of {pages}", "fr": "Page {page} sur {pages}",
                "es": "Página {page} de {pages}"},
    # Charts (reports/charts.py): titles, subtitles, axes, legends, tooltips
    "chart_heatmap_title": {
        "en": "Groups × rights: lift",
        "fr": "Groupes × droits : lift",
        "es": "Grupos × derechos: lift",
    },
    "chart_heatmap_count_title": {
        "en": "Groups × rights: initiatives",
        "fr": "Groupes × droits : initiatives",
        "es": "Grupos × derechos: iniciativas",
    },
    "chart_heatmap_subtitle": {
        "en": "Colour: lift (1 = as often as chance); number: initiatives",
        "fr": "Couleur : lift (1 = autant que le hasard) ; nombre : initiatives",
        "es": "Color: lift (1 = tanto como el azar); número: iniciativas",
    },
    "chart_group_network_title": {
        "en": "Groups served together",
        "fr": "Groupes servis ensemble",
        "es": "Grupos atendidos conjuntamente",
    },
    "chart_category_network_title": {
        "en": "Rights addressed together",
        "fr": "Droits traités ensemble",
        "es": "Derechos abordados conjuntamente",
    },
    "chart_network_subtitle": {
        "en": "Line width: shared initiatives; circle size: weighted degree; colour: community",
        "fr": "Épaisseur des liens : initiatives communes ; taille : degré pondéré ; couleur : "
        "communauté",
        "es": "Grosor de las líneas: iniciativas compartidas; tamaño: grado ponderado; color: "
        "comunidad",
    },
    "chart_gaps_title": {
        "en": "Largest gaps by UCLG region",
        "fr": "Principales lacunes par région de CGLU",
        "es": "Mayores carencias por región de CGLU",
    },
    "chart_gaps_subtitle": {
        "en": "Share of the region's initiatives minus the share in the whole campaign, in "
        "percentage points",
        "fr": "Part des initiatives de la région moins la part dans toute la campagne, en "
        "points de pourcentage",
        "es": "Proporción de las iniciativas de la región menos la de toda la campaña, en "
        "puntos porcentuales",
    },
    "chart_trend_title": {
        "en": "Initiatives started per year, by rights category",
        "fr": "Initiatives lancées par année, par catégorie de droits",
        "es": "Iniciativas iniciadas por año, por categoría de derechos",
    },
    "chart_members_title": {
        "en": "Members by campaign wave, against the 10, 100, 1000 milestones",
        "fr": "Membres par vague, face aux jalons 10, 100, 1000",
        "es": "Miembros por ola, frente a los hitos 10, 100, 1000",
    },
    "chart_members_subtitle": {
        "en": "Cumulative members (bars, scale compressed above 10) and the campaign's targets",
        "fr": "Membres cumulés (barres, échelle comprimée au-delà de 10) et objectifs de la "
        "campagne",
        "es": "Miembros acumulados (barras, escala comprimida por encima de 10) y metas de la "
        "campaña",
    },
    "chart_milestone": {"en": "{n} milestone", "fr": "jalon {n}", "es": "hito {n}"},
    "chart_group": {"en": "Group", "fr": "Groupe", "es": "Grupo"},
    "chart_category": {"en": "Rights category", "fr": "Catégorie de droits",
                       "es": "Categoría de derechos"},
    "chart_region": {"en": "Region", "fr": "Région", "es": "Región"},
    "chart_item": {"en": "Right or group", "fr": "Droit ou groupe", "es": "Derecho o grupo"},
    "chart_kind_category": {"en": "right", "fr": "droit", "es": "derecho"},
    "chart_kind_group": {"en": "group", "fr": "groupe", "es": "grupo"},
    "chart_initiatives": {"en": "Initiatives", "fr": "Initiatives", "es": "Iniciativas"},
    "chart_initiatives_started": {"en": "Initiatives started", "fr": "Initiatives lancées",
                                  "es": "Iniciativas iniciadas"},
    "chart_expected": {"en": "Expected by chance", "fr": "Attendu par hasard",
                       "es": "Esperado por azar"},
    "chart_lift": {"en": "Lift", "fr": "Lift", "es": "Lift"},
    "chart_together": {"en": "Initiatives together", "fr": "Initiatives communes",
                       "es": "Iniciativas conjuntas"},
    "chart_weighted_degree": {"en": "Weighted degree", "fr": "Degré pondéré",
                              "es": "Grado ponderado"},
    "chart_betweenness": {"en": "Betweenness", "fr": "Intermédiarité", "es": "Intermediación"},
    "chart_community": {"en": "Community", "fr": "Communauté", "es": "Comunidad"},
    "chart_share_here": {"en": "Share here (%)", "fr": "Part ici (%)",
                         "es": "Proporción aquí (%)"},
    "chart_share_campaign": {"en": "Share in the campaign (%)", "fr": "Part dans la campagne (%)",
                             "es": "Proporción en la campaña (%)"},
    "chart_gap_pp": {"en": "Gap (percentage points)", "fr": "Écart (points de pourcentage)",
                     "es": "Carencia (puntos porcentuales)"},
    "chart_below": {"en": "below the campaign", "fr": "sous la campagne",
                    "es": "por debajo de la campaña"},
    "chart_above": {"en": "above the campaign", "fr": "au-dessus de la campagne",
                    "es": "por encima de la campaña"},
    "chart_year": {"en": "Year", "fr": "Année", "es": "Año"},
    "chart_other": {"en": "Other", "fr": "Autres", "es": "Otros"},
    "chart_all": {"en": "All", "fr": "Toutes", "es": "Todas"},
    "chart_wave": {"en": "Wave", "fr": "Vague", "es": "Ola"},
    "chart_members_joined": {"en": "Joined in the wave", "fr": "Entrés dans la vague",
                             "es": "Incorporados en la ola"},
    "chart_members_cumulative": {"en": "Members (cumulative)", "fr": "Membres (cumul)",
                                 "es": "Miembros (acumulado)"},
    # The reports page of the web UI (service/templates/page_reports.html)
    "ui_title": {"en": "Reports", "fr": "Rapports", "es": "Informes"},
    "ui_lead": {
        "en": "Intersectionality report: which rights and which groups the members' initiatives "
        "address, in which combinations, where, since when, and where the gaps are. Choose "
        "filters, then read the report below or download it.",
        "fr": "Rapport d'intersectionnalité : quels droits et quels groupes les initiatives des "
        "membres visent, dans quelles combinaisons, où, depuis quand, et où sont les lacunes. "
        "Choisissez des filtres, puis lisez le rapport ci-dessous ou téléchargez-le.",
        "es": "Informe de interseccionalidad: qué derechos y qué grupos abordan las iniciativas "
        "de los miembros, en qué combinaciones, dónde, desde cuándo y dónde están las carencias. "
        "Elija filtros y lea el informe abajo o descárguelo.",
    },
    "ui_any": {"en": "any", "fr": "tous", "es": "todos"},
    "ui_year_from": {"en": "Started from (year)", "fr": "Lancées à partir de (année)",
                     "es": "Iniciadas desde (año)"},
    "ui_year_to": {"en": "Started until (year)", "fr": "Lancées jusqu'en (année)",
                   "es": "Iniciadas hasta (año)"},
    "ui_no_examples": {"en": "Leave out the example data", "fr": "Exclure les données d'exemple",
                       "es": "Excluir los datos de ejemplo"},
    "ui_show": {"en": "Show the report", "fr": "Afficher le rapport", "es": "Mostrar el informe"},
    "ui_reset": {"en": "Clear the filters", "fr": "Effacer les filtres",
                 "es": "Borrar los filtros"},
    "ui_download": {"en": "Download", "fr": "Télécharger", "es": "Descargar"},
    "ui_multi_hint": {
        "en": "Hold Ctrl (⌘ on a Mac) to choose several.",
        "fr": "Maintenez Ctrl (⌘ sur Mac) pour en choisir plusieurs.",
        "es": "Mantenga Ctrl (⌘ en Mac) para elegir varios.",
    },
    "ui_frame_title": {"en": "The report", "fr": "Le rapport", "es": "El informe"},
    "ui_format_html": {"en": "HTML (one file, opens offline)",
                       "fr": "HTML (un seul fichier, lisible hors ligne)",
                       "es": "HTML (un solo archivo, se abre sin conexión)"},
    "ui_format_pdf": {"en": "PDF (A4)", "fr": "PDF (A4)", "es": "PDF (A4)"},
    "ui_format_md": {"en": "Markdown", "fr": "Markdown", "es": "Markdown"},
    "ui_format_csv": {"en": "CSV tables (zip)", "fr": "Tableaux CSV (zip)",
                      "es": "Tablas CSV (zip)"},
    "ui_format_json": {"en": "JSON (all tables, bases and SPARQL)",
                       "fr": "JSON (tableaux, bases et SPARQL)",
                       "es": "JSON (tablas, bases y SPARQL)"},
}


#: Nouns counted in sentences: (singular, plural) per language.
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "initiative": {"en": ("initiative", "initiatives"), "fr": ("initiative", "initiatives"),
                   "es": ("iniciativa", "iniciativas")},
    "territory": {"en": ("territory", "territories"), "fr": ("territoire", "territoires"),
                  "es": ("territorio", "territorios")},
    "country": {"en": ("country", "countries"), "fr": ("pays", "pays"),
                "es": ("país", "países")},
    "member": {"en": ("member", "members"), "fr": ("membre", "membres"),
               "es": ("miembro", "miembros")},
}


def count_phrase(count: int, noun: str, lang: str) -> str:
    """A number and its noun, singular or plural as ``lang`` wants (French counts 0 and 1 as
    singular).

    >>> count_phrase(1, "initiative", "en"), count_phrase(0, "territory", "fr")
    ('1 initiative', '0 territoire')
    """
    singular, plural = NOUNS[noun].get(lang) or NOUNS[noun]["en"]
    one = count == 1 or (lang == "fr" and count == 0)
    return f"{format_int(count, lang)} {singular if one else plural}"


def render_text(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when that language lacks it), with its
    ``{placeholders}`` filled from ``values``. Raises ``KeyError`` for an unknown key (a bug:
    the caller names a string that does not exist)."""
    entry = TEXT[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**values) if values else template


def format_int(value: int, lang: str) -> str:
    """An integer as ``lang`` writes it: 12,345 (en), 12 345 (fr, es; narrow no-break space).

    >>> format_int(12345, "fr") == "12\\u202f345"
    True
    """
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", NNBSP)


def format_percent(share: float, lang: str, *, digits: int = 1) -> str:
    """A share (0.125) as a percentage in ``lang``: 12.5% (en), 12,5 % (fr, es).

    >>> format_percent(0.125, "es") == "12,5\\u202f%"
    True
    """
    text = f"{share * 100:.{digits}f}"
    if lang == "en":
        return text + "%"
    return text.replace(".", ",") + NNBSP + "%"


def format_decimal(value: float, lang: str, *, digits: int = 1) -> str:
    """A decimal number in ``lang``: 2.5 (en), 2,5 (fr, es)."""
    text = f"{value:.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")
