"""rightsgraph.reports"""
