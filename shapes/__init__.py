"""rightsgraph.shapes"""
