"""rightsgraph.loaders"""
