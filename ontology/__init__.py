"""rightsgraph.ontology"""
