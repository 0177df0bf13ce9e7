"""rightsgraph.queries"""
