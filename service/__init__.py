"""rightsgraph.service"""
