"""Links between RightsGraph territories and external registries: GeoNames (offline), ISO 3166
and UN M49 (pycountry and the packaged M49 table), Wikidata (online, through SPARQL).

``model`` holds the shapes every matcher returns; ``geonames``, ``iso`` and ``wikidata`` find
candidates; ``linking`` turns decisions into RDF with provenance and keeps the review list.
"""
